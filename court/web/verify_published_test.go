package web_test

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/shangcheng-court/courtd/court"
)

// verifyJSON is the answer of /api/v1/verify.
type verifyJSON struct {
	Genuine   bool   `json:"genuine"`
	Reason    string `json:"reason"`
	Number    string `json:"number"`
	SHA256    string `json:"sha256"`
	Matched   string `json:"matched"`
	Published *struct {
		Decision        int64  `json:"decision"`
		URL             string `json:"decision_url"`
		Number          string `json:"number"`
		Date            string `json:"date"`
		OriginalGenuine bool   `json:"original_genuine"`
		OriginalReason  string `json:"original_reason"`
	} `json:"published"`
}

// The SHA-256 on a published decision is that of its anonymised text: the
// decision page says so and links the verification, and /verify (API and
// page, both languages) recognises it as the published version of a
// genuine signed original, until the case is sealed.
func TestVerifyPublishedDecision(t *testing.T) {
	ts, pub := pubServer(t)
	a := newCaseAPI(t, ts)
	ctx := context.Background()
	id := a.ruledCase()
	if _, err := pub.PublishPending(ctx); err != nil {
		t.Fatal(err)
	}
	ps, err := ts.DB.PublicationsOfCase(ctx, id)
	if err != nil || len(ps) != 1 {
		t.Fatalf("publications of case %d: got %d (%v), want 1", id, len(ps), err)
	}
	p := ps[0]
	ruling, err := ts.DB.SignedRulingByNumber(ctx, p.Number)
	if err != nil || ruling.SHA256 == nil {
		t.Fatalf("signed ruling %s: %v", p.Number, err)
	}
	canonical := *ruling.SHA256
	if canonical == p.SHA256 {
		t.Fatal("the published hash is the signed original's: nothing to tell apart")
	}
	verify := func(sum string) (verifyJSON, string) {
		t.Helper()
		res, _ := a.c.api("GET", "/api/v1/verify?"+url.Values{"no": {p.Number}, "sha256": {sum}}.Encode(), "", "", "")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("verify %s: got %d %s", sum, res.StatusCode, res.Body)
		}
		var v verifyJSON
		if err := json.Unmarshal([]byte(res.Body), &v); err != nil {
			t.Fatal(err)
		}
		return v, res.Body
	}

	// The published hash: the published version of a genuine original.
	v, body := verify(p.SHA256)
	if v.Genuine || v.Reason != "published_anonymised" || v.Matched != "published" || v.Published == nil {
		t.Fatalf("published hash: got %s, want the published version", body)
	}
	want := "/decisions/" + strconv.FormatInt(p.ID, 10)
	if got := v.Published; got.Decision != p.ID || got.URL != want || got.Number != p.Number || !got.OriginalGenuine ||
		got.OriginalReason != "" || got.Date == "" {
		t.Errorf("published: got %+v, want decision %d at %s, number %s, original genuine", *got, p.ID, want, p.Number)
	}
	// Nothing the publication does not show: not the original's hash.
	if strings.Contains(body, canonical) || v.SHA256 != "" {
		t.Errorf("the answer for the published hash gives the signed original's hash: %s", body)
	}
	// The original's own hash is still genuine; any other is not, and is
	// not taken for the publication.
	if v, body := verify(canonical); !v.Genuine || v.Published != nil || v.Matched != "canonical" {
		t.Errorf("canonical hash: got %s, want genuine", body)
	}
	other := strings.Repeat("ab", 32)
	if v, body := verify(other); v.Genuine || v.Reason != "different_document" || v.Published != nil {
		t.Errorf("another hash: got %s, want different_document", body)
	}
	// Another number with the published hash: unknown, not published.
	res, _ := a.c.api("GET", "/api/v1/verify?no=nosuch&sha256="+p.SHA256, "", "", "")
	if !strings.Contains(res.Body, `"unknown_number"`) || strings.Contains(res.Body, `"published"`) {
		t.Errorf("published hash under another number: got %s", res.Body)
	}

	// The pages, in both languages.
	for _, lang := range []string{"en", "zh-CN"} {
		c := ts.client(t)
		c.Lang = lang
		tr := func(key string, args ...any) string {
			return html.EscapeString(ts.Cat.M(lang, court.Msg(key, args...)))
		}
		res := c.get(want)
		link := html.EscapeString("/verify?" + url.Values{"no": {p.Number}, "sha256": {p.SHA256}}.Encode())
		if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, tr("statsfast.published_hash")) ||
			!strings.Contains(res.Body, tr("statsfast.published_hash_note")) || !strings.Contains(res.Body, `href="`+link+`"`) ||
			!strings.Contains(res.Body, p.SHA256) {
			t.Errorf("%s decision page: got %d, want the hash labelled and the link %s:\n%s", lang, res.StatusCode, link, res.Body)
		}
		res = c.get(html.UnescapeString(link))
		if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, `data-published="true"`) ||
			!strings.Contains(res.Body, tr("statsfast.verify_published", "Number", p.Number)) ||
			!strings.Contains(res.Body, tr("statsfast.verify_original_genuine")) ||
			!strings.Contains(res.Body, `href="`+want+`"`) || strings.Contains(res.Body, tr("verify.not_genuine")) ||
			strings.Contains(res.Body, canonical) {
			t.Errorf("%s verify page for the published hash: got %d\n%s", lang, res.StatusCode, res.Body)
		}
	}

	// Sealed: the published hash is no longer the published version of
	// anything; the signed original itself still verifies.
	if res, e := a.call("judge1", "POST", casePath(id, "/seal"), map[string]any{"reason": "涉及未成年人隐私"}); res.StatusCode != http.StatusOK {
		t.Fatalf("seal: got %d %+v", res.StatusCode, e.Error)
	}
	if v, body := verify(p.SHA256); v.Genuine || v.Reason != "different_document" || v.Published != nil ||
		strings.Contains(body, "/decisions/") {
		t.Errorf("published hash of a sealed case: got %s, want different_document and nothing published", body)
	}
	c := ts.client(t)
	c.Lang = "en"
	if res := c.get("/verify?" + url.Values{"no": {p.Number}, "sha256": {p.SHA256}}.Encode()); strings.Contains(res.Body, `data-published="true"`) ||
		!strings.Contains(res.Body, html.EscapeString(ts.Cat.M("en", court.Msg("verify.reason_different_document")))) {
		t.Errorf("verify page for a sealed case's published hash: got\n%s", res.Body)
	}
	if v, body := verify(canonical); !v.Genuine {
		t.Errorf("canonical hash after sealing: got %s, want genuine", body)
	}
}
