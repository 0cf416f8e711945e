package web

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/evidence"
	"github.com/shangcheng-court/courtd/court/ledger"
	"github.com/shangcheng-court/courtd/court/storage"
)

// Multipart uploads: the form's text parts are small, and the whole body may
// exceed the file by this much (boundaries, headers, title, description).
const (
	maxFormPart       = 16 << 10
	multipartOverhead = 1 << 20
	// minUploadRate is the slowest transfer allowed its whole file: the
	// read deadline of an upload, and the write deadline of a download,
	// grow with its size at this rate, on top of the server's timeouts.
	minUploadRate = 256 << 10
)

// apiExhibitList is the body of GET .../exhibits.
type apiExhibitList struct {
	Exhibits []storage.Exhibit `json:"exhibits"`
}

// apiExhibitCreated is the body of a successful upload: the exhibit and,
// when the ledger can prove it already, its receipt.
type apiExhibitCreated struct {
	storage.Exhibit
	Receipt *ledger.Receipt `json:"receipt,omitempty"`
}

type apiRespondRequest struct {
	Response string `json:"response"`
	Reason   string `json:"reason"`
}

type apiRuleRequest struct {
	Ruling string `json:"ruling"`
	Reason string `json:"reason"`
}

// evidenceOn returns the exhibits service, or "not found" when the court
// runs without one.
func (s *Server) evidenceOn() (*evidence.Service, error) {
	if s.cfg.Evidence == nil {
		return nil, court.ErrNotFound()
	}
	return s.cfg.Evidence, nil
}

// exhibitIDs reads :id and :eid; anything but plain positive numbers is
// "not found".
func exhibitIDs(c *fiber.Ctx) (caseID, id int64, err error) {
	if caseID, err = apiCaseID(c); err != nil {
		return 0, 0, err
	}
	p := c.Params("eid")
	id, perr := strconv.ParseInt(p, 10, 64)
	if perr != nil || id <= 0 || strconv.FormatInt(id, 10) != p {
		return 0, 0, court.ErrNotFound()
	}
	return caseID, id, nil
}

// apiUploadExhibit is POST /api/v1/cases/:id/exhibits.
func (s *Server) apiUploadExhibit(c *fiber.Ctx) error {
	e, err := s.uploadExhibit(c)
	if err != nil {
		return s.uploadError(c, err, nil)
	}
	return c.Status(fiber.StatusCreated).JSON(e)
}

// uploadError answers a refused upload; a file over the limit is 413 with
// the court's own message. write, when set, writes the answer instead of
// handleError. The rest of the body is left to fasthttp: it reads and drops
// up to 256 KiB of it, so that the client can finish sending and read the
// answer, and closes the connection when more is left.
func (s *Server) uploadError(c *fiber.Ctx, err error, write func(error) error) error {
	if write == nil {
		if !evidence.IsTooLarge(err) {
			return err // handleError, as for any handler
		}
		write = func(err error) error { return s.handleError(c, err) }
	}
	werr := write(err)
	if evidence.IsTooLarge(err) {
		c.Status(fiber.StatusRequestEntityTooLarge)
	}
	return werr
}

// uploadExhibit takes one upload: the case is checked before a byte of the
// body is read; the body is then streamed to the blob store, whole or as
// multipart/form-data.
func (s *Server) uploadExhibit(c *fiber.Ctx) (*apiExhibitCreated, error) {
	ev, err := s.evidenceOn()
	if err != nil {
		return nil, err
	}
	id, err := apiCaseID(c)
	if err != nil {
		return nil, err
	}
	ctx := c.UserContext()
	t, err := ev.Begin(ctx, currentUser(c), id)
	if err != nil {
		return nil, err
	}
	req := c.Request()
	length := int64(req.Header.ContentLength()) // -1 chunked, -2 none
	boundary := string(req.Header.MultipartFormBoundary())
	switch {
	case length == 0 || length == -2:
		return nil, court.Errorf(court.EINVALID, "err.exhibit_empty")
	case boundary == "" && length > ev.MaxSize, boundary != "" && length > ev.MaxSize+multipartOverhead:
		return nil, court.Errorf(court.EINVALID, "err.exhibit_too_large", "Max", evidence.FormatSize(ev.MaxSize))
	}
	// A big file takes longer than the server's read timeout: allow it
	// time in proportion to what it may still send.
	budget := ev.MaxSize
	if length > 0 {
		budget = length
	}
	c.Context().SetReadDeadline(time.Now().Add(30*time.Second + time.Duration(budget/minUploadRate)*time.Second))
	// Never c.Body(): it would read the whole stream into memory.
	body := req.BodyStream()
	if body == nil {
		body = bytes.NewReader(req.Body())
	}
	declared, err := declaredSize(c)
	if err != nil {
		return nil, err
	}
	var m evidence.Meta
	var p *evidence.Pending
	if boundary == "" {
		m = evidence.Meta{Title: c.Query("title"), Description: c.Query("description"), FileName: c.Query("name")}
		if h := c.Get("X-File-Name"); h != "" && m.FileName == "" {
			name, err := url.PathUnescape(h)
			if err != nil {
				return nil, court.Errorf(court.EINVALID, "err.exhibit_name_encoding")
			}
			m.FileName = name
		}
		// The texts are known before the file: refuse bad ones before
		// reading it.
		if err := m.Validate(); err != nil {
			return nil, err
		}
		if declared < 0 && length > 0 {
			declared = length
		} else if declared >= 0 && length > 0 && declared != length {
			return nil, court.Errorf(court.EINVALID, "err.exhibit_length")
		}
		if p, err = ev.Ingest(body, declared); err != nil {
			return nil, err
		}
	} else {
		if p, err = s.readMultipart(ev, io.LimitReader(body, ev.MaxSize+multipartOverhead), boundary, declared, &m); err != nil {
			return nil, err
		}
	}
	e, err := ev.Finish(ctx, t, p, m)
	if err != nil {
		return nil, err
	}
	out := &apiExhibitCreated{Exhibit: *e}
	if r, err := ev.Receipt(ctx, t.User, e.CaseID, e.ID); err == nil {
		out.Receipt = r
	}
	return out, nil
}

// declaredSize reads the file's size as the client announces it (query
// size or header X-File-Size), -1 when it does not: the upload is refused
// unless the file has exactly that many bytes.
func declaredSize(c *fiber.Ctx) (int64, error) {
	v := c.Query("size")
	if v == "" {
		v = c.Get("X-File-Size")
	}
	if v == "" {
		return -1, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, court.Errorf(court.EINVALID, "err.exhibit_length")
	}
	return n, nil
}

// readMultipart streams a multipart/form-data body: the parts title,
// description and name are read (bounded), the one part "file" goes to the
// blob store; parts may come in any order.
func (s *Server) readMultipart(ev *evidence.Service, body io.Reader, boundary string, declared int64, m *evidence.Meta) (p *evidence.Pending, err error) {
	defer func() {
		if err != nil {
			p.Discard()
			p = nil
		}
	}()
	mr := multipart.NewReader(body, boundary)
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return p, court.Errorf(court.EINVALID, "err.exhibit_multipart")
		}
		switch part.FormName() {
		case "file":
			if p != nil {
				return p, court.Errorf(court.EINVALID, "err.exhibit_one_file")
			}
			// The raw name: mime/multipart's FileName drops any path,
			// and a path is refused here, not silently cut.
			if _, params, err := mime.ParseMediaType(part.Header.Get("Content-Disposition")); err == nil && m.FileName == "" {
				m.FileName = params["filename"]
			}
			if p, err = ev.Ingest(part, declared); err != nil {
				return nil, err
			}
		case "title", "description", "name":
			b, err := io.ReadAll(io.LimitReader(part, maxFormPart+1))
			if err != nil {
				return p, court.Errorf(court.EINVALID, "err.exhibit_multipart")
			}
			if len(b) > maxFormPart {
				return p, court.Errorf(court.EINVALID, "err.exhibit_multipart")
			}
			switch part.FormName() {
			case "title":
				m.Title = string(b)
			case "description":
				m.Description = string(b)
			case "name":
				m.FileName = string(b)
			}
		default:
			// Unknown parts are skipped, bounded like the text parts.
			if n, _ := io.Copy(io.Discard, io.LimitReader(part, maxFormPart+1)); n > maxFormPart {
				return p, court.Errorf(court.EINVALID, "err.exhibit_multipart")
			}
		}
	}
	if p == nil {
		return nil, court.Errorf(court.EINVALID, "err.exhibit_empty")
	}
	return p, nil
}

// apiListExhibits is GET /api/v1/cases/:id/exhibits.
func (s *Server) apiListExhibits(c *fiber.Ctx) error {
	ev, err := s.evidenceOn()
	if err != nil {
		return err
	}
	id, err := apiCaseID(c)
	if err != nil {
		return err
	}
	list, err := ev.List(c.UserContext(), currentUser(c), id)
	if err != nil {
		return err
	}
	return c.JSON(apiExhibitList{Exhibits: list})
}

// apiGetExhibit is GET /api/v1/cases/:id/exhibits/:eid.
func (s *Server) apiGetExhibit(c *fiber.Ctx) error {
	ev, err := s.evidenceOn()
	if err != nil {
		return err
	}
	caseID, id, err := exhibitIDs(c)
	if err != nil {
		return err
	}
	e, _, err := ev.Get(c.UserContext(), currentUser(c), caseID, id)
	if err != nil {
		return err
	}
	return c.JSON(e)
}

// apiExhibitDecision runs act, a response or a ruling on exhibit :eid of
// case :id, and answers with the exhibit as it is after it.
func (s *Server) apiExhibitDecision(c *fiber.Ctx, act func(ev *evidence.Service, caseID, id int64) (*storage.Exhibit, error)) error {
	ev, err := s.evidenceOn()
	if err != nil {
		return err
	}
	caseID, id, err := exhibitIDs(c)
	if err != nil {
		return err
	}
	e, err := act(ev, caseID, id)
	if err != nil {
		return err
	}
	return c.JSON(e)
}

// apiRespondExhibit is POST .../exhibits/:eid/response.
func (s *Server) apiRespondExhibit(c *fiber.Ctx) error {
	return s.apiExhibitDecision(c, func(ev *evidence.Service, caseID, id int64) (*storage.Exhibit, error) {
		var req apiRespondRequest
		if err := decodeJSON(c, &req); err != nil {
			return nil, err
		}
		return ev.Respond(c.UserContext(), currentUser(c), caseID, id, req.Response, req.Reason)
	})
}

// apiRuleExhibit is POST .../exhibits/:eid/ruling.
func (s *Server) apiRuleExhibit(c *fiber.Ctx) error {
	return s.apiExhibitDecision(c, func(ev *evidence.Service, caseID, id int64) (*storage.Exhibit, error) {
		var req apiRuleRequest
		if err := decodeJSON(c, &req); err != nil {
			return nil, err
		}
		return ev.Rule(c.UserContext(), currentUser(c), caseID, id, req.Ruling, req.Reason)
	})
}

// inlineCSP is the policy of a file shown in the browser: it may load
// nothing and runs in a sandbox (no scripts, a unique origin). PDFs are
// left out of the sandbox because Chromium refuses to show a PDF in one;
// they still may load nothing, and their type is not sniffed.
const (
	inlineCSP = "default-src 'none'; img-src 'self'; media-src 'self'; style-src 'unsafe-inline'; sandbox"
	pdfCSP    = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'"
)

// exhibitContent serves an exhibit's file to those who may see it, with
// byte ranges so that a video can seek. Images, PDFs, audio and video are
// shown inline (?download=1 asks for a download); anything else is always
// a download.
func (s *Server) exhibitContent(c *fiber.Ctx) error {
	ev, err := s.evidenceOn()
	if err != nil {
		return err
	}
	caseID, id, err := exhibitIDs(c)
	if err != nil {
		return err
	}
	e, f, err := ev.Open(c.UserContext(), currentUser(c), caseID, id)
	if err != nil {
		return err
	}
	inline := evidence.Previewable(e.MIME) && c.Query("download") == ""
	c.Set(fiber.HeaderContentType, e.MIME)
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderAcceptRanges, "bytes")
	c.Set(fiber.HeaderETag, `"`+e.SHA256+`"`)
	// The bytes never change, but who may read them can: private, and
	// revalidated.
	c.Set(fiber.HeaderCacheControl, "private, no-cache")
	c.Set(fiber.HeaderContentDisposition, contentDisposition(inline, e))
	if e.MIME == evidence.MIMEPDF {
		c.Set(fiber.HeaderContentSecurityPolicy, pdfCSP)
		c.Set(fiber.HeaderXFrameOptions, "SAMEORIGIN")
	} else {
		c.Set(fiber.HeaderContentSecurityPolicy, inlineCSP)
	}
	if inm := c.Get(fiber.HeaderIfNoneMatch); inm != "" && inm == `"`+e.SHA256+`"` {
		f.Close()
		return c.SendStatus(fiber.StatusNotModified)
	}
	start, end := int64(0), e.Size-1
	status := fiber.StatusOK
	rng := c.Get(fiber.HeaderRange)
	if ir := c.Get(fiber.HeaderIfRange); ir != "" && ir != `"`+e.SHA256+`"` {
		rng = "" // the client's copy is another file: send the whole one
	}
	// Several ranges at once are answered with the whole file (allowed
	// by RFC 9110), which players do not ask for anyway.
	if rng != "" && !strings.Contains(rng, ",") {
		a, b, err := fasthttp.ParseByteRange([]byte(rng), int(e.Size))
		if err != nil {
			f.Close()
			c.Set(fiber.HeaderContentRange, "bytes */"+strconv.FormatInt(e.Size, 10))
			return c.SendStatus(fiber.StatusRequestedRangeNotSatisfiable)
		}
		start, end, status = int64(a), int64(b), fiber.StatusPartialContent
		c.Set(fiber.HeaderContentRange, "bytes "+strconv.FormatInt(start, 10)+"-"+strconv.FormatInt(end, 10)+"/"+strconv.FormatInt(e.Size, 10))
	}
	n := end - start + 1
	// Like an upload, a big download takes longer than the server's
	// write timeout.
	c.Context().SetWriteDeadline(time.Now().Add(60*time.Second + time.Duration(n/minUploadRate)*time.Second))
	c.Status(status)
	c.Context().SetBodyStream(&sectionFile{SectionReader: io.NewSectionReader(f, start, n), f: f}, int(n))
	return nil
}

// sectionFile is part of an open file that closes it when the response is
// done with it.
type sectionFile struct {
	*io.SectionReader
	f *os.File
}

func (s *sectionFile) Close() error { return s.f.Close() }

// contentDisposition names the download: the label and the type's
// extension in ASCII, and the name it was uploaded under (RFC 5987) when
// there is one.
func contentDisposition(inline bool, e *storage.Exhibit) string {
	kind := "attachment"
	if inline {
		kind = "inline"
	}
	ascii := e.Label + evidence.Ext(e.MIME)
	v := kind + `; filename="` + ascii + `"`
	if e.DisplayName != "" {
		v += "; filename*=UTF-8''" + rfc5987(e.DisplayName)
	}
	return v
}

// rfc5987 percent-encodes s as an ext-value: only attr-char stays as is.
func rfc5987(s string) string {
	const hexd = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case 'a' <= ch && ch <= 'z', 'A' <= ch && ch <= 'Z', '0' <= ch && ch <= '9', strings.IndexByte("!#$&+-.^_`|~", ch) >= 0:
			b.WriteByte(ch)
		default:
			b.WriteByte('%')
			b.WriteByte(hexd[ch>>4])
			b.WriteByte(hexd[ch&15])
		}
	}
	return b.String()
}

// exhibitReceipt is the ledger receipt of an exhibit, as a JSON download.
func (s *Server) exhibitReceipt(c *fiber.Ctx) error {
	ev, err := s.evidenceOn()
	if err != nil {
		return err
	}
	caseID, id, err := exhibitIDs(c)
	if err != nil {
		return err
	}
	r, err := ev.Receipt(c.UserContext(), currentUser(c), caseID, id)
	if err != nil {
		return err
	}
	name := "receipt-case" + strconv.FormatInt(caseID, 10) + "-" + r.ExhibitLabel + ".json"
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	return c.JSON(r)
}
