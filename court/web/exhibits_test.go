package web_test

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/evidence"
	"github.com/shangcheng-court/courtd/court/ledger"
	"github.com/shangcheng-court/courtd/court/storage"
)

// Files the tests upload: typed by their first bytes.
var (
	pngFile = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{7, 1, 2, 9}, 300)...)
	pdfFile = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
	txtFile = []byte("2026年5月1日 直播间聊天记录：主播承诺七天无理由退货。\n")
)

func init() {
	accessMatrix = append(accessMatrix, exhibitAccessMatrix...)
	pageMatrix = append(pageMatrix, exhibitPageMatrix...)
	for _, r := range exhibitAccessMatrix {
		if r.method == "POST" {
			matrixKeepsStatus[r.method+" "+r.path] = true
		}
	}
}

// Who may see a served case's exhibits: its parties and the court staff on
// it; clerks and admins see every case.
var seeExhibits = map[string][2]int{
	"claimant1": {200, 404}, "claimant2": {200, 404}, "merchant1": {200, 404}, "merchant2": {200, 404},
	"clerk1": {200, 200}, "judge1": {200, 404}, "mediator1": {200, 404}, "agent1": {200, 404}, "admin1": {200, 200},
}

// exhibitAccessMatrix is this part's rows of the API access matrix. The
// exhibit of :eid is a fresh one of the claimant's side (see exhibitPath).
var exhibitAccessMatrix = []matrixRoute{
	// Parties and court staff on the case file exhibits; an admin has no
	// side to file for.
	{"POST", "/api/v1/cases/:id/exhibits", court.CaseServed, "exhibit text body", map[string][2]int{
		"claimant1": {201, 404}, "claimant2": {201, 404}, "merchant1": {201, 404}, "merchant2": {201, 404},
		"clerk1": {201, 201}, "judge1": {201, 404}, "mediator1": {201, 404}, "agent1": {201, 404}, "admin1": {403, 403},
	}},
	{"GET", "/api/v1/cases/:id/exhibits", court.CaseServed, nil, seeExhibits},
	{"GET", "/api/v1/cases/:id/exhibits/:eid", court.CaseServed, nil, seeExhibits},
	{"GET", "/api/v1/cases/:id/exhibits/:eid/content", court.CaseServed, nil, seeExhibits},
	{"GET", "/api/v1/cases/:id/exhibits/:eid/receipt", court.CaseServed, nil, seeExhibits},
	// The other side responds to a claimant's exhibit: the merchant.
	{"POST", "/api/v1/cases/:id/exhibits/:eid/response", court.CaseServed, map[string]any{"response": "acknowledge"}, map[string][2]int{
		"claimant1": {403, 404}, "claimant2": {403, 404}, "merchant1": {200, 404}, "merchant2": {200, 404},
		"clerk1": {403, 403}, "judge1": {403, 404}, "mediator1": {403, 404}, "agent1": {403, 404}, "admin1": {403, 403},
	}},
	// Only the assigned judge rules (judge1 on party A's cases).
	{"POST", "/api/v1/cases/:id/exhibits/:eid/ruling", court.CaseServed, map[string]any{"ruling": "admit"}, map[string][2]int{
		"claimant1": {403, 404}, "claimant2": {403, 404}, "merchant1": {403, 404}, "merchant2": {403, 404},
		"clerk1": {403, 403}, "judge1": {200, 404}, "mediator1": {403, 404}, "agent1": {403, 404}, "admin1": {403, 403},
	}},
}

var exhibitPageMatrix = []pageMatrixRoute{
	{"POST", "/cases/:id/exhibits", court.CaseServed, url.Values{}, map[string][2]int{
		"claimant1": {201, 404}, "claimant2": {201, 404}, "merchant1": {201, 404}, "merchant2": {201, 404},
		"clerk1": {201, 201}, "judge1": {201, 404}, "mediator1": {201, 404}, "agent1": {201, 404}, "admin1": {403, 403},
	}},
	{"GET", "/cases/:id/exhibits/:eid/content", court.CaseServed, nil, seeExhibits},
	{"GET", "/cases/:id/exhibits/:eid/receipt", court.CaseServed, nil, seeExhibits},
	{"POST", "/cases/:id/exhibits/:eid/response", court.CaseServed, url.Values{"response": {"acknowledge"}}, map[string][2]int{
		"claimant1": {403, 404}, "claimant2": {403, 404}, "merchant1": {303, 404}, "merchant2": {303, 404},
		"clerk1": {403, 403}, "judge1": {403, 404}, "mediator1": {403, 404}, "agent1": {403, 404}, "admin1": {403, 403},
	}},
	{"POST", "/cases/:id/exhibits/:eid/ruling", court.CaseServed, url.Values{"ruling": {"admit"}}, map[string][2]int{
		"claimant1": {403, 404}, "claimant2": {403, 404}, "merchant1": {403, 404}, "merchant2": {403, 404},
		"clerk1": {403, 403}, "judge1": {303, 404}, "mediator1": {403, 404}, "agent1": {403, 404}, "admin1": {403, 403},
	}},
}

// fileExhibit files an exhibit on case id through the service, as whoever
// filed the case (the claimant's side), and returns its id.
func fileExhibit(tb testing.TB, ts *testServer, id int64, data []byte) int64 {
	tb.Helper()
	ctx := context.Background()
	c, err := ts.DB.CaseByID(ctx, id)
	if err != nil {
		tb.Fatal(err)
	}
	u, err := ts.DB.UserByID(ctx, c.FiledByID)
	if err != nil {
		tb.Fatal(err)
	}
	t, err := ts.Ev.Begin(ctx, u, id)
	if err != nil {
		tb.Fatal(err)
	}
	p, err := ts.Ev.Ingest(bytes.NewReader(data), -1)
	if err != nil {
		tb.Fatal(err)
	}
	e, err := ts.Ev.Finish(ctx, t, p, evidence.Meta{Title: "聊天记录截图", FileName: "chat.png"})
	if err != nil {
		tb.Fatal(err)
	}
	return e.ID
}

// exhibitPath fills in :eid with a fresh exhibit of case id, and gives an
// upload its title. (Called by the access matrix for every path.)
func (a *caseAPIClient) exhibitPath(path string, id int64) string {
	a.t.Helper()
	if strings.Contains(path, ":eid") {
		path = strings.Replace(path, ":eid", strconv.FormatInt(fileExhibit(a.t, a.ts, id, pngFile), 10), 1)
	}
	if strings.HasSuffix(path, "/exhibits") {
		path += "?title=matrix"
	}
	return path
}

// pageExhibitPath is exhibitPath for the page matrix; an upload carries the
// CSRF token of c in its address, as a form post cannot set the header.
func pageExhibitPath(t *testing.T, ts *testServer, c *client, path string, id int64) string {
	t.Helper()
	if strings.Contains(path, ":eid") {
		path = strings.Replace(path, ":eid", strconv.FormatInt(fileExhibit(t, ts, id, pngFile), 10), 1)
	}
	if strings.HasSuffix(path, "/exhibits") {
		path += "?title=matrix&csrf_token=" + url.QueryEscape(c.csrf("/home"))
	}
	return path
}

// upload sends body to the upload route of case id as user, with length
// as its Content-Length (-1: chunked).
func (a *caseAPIClient) upload(user string, id int64, query string, hdr map[string]string, body io.Reader, length int64) (*response, apiErr) {
	a.t.Helper()
	req, err := http.NewRequest("POST", a.ts.URL+"/api/v1/cases/"+strconv.FormatInt(id, 10)+"/exhibits"+query, body)
	if err != nil {
		a.t.Fatal(err)
	}
	req.ContentLength = length
	req.Header.Set("Authorization", "Bearer "+a.tok[user])
	req.Header.Set("Content-Type", "application/octet-stream")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res := a.c.do(req)
	var e apiErr
	if res.StatusCode >= 400 {
		decodeInto(a.t, res, &e)
	}
	return res, e
}

func (a *caseAPIClient) uploadBytes(user string, id int64, query string, data []byte) (*response, storage.Exhibit) {
	a.t.Helper()
	res, e := a.upload(user, id, query, nil, bytes.NewReader(data), int64(len(data)))
	var ex storage.Exhibit
	if res.StatusCode == http.StatusCreated {
		decodeInto(a.t, res, &ex)
	} else {
		a.t.Logf("upload: %d %+v", res.StatusCode, e.Error)
	}
	return res, ex
}

func sha(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

// stored counts the exhibit rows, the blobs and the temp files of ts.
func stored(tb testing.TB, ts *testServer) (rows, blobs, tmps int) {
	tb.Helper()
	if err := ts.DB.Readers().QueryRow(`SELECT COUNT(*) FROM exhibits`).Scan(&rows); err != nil {
		tb.Fatal(err)
	}
	root := filepath.Join(ts.Dir, "blobs")
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if filepath.Base(filepath.Dir(p)) == "tmp" {
			tmps++
		} else {
			blobs++
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return rows, blobs, tmps
}

// waitNothingStored waits (a refused upload's handler may still be
// finishing) until ts holds no exhibit, blob or temp file.
func waitNothingStored(tb testing.TB, ts *testServer) {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		r, b, tmp := stored(tb, ts)
		if r == 0 && b == 0 && tmp == 0 {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("after a refused upload: got %d rows, %d blobs, %d temp files, want none", r, b, tmp)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestExhibitUploadAndServe(t *testing.T) {
	ts := mustServer(t, nil)
	a := newCaseAPI(t, ts)
	id := a.matrixCase("A", court.CaseServed)

	res, c1 := a.uploadBytes("claimant1", id, "?title="+url.QueryEscape("聊天记录截图")+"&name="+url.QueryEscape("截图 1.png"), pngFile)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("upload: got %d, want 201: %s", res.StatusCode, res.Body)
	}
	if c1.Label != "C-1" || c1.SHA256 != sha(pngFile) || c1.Size != int64(len(pngFile)) || c1.MIME != evidence.MIMEPNG || c1.DisplayName != "截图 1.png" {
		t.Errorf("exhibit: got %+v", c1)
	}
	if _, err := os.Stat(filepath.Join(ts.Dir, "blobs", c1.SHA256[:2], c1.SHA256)); err != nil {
		t.Errorf("blob of C-1: %v", err)
	}
	// The other side and the court number their own.
	if _, r1 := a.uploadBytes("merchant1", id, "?title=receipt", pdfFile); r1.Label != "R-1" || r1.MIME != evidence.MIMEPDF {
		t.Errorf("merchant's exhibit: got %q %q, want R-1 PDF", r1.Label, r1.MIME)
	}
	if _, j1 := a.uploadBytes("clerk1", id, "?title=notes", txtFile); j1.Label != "J-1" || j1.MIME != evidence.MIMEText {
		t.Errorf("court's exhibit: got %q %q, want J-1 text", j1.Label, j1.MIME)
	}

	// Multipart, the title after the file, and a chunked body.
	var mp bytes.Buffer
	w := multipart.NewWriter(&mp)
	fw, _ := w.CreateFormFile("file", "receipt.pdf")
	fw.Write(pdfFile)
	w.WriteField("title", "购物小票")
	w.WriteField("description", "第二页")
	w.Close()
	res, e := a.upload("claimant1", id, "", map[string]string{"Content-Type": w.FormDataContentType()}, io.MultiReader(&mp), -1)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("multipart upload: got %d %+v", res.StatusCode, e.Error)
	}
	var c2 storage.Exhibit
	decodeInto(t, res, &c2)
	if c2.Label != "C-2" || c2.Title != "购物小票" || c2.Description != "第二页" || c2.DisplayName != "receipt.pdf" || c2.SHA256 != sha(pdfFile) {
		t.Errorf("multipart exhibit: got %+v", c2)
	}

	res, _ = a.call("merchant1", "GET", fmt.Sprintf("/api/v1/cases/%d/exhibits", id), nil)
	var list struct{ Exhibits []storage.Exhibit }
	decodeInto(t, res, &list)
	var labels []string
	for _, x := range list.Exhibits {
		labels = append(labels, x.Label)
	}
	if got := strings.Join(labels, ","); got != "C-1,R-1,J-1,C-2" {
		t.Errorf("list: got %s, want C-1,R-1,J-1,C-2", got)
	}

	// The docket records the filing.
	entries, err := ts.DB.Docket(context.Background(), id, false)
	if err != nil {
		t.Fatal(err)
	}
	filed := 0
	for _, en := range entries {
		if en.Kind == evidence.EntryFiled {
			filed++
		}
	}
	if filed != 4 {
		t.Errorf("docket: got %d exhibit_filed entries, want 4", filed)
	}

	// Content: the right type, nosniff, inline with a sandbox, ranges.
	content := fmt.Sprintf("/api/v1/cases/%d/exhibits/%d/content", id, c1.ID)
	get := func(path string, hdr map[string]string) *response {
		req, _ := http.NewRequest("GET", ts.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+a.tok["merchant1"])
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		return a.c.do(req)
	}
	res = get(content, nil)
	if res.StatusCode != 200 || res.Body != string(pngFile) {
		t.Fatalf("content: got %d and %d bytes", res.StatusCode, len(res.Body))
	}
	for h, want := range map[string]string{"Content-Type": "image/png", "X-Content-Type-Options": "nosniff", "Accept-Ranges": "bytes"} {
		if got := res.Header.Get(h); got != want {
			t.Errorf("%s: got %q, want %q", h, got, want)
		}
	}
	if cd := res.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, `inline; filename="C-1.png"`) || !strings.Contains(cd, "filename*=UTF-8''%E6%88%AA%E5%9B%BE%201.png") {
		t.Errorf("Content-Disposition: got %q", cd)
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "sandbox") || !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("CSP: got %q, want a sandbox loading nothing", csp)
	}
	res = get(content, map[string]string{"Range": "bytes=8-15"})
	if res.StatusCode != 206 || res.Body != string(pngFile[8:16]) || res.Header.Get("Content-Range") != fmt.Sprintf("bytes 8-15/%d", len(pngFile)) {
		t.Errorf("range: got %d %q %q", res.StatusCode, res.Body, res.Header.Get("Content-Range"))
	}
	res = get(content, map[string]string{"Range": "bytes=99999-"})
	if res.StatusCode != 416 || res.Header.Get("Content-Range") != fmt.Sprintf("bytes */%d", len(pngFile)) {
		t.Errorf("unsatisfiable range: got %d %q", res.StatusCode, res.Header.Get("Content-Range"))
	}
	// HEAD gives the length without the body; a known ETag, 304.
	req, _ := http.NewRequest("HEAD", ts.URL+content, nil)
	req.Header.Set("Authorization", "Bearer "+a.tok["merchant1"])
	if res := a.c.do(req); res.StatusCode != 200 || res.ContentLength != int64(len(pngFile)) || res.Body != "" {
		t.Errorf("HEAD: got %d, length %d, %d bytes of body", res.StatusCode, res.ContentLength, len(res.Body))
	}
	if res := get(content, map[string]string{"If-None-Match": `"` + c1.SHA256 + `"`}); res.StatusCode != 304 {
		t.Errorf("If-None-Match: got %d, want 304", res.StatusCode)
	}
	if res := get(content+"?download=1", nil); !strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("?download=1: got %q, want an attachment", res.Header.Get("Content-Disposition"))
	}
	// Text is never shown inline.
	res = get(fmt.Sprintf("/api/v1/cases/%d/exhibits/%d/content", id, c1.ID+2), nil)
	if cd := res.Header.Get("Content-Disposition"); res.StatusCode != 200 || !strings.HasPrefix(cd, "attachment") || res.Header.Get("Content-Type") != evidence.MIMEText {
		t.Errorf("text content: got %d %q %q", res.StatusCode, res.Header.Get("Content-Type"), cd)
	}
}

func TestExhibitDedup(t *testing.T) {
	ts := mustServer(t, nil)
	a := newCaseAPI(t, ts)
	id := a.matrixCase("A", court.CaseServed)
	_, x := a.uploadBytes("claimant1", id, "?title=one", pngFile)
	_, y := a.uploadBytes("merchant1", id, "?title=two", pngFile)
	if x.ID == 0 || y.ID == 0 || x.ID == y.ID || x.SHA256 != y.SHA256 {
		t.Fatalf("two uploads of one file: got %+v and %+v", x, y)
	}
	if rows, blobs, tmps := stored(t, ts); rows != 2 || blobs != 1 || tmps != 0 {
		t.Errorf("got %d rows, %d blobs, %d temp files, want 2, 1, 0", rows, blobs, tmps)
	}
}

// rawRequest writes head and then body on a fresh connection, optionally
// closing it before reading, and returns the status (0 if none came).
func rawRequest(t *testing.T, ts *testServer, head string, body []byte, closeEarly bool) int {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(ts.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.Write([]byte(head))
	conn.Write(body)
	if closeEarly {
		return 0
	}
	conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("reading the answer: %v", err)
	}
	res.Body.Close()
	return res.StatusCode
}

func zipBomb(t *testing.T) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	f, err := zw.Create("bomb.txt")
	if err != nil {
		t.Fatal(err)
	}
	zeros := make([]byte, 1<<20)
	for i := 0; i < 64; i++ { // 64 MiB of zeros in a few tens of KiB
		f.Write(zeros)
	}
	zw.Close()
	return b.Bytes()
}

func TestExhibitHostileUploads(t *testing.T) {
	ts := mustServer(t, nil)
	a := newCaseAPI(t, ts)
	a.c.Lang = "en"
	id := a.matrixCase("A", court.CaseServed)
	path := fmt.Sprintf("/api/v1/cases/%d/exhibits", id)
	elf := append([]byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x3e\x00"), bytes.Repeat([]byte{0}, 200)...)
	pe := append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"), bytes.Repeat([]byte{0}, 200)...)

	tests := []struct {
		name    string
		query   string
		hdr     map[string]string
		body    []byte
		length  int64 // 0: len(body)
		status  int
		message string // part of the English message
	}{
		{name: "executable named .pdf", query: "?title=x&name=invoice.pdf", body: elf, status: 400, message: "Accepted are: PDF, JPEG"},
		{name: "windows executable", query: "?title=x&name=photo.jpg", body: pe, status: 400, message: "not accepted"},
		{name: "zip bomb", query: "?title=x&name=evidence.zip", body: zipBomb(t), status: 400, message: "not accepted"},
		{name: "path traversal name", query: "?title=x&name=" + url.QueryEscape("../../etc/passwd.png"), body: pngFile, status: 400, message: "may not contain a path"},
		{name: "windows path name", query: "?title=x&name=" + url.QueryEscape(`..\..\boot.ini`), body: pngFile, status: 400, message: "may not contain a path"},
		{name: "NUL in name", query: "?title=x&name=a%00.png", body: pngFile, status: 400, message: "control characters"},
		{name: "NUL in header name", query: "?title=x", hdr: map[string]string{"X-File-Name": "a%00b.png"}, body: pngFile, status: 400, message: "control characters"},
		{name: "NUL in title", query: "?title=a%00b", body: pngFile, status: 400, message: "control characters"},
		{name: "empty file", query: "?title=x", body: []byte{}, status: 400, message: "empty"},
		{name: "longer than declared size", query: "?title=x&size=100", body: pngFile, length: -1, status: 400, message: "length it announced"},
		{name: "shorter than declared size", query: "?title=x&size=99999", body: pngFile, length: -1, status: 400, message: "length it announced"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a.t, a.c.tb = t, t
			length := tt.length
			if length == 0 {
				length = int64(len(tt.body))
			}
			var body io.Reader = bytes.NewReader(tt.body)
			if length < 0 {
				body = io.MultiReader(body) // not a *bytes.Reader: sent chunked
			}
			res, e := a.upload("claimant1", id, tt.query, tt.hdr, body, length)
			if res.StatusCode != tt.status || !strings.Contains(e.Error.Message+fmt.Sprint(e.Error.Fields), tt.message) {
				t.Errorf("got %d %q %v, want %d with %q", res.StatusCode, e.Error.Message, e.Error.Fields, tt.status, tt.message)
			}
			waitNothingStored(t, ts)
		})
	}
	a.t, a.c.tb = t, t

	// A multipart file name with a path is refused, not cut.
	var mp bytes.Buffer
	w := multipart.NewWriter(&mp)
	fw, _ := w.CreateFormFile("file", "../../../root/.ssh/authorized_keys.png")
	fw.Write(pngFile)
	w.Close()
	res, e := a.upload("claimant1", id, "?title=x", map[string]string{"Content-Type": w.FormDataContentType()}, bytes.NewReader(mp.Bytes()), int64(mp.Len()))
	if res.StatusCode != 400 || !strings.Contains(fmt.Sprint(e.Error.Fields), "path") {
		t.Errorf("multipart path name: got %d %+v", res.StatusCode, e.Error)
	}
	waitNothingStored(t, ts)

	auth := "Authorization: Bearer " + a.tok["claimant1"] + "\r\n"
	// The server reads up to 8 KiB of a body before its handler runs
	// (fasthttp's pre-read when streaming); the rest is never read.
	first := append(append([]byte{}, pngFile...), make([]byte, 16<<10)...)
	// A declared 10 GiB body: 413 before the body is read.
	start := time.Now()
	status := rawRequest(t, ts, "POST "+path+"?title=x HTTP/1.1\r\nHost: court\r\n"+auth+
		"Content-Type: application/octet-stream\r\nContent-Length: 10737418240\r\n\r\n", first, false)
	if status != http.StatusRequestEntityTooLarge {
		t.Errorf("declared 10 GiB: got %d, want 413", status)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("declared 10 GiB: answered after %v", d)
	}
	waitNothingStored(t, ts)
	// Multipart declared far over the limit too.
	status = rawRequest(t, ts, "POST "+path+" HTTP/1.1\r\nHost: court\r\n"+auth+
		"Content-Type: multipart/form-data; boundary=xyz\r\nContent-Length: 10737418240\r\n\r\n", first, false)
	if status != http.StatusRequestEntityTooLarge {
		t.Errorf("declared 10 GiB multipart: got %d, want 413", status)
	}
	// A truncated upload: the client goes away mid-body.
	rawRequest(t, ts, "POST "+path+"?title=x HTTP/1.1\r\nHost: court\r\n"+auth+
		"Content-Type: application/octet-stream\r\nContent-Length: 1000000\r\n\r\n", first, true)
	waitNothingStored(t, ts)
	// A body longer than its Content-Length: the rest is not part of the
	// file, and is not taken for a request either.
	status = rawRequest(t, ts, "POST "+path+"?title=x&size=1000000 HTTP/1.1\r\nHost: court\r\n"+auth+
		"Content-Type: application/octet-stream\r\nContent-Length: 100\r\n\r\n", pngFile, false)
	if status != http.StatusBadRequest {
		t.Errorf("body longer than declared: got %d, want 400", status)
	}
	waitNothingStored(t, ts)
}

// A small limit shows the limit is enforced on what is sent, not only on
// what is declared.
func TestExhibitSizeLimit(t *testing.T) {
	ts := mustServer(t, nil)
	ts.Ev.MaxSize = 4096
	a := newCaseAPI(t, ts)
	id := a.matrixCase("A", court.CaseServed)
	big := append(append([]byte{}, pngFile...), make([]byte, 5000)...)
	for _, length := range []int64{int64(len(big)), -1} {
		var body io.Reader = bytes.NewReader(big)
		if length < 0 {
			body = io.MultiReader(body)
		}
		res, e := a.upload("claimant1", id, "?title=x", nil, body, length)
		if res.StatusCode != http.StatusRequestEntityTooLarge || e.Error.Code != "invalid" || !strings.Contains(e.Error.Message, "4 KiB") {
			t.Errorf("length %d over the limit: got %d %+v, want 413 naming 4 KiB", length, res.StatusCode, e.Error)
		}
		waitNothingStored(t, ts)
	}
}

// Every other route still refuses a body over the body limit, declared or
// chunked.
func TestBodyLimitOutsideUploads(t *testing.T) {
	ts := mustServer(t, nil)
	a := newCaseAPI(t, ts)
	big := `{"facts":"` + strings.Repeat("x", 2<<20) + `"}`
	auth := "Authorization: Bearer " + a.tok["claimant1"] + "\r\n"
	chunked := func(body string) string {
		return fmt.Sprintf("%x\r\n%s\r\n0\r\n\r\n", len(body), body)
	}
	tests := []struct {
		name, head, body string
		want             int
	}{
		{"declared big JSON", "POST /api/v1/cases HTTP/1.1\r\nHost: court\r\n" + auth +
			"Content-Type: application/json\r\nContent-Length: " + strconv.Itoa(len(big)) + "\r\n\r\n", big, 413},
		{"chunked big JSON", "POST /api/v1/cases HTTP/1.1\r\nHost: court\r\n" + auth +
			"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n", chunked(big), 413},
		{"chunked big form", "POST /login HTTP/1.1\r\nHost: court\r\n" +
			"Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n",
			chunked("username=x&password=" + strings.Repeat("y", 2<<20)), 413},
		// A small chunked body still works.
		{"small chunked JSON", "POST /api/v1/tokens HTTP/1.1\r\nHost: court\r\n" +
			"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
			chunked(`{"username":"claimant1","password":"demo-pass-2026"}`), 201},
	}
	for _, tt := range tests {
		if got := rawExchange(t, ts, tt.head, []byte(tt.body)); got != tt.want {
			t.Errorf("%s: got %d, want %d", tt.name, got, tt.want)
		}
	}
}

// rawExchange sends head and body on a fresh connection while reading the
// answer: a server that refuses a body answers before it has all of it,
// and may close the connection while the client still writes.
func rawExchange(t *testing.T, ts *testServer, head string, body []byte) int {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(ts.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	go func() {
		conn.Write([]byte(head))
		conn.Write(body) // may fail once the server has answered and closed
	}()
	conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("reading the answer: %v", err)
	}
	res.Body.Close()
	return res.StatusCode
}

func TestExhibitAccessOutsiders(t *testing.T) {
	ts := mustServer(t, nil)
	a := newCaseAPI(t, ts)
	// Party B's case: claimant2 against merchant2, no judge assigned.
	id := a.matrixCase("B", court.CaseServed)
	_, x := a.uploadBytes("claimant2", id, "?title=x", pngFile)
	if x.ID == 0 {
		t.Fatal("no exhibit")
	}
	base := fmt.Sprintf("/api/v1/cases/%d/exhibits/%d", id, x.ID)
	// A party of another case, a merchant of another organisation, an
	// unassigned judge.
	for _, user := range []string{"claimant1", "merchant1", "judge1", "mediator1"} {
		for _, p := range []string{"", "/content", "/receipt"} {
			res, e := a.call(user, "GET", base+p, nil)
			if res.StatusCode != 404 || e.Error.Code != "not_found" {
				t.Errorf("%s GET %s: got %d %q, want 404 not_found", user, base+p, res.StatusCode, e.Error.Code)
			}
		}
	}
	// The same through the pages, with a session.
	for _, user := range []string{"claimant1", "merchant1", "judge1"} {
		c := ts.client(t)
		c.login(user)
		for _, p := range []string{"/content", "/receipt"} {
			path := fmt.Sprintf("/cases/%d/exhibits/%d%s", id, x.ID, p)
			if res := c.get(path); res.StatusCode != 404 {
				t.Errorf("%s GET %s: got %d, want 404", user, path, res.StatusCode)
			}
		}
	}
	// An exhibit id of another case through this case is not found either.
	other := a.matrixCase("A", court.CaseServed)
	res, _ := a.call("claimant1", "GET", fmt.Sprintf("/api/v1/cases/%d/exhibits/%d", other, x.ID), nil)
	if res.StatusCode != 404 {
		t.Errorf("exhibit through another case: got %d, want 404", res.StatusCode)
	}
}

func TestExhibitRespondAndRule(t *testing.T) {
	ts := mustServer(t, nil)
	a := newCaseAPI(t, ts)
	a.c.Lang = "en"
	id := a.matrixCase("A", court.CaseServed)
	_, x := a.uploadBytes("claimant1", id, "?title=screenshot", pngFile)
	base := fmt.Sprintf("/api/v1/cases/%d/exhibits/%d", id, x.ID)

	if res, e := a.call("merchant1", "POST", base+"/response", map[string]any{"response": "object"}); res.StatusCode != 400 || e.Error.Fields["reason"] == "" {
		t.Errorf("objection without reason: got %d %+v, want 400 on reason", res.StatusCode, e.Error)
	}
	if res, _ := a.call("claimant1", "POST", base+"/response", map[string]any{"response": "acknowledge"}); res.StatusCode != 403 {
		t.Errorf("own side responding: got %d, want 403", res.StatusCode)
	}
	res, e := a.call("merchant1", "POST", base+"/response", map[string]any{"response": "object", "reason": "截图经过编辑，时间不符"})
	if res.StatusCode != 200 {
		t.Fatalf("objection: got %d %+v", res.StatusCode, e.Error)
	}
	var got storage.Exhibit
	decodeInto(t, res, &got)
	if len(got.Responses) != 1 || got.Responses[0].Kind != "object" || got.Responses[0].Side != "R" {
		t.Errorf("responses: got %+v", got.Responses)
	}
	if res, _ := a.call("merchant1", "POST", base+"/response", map[string]any{"response": "acknowledge"}); res.StatusCode != 409 {
		t.Errorf("second response: got %d, want 409", res.StatusCode)
	}
	if res, _ := a.call("judge1", "POST", base+"/ruling", map[string]any{"ruling": "exclude"}); res.StatusCode != 400 {
		t.Errorf("exclusion without reason: got %d, want 400", res.StatusCode)
	}
	if res, _ := a.call("judge1", "POST", base+"/ruling", map[string]any{"ruling": "maybe"}); res.StatusCode != 400 {
		t.Errorf("unknown ruling: got %d, want 400", res.StatusCode)
	}
	res, _ = a.call("judge1", "POST", base+"/ruling", map[string]any{"ruling": "admit"})
	decodeInto(t, res, &got)
	if res.StatusCode != 200 || got.Ruling == nil || got.Ruling.Ruling != "admit" {
		t.Errorf("ruling: got %d %+v", res.StatusCode, got.Ruling)
	}
	if res, _ := a.call("judge1", "POST", base+"/ruling", map[string]any{"ruling": "exclude", "reason": "改变主意"}); res.StatusCode != 409 {
		t.Errorf("second ruling: got %d, want 409", res.StatusCode)
	}
	entries, err := ts.DB.Docket(context.Background(), id, false)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, en := range entries {
		if strings.HasPrefix(en.Kind, "exhibit_") {
			kinds = append(kinds, en.Kind)
		}
	}
	if got := strings.Join(kinds, ","); got != "exhibit_filed,exhibit_objected,exhibit_admitted" {
		t.Errorf("docket: got %s", got)
	}
	// The content fields never change, and the record is append-only.
	if _, err := ts.DB.Writer().Exec(`UPDATE exhibits SET sha256 = ? WHERE id = ?`, strings.Repeat("0", 64), x.ID); err == nil {
		t.Error("changing an exhibit's hash: got no error")
	}
	if _, err := ts.DB.Writer().Exec(`DELETE FROM exhibits WHERE id = ?`, x.ID); err == nil {
		t.Error("deleting an exhibit: got no error")
	}
}

func TestBlobSweep(t *testing.T) {
	ts := mustServer(t, nil)
	a := newCaseAPI(t, ts)
	id := a.matrixCase("A", court.CaseServed)
	_, x := a.uploadBytes("claimant1", id, "?title=kept", pngFile)
	root := filepath.Join(ts.Dir, "blobs")
	orphan := sha([]byte("orphan"))
	os.MkdirAll(filepath.Join(root, orphan[:2]), 0o700)
	os.WriteFile(filepath.Join(root, orphan[:2], orphan), []byte("orphan"), 0o600)
	os.WriteFile(filepath.Join(root, "tmp", "upload-123"), []byte("half"), 0o600)
	n, err := ts.Ev.Sweep(context.Background())
	if err != nil || n != 2 {
		t.Fatalf("sweep: got %d, %v, want 2 removed", n, err)
	}
	if _, err := os.Stat(filepath.Join(root, x.SHA256[:2], x.SHA256)); err != nil {
		t.Errorf("the blob of a row: %v", err)
	}
	if rows, blobs, tmps := stored(t, ts); rows != 1 || blobs != 1 || tmps != 0 {
		t.Errorf("after sweep: got %d rows, %d blobs, %d temp files, want 1, 1, 0", rows, blobs, tmps)
	}
}

// patternReader yields n bytes: a PNG header, then a repeating pattern,
// hashing them as they go.
type patternReader struct {
	n, off int64
	h      interface {
		Write([]byte) (int, error)
		Sum([]byte) []byte
	}
}

func (r *patternReader) Read(p []byte) (int, error) {
	if r.off >= r.n {
		return 0, io.EOF
	}
	if int64(len(p)) > r.n-r.off {
		p = p[:r.n-r.off]
	}
	for i := range p {
		o := r.off + int64(i)
		if o < 8 {
			p[i] = "\x89PNG\r\n\x1a\n"[o]
		} else {
			p[i] = byte(o*7 + o>>13)
		}
	}
	r.off += int64(len(p))
	r.h.Write(p)
	return len(p), nil
}

// TestExhibitUploadMemoryFlat uploads 256 MiB through the real server and
// checks that the heap grew by far less than that.
func TestExhibitUploadMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("uploads 256 MiB")
	}
	ts := mustServer(t, nil)
	a := newCaseAPI(t, ts)
	id := a.matrixCase("A", court.CaseServed)
	const size = 256 << 20
	// Collect garbage early, so that the peak shows what is held, not what
	// a lazy collector has yet to free.
	defer debug.SetGCPercent(debug.SetGCPercent(20))
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var peak uint64
	var mu sync.Mutex
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		var m runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
			runtime.ReadMemStats(&m)
			mu.Lock()
			peak = max(peak, m.HeapAlloc)
			mu.Unlock()
		}
	}()
	r := &patternReader{n: size, h: sha256.New()}
	res, e := a.upload("claimant1", id, "?title=video", nil, r, size)
	close(stop)
	<-done
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("upload: got %d %+v", res.StatusCode, e.Error)
	}
	var x storage.Exhibit
	decodeInto(t, res, &x)
	if want := hex.EncodeToString(r.h.Sum(nil)); x.SHA256 != want || x.Size != size {
		t.Errorf("got %s %d, want %s %d", x.SHA256, x.Size, want, size)
	}
	growth := int64(peak) - int64(base)
	t.Logf("heap growth during a %d MiB upload: %.1f MiB", size>>20, float64(growth)/(1<<20))
	if growth > 32<<20 {
		t.Errorf("heap grew by %d MiB during a %d MiB upload, want under 32 MiB", growth>>20, size>>20)
	}
}

// Many uploads of one content at once: one blob, an exhibit each, numbered
// without gaps; and each answer carries a receipt that verifies.
func TestExhibitConcurrentSameContent(t *testing.T) {
	ts := mustServer(t, nil)
	a := newCaseAPI(t, ts)
	id := a.matrixCase("A", court.CaseServed)
	// A client of the test's own, whose kept-alive connections are closed
	// before the server shuts down (cleanups run last-registered first).
	hc := &http.Client{Transport: &http.Transport{}, Timeout: 30 * time.Second}
	t.Cleanup(hc.CloseIdleConnections)
	const n = 12
	var wg sync.WaitGroup
	results := make([]*response, n)
	for i := range n {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/cases/%d/exhibits?title=same", ts.URL, id), bytes.NewReader(pngFile))
			req.Header.Set("Authorization", "Bearer "+a.tok["claimant1"])
			res, err := hc.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			results[i] = &response{Response: res, Body: string(b)}
		}(i)
	}
	wg.Wait()
	led, ok := ts.Ev.Prover.(*ledger.Ledger)
	if !ok {
		t.Fatalf("prover: got %T", ts.Ev.Prover)
	}
	labels := map[string]bool{}
	for _, res := range results {
		if res == nil || res.StatusCode != http.StatusCreated {
			t.Fatalf("upload: got %+v", res)
		}
		var out struct {
			storage.Exhibit
			Receipt *ledger.Receipt `json:"receipt"`
		}
		decodeInto(t, res, &out)
		labels[out.Label] = true
		if out.Receipt == nil {
			t.Errorf("%s: no receipt in the answer", out.Label)
			continue
		}
		if _, err := ledger.VerifyReceipt(out.Receipt, led.Key().VerifierKey(), bytes.NewReader(pngFile)); err != nil {
			t.Errorf("%s: receipt does not verify: %v", out.Label, err)
		}
	}
	for i := 1; i <= n; i++ {
		if !labels[fmt.Sprintf("C-%d", i)] {
			t.Errorf("labels: got %v, want C-1 to C-%d", labels, n)
			break
		}
	}
	if rows, blobs, tmps := stored(t, ts); rows != n || blobs != 1 || tmps != 0 {
		t.Errorf("got %d rows, %d blobs, %d temp files, want %d, 1, 0", rows, blobs, tmps, n)
	}
}

// A page upload needs the CSRF token of the session, in the header.
func TestExhibitPageUploadCSRF(t *testing.T) {
	ts := mustServer(t, nil)
	a := newCaseAPI(t, ts)
	id := a.matrixCase("A", court.CaseServed)
	c := ts.client(t)
	c.login("claimant1")
	post := func(token string) *response {
		req, _ := http.NewRequest("POST", fmt.Sprintf("%s/cases/%d/exhibits?title=x", ts.URL, id), bytes.NewReader(pngFile))
		if token != "" {
			req.Header.Set("X-CSRF-Token", token)
		}
		return c.do(req)
	}
	if res := post(""); res.StatusCode != http.StatusForbidden {
		t.Errorf("no token: got %d, want 403", res.StatusCode)
	}
	if res := post("forged"); res.StatusCode != http.StatusForbidden {
		t.Errorf("wrong token: got %d, want 403", res.StatusCode)
	}
	waitNothingStored(t, ts)
	res := post(c.csrf(fmt.Sprintf("/cases/%d", id)))
	if res.StatusCode != http.StatusCreated || !strings.Contains(res.Body, `"label":"C-1"`) {
		t.Errorf("with the token: got %d %s", res.StatusCode, res.Body)
	}
	// Errors come back as JSON for the page's script.
	req, _ := http.NewRequest("POST", fmt.Sprintf("%s/cases/%d/exhibits?title=x", ts.URL, id), strings.NewReader("\x7fELF\x02\x01\x01\x00"))
	req.Header.Set("X-CSRF-Token", c.csrf(fmt.Sprintf("/cases/%d", id)))
	res = c.do(req)
	var e apiErr
	decodeInto(t, res, &e)
	if res.StatusCode != 400 || !strings.Contains(e.Error.Message, "PDF") {
		t.Errorf("refused type through the page: got %d %+v", res.StatusCode, e.Error)
	}
}
