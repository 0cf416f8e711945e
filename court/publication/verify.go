package publication

import (
	"context"
	"encoding/hex"
	"strconv"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/rulings"
)

// Published is what /verify says about the SHA-256 printed on a published
// decision: the hash of the anonymised text, not of the signed document.
// It holds nothing the published decision does not show: its address, the
// number, and whether the signed original it was made from verifies (the
// original's own hash is not given: the public never saw it).
type Published struct {
	Decision        int64  `json:"decision"`     // id of /decisions/{id}
	URL             string `json:"decision_url"` // "/decisions/{id}"
	Number          string `json:"number"`
	Kind            string `json:"kind"`
	Date            string `json:"date"` // the day of signing, as published
	OriginalGenuine bool   `json:"original_genuine"`
	// OriginalReason is why the signed original does not verify (a
	// rulings error such as signature_invalid); "" when it does.
	OriginalReason string `json:"original_reason,omitempty"`
}

// Originals verifies a signed document by its number and canonical hash;
// rulings.Service is one.
type Originals interface {
	Verify(ctx context.Context, number string, sum [32]byte) (*rulings.Result, error)
}

// VerifyPublished recognises sum as the SHA-256 of the published,
// anonymised text of document number, and checks the signed original it
// was made from with originals. It returns nil when sum is not the hash of
// a visible publication of number: never published, withdrawn, or its case
// sealed (a sealed case's published hash no longer verifies as published).
func (s *Service) VerifyPublished(ctx context.Context, originals Originals, number string, sum [32]byte) (*Published, error) {
	p, err := s.DB.PublicationByHash(ctx, number, hex.EncodeToString(sum[:]))
	if court.ErrorCode(err) == court.ENOTFOUND {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	d, err := decision(*p)
	if err != nil {
		return nil, err
	}
	out := &Published{Decision: p.ID, URL: "/decisions/" + strconv.FormatInt(p.ID, 10), Number: p.Number, Kind: p.Kind, Date: d.Document.Date}
	// The original is checked as /verify checks any copy: by its canonical
	// hash, with the stored signature verified again with the court's key.
	r, err := s.DB.SignedRulingByNumber(ctx, number)
	if court.ErrorCode(err) == court.ENOTFOUND || (err == nil && r.ID != p.RulingID) {
		out.OriginalReason = rulings.ErrUnknownNumber.Error()
		return out, nil
	} else if err != nil {
		return nil, err
	}
	var canonical [32]byte
	if r.SHA256 != nil {
		if b, err := hex.DecodeString(*r.SHA256); err == nil && len(b) == len(canonical) {
			copy(canonical[:], b)
		}
	}
	res, err := originals.Verify(ctx, number, canonical)
	if err != nil {
		return nil, err
	}
	out.OriginalGenuine, out.OriginalReason = res.Genuine, res.Reason
	return out, nil
}
