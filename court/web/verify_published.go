package web

import (
	"context"
	"net/url"

	"github.com/shangcheng-court/courtd/court/publication"
	"github.com/shangcheng-court/courtd/court/rulings"
)

// ReasonPublished is the reason /verify gives for the SHA-256 of a
// published decision: the copy is not the signed document but its
// published, anonymised version (details under "published").
const ReasonPublished = "published_anonymised"

// verifyAnswer is the JSON of /api/v1/verify: the rulings answer and, for
// the hash of a published decision, what it is the published version of.
type verifyAnswer struct {
	*rulings.Result
	Published *publication.Published `json:"published,omitempty"`
}

// verifyCopy checks a copy of document no: first as the signed document
// (its canonical hash or its PDF's); when it is neither, as the published,
// anonymised text of that document, whose hash the decision page shows.
// Without this a reader who typed the published hash was told "not
// genuine", though the publication is the court's own.
func (s *Server) verifyCopy(ctx context.Context, no string, sum [32]byte) (*verifyAnswer, error) {
	res, err := s.rulingsSvc().Verify(ctx, no, sum)
	if err != nil {
		return nil, err
	}
	out := &verifyAnswer{Result: res}
	if res.Genuine || res.Reason != rulings.ErrDifferentCopy.Error() {
		return out, nil
	}
	pub, err := s.publicationSvc().VerifyPublished(ctx, s.rulingsSvc(), no, sum)
	if err != nil || pub == nil {
		return out, err
	}
	res.Reason, res.Matched = ReasonPublished, "published"
	out.Published = pub
	return out, nil
}

// PublishedVerifyURL is the /verify address that checks a published
// decision by its number and the hash of its published text: the decision
// page links it so that a reader sees what the hash is and that the signed
// original is genuine.
func (p *page) PublishedVerifyURL(number, sum string) string {
	return "/verify?" + url.Values{"no": {number}, "sha256": {sum}}.Encode()
}
