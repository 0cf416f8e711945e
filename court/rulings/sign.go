package rulings

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// Statement is the message the court's Ed25519 key signs for a document:
// the format, the document's number, the SHA-256 of its canonical form,
// the signing judge and the time. The canonical form contains the judge
// and the time as well; naming them in the statement too means the
// signature alone says who signed what, when.
func Statement(number string, sum [32]byte, judgeID int64, signedAt string) []byte {
	return fmt.Appendf(nil, "%s\nnumber %s\nsha256 %x\njudge %d\nsigned %s\n", Format, number, sum[:], judgeID, signedAt)
}

// Signer signs statements: the court's ledger key (*ledger.Key).
type Signer interface {
	SignMessage(msg []byte) ([]byte, error)
	KeyName() string
}

// Record is a signed document as it is handed out and checked offline:
// the canonical text, its hash, the signature and the key that made it.
// GET /api/v1/cases/{id}/ruling returns it; courtd verify reads it.
type Record struct {
	Number    string `json:"number"`
	Canonical string `json:"canonical"`
	SHA256    string `json:"sha256"`    // hex
	Signature string `json:"signature"` // base64, Ed25519 over Statement
	Key       string `json:"key"`       // key name+hash, as in the verifier key text
	LeafIndex int64  `json:"leaf_index"`
}

// Sign puts d in canonical form, hashes it and signs its statement.
func Sign(d Document, s Signer) (Record, [32]byte, error) {
	sum, canon, err := Hash(d)
	if err != nil {
		return Record{}, sum, err
	}
	sig, err := s.SignMessage(Statement(d.Number, sum, d.Judge.ID, d.SignedAt))
	if err != nil {
		return Record{}, sum, fmt.Errorf("sign ruling: %w", err)
	}
	return Record{Number: d.Number, Canonical: string(canon), SHA256: hex.EncodeToString(sum[:]),
		Signature: base64.StdEncoding.EncodeToString(sig), Key: s.KeyName()}, sum, nil
}

// Why a record is not genuine. Each is also a message key
// ("verify.reason_" + the reason) in the catalogs.
var (
	ErrUnknownNumber  = errors.New("unknown_number")
	ErrOtherNumber    = errors.New("other_number")
	ErrDifferentCopy  = errors.New("different_document")
	ErrNotCanonical   = errors.New("not_canonical")
	ErrWrongKey       = errors.New("wrong_key")
	ErrBadSignature   = errors.New("signature_invalid")
	ErrMalformedInput = errors.New("malformed")
)

// Verify checks a record offline with only the court's public key (note
// verifier key text, as GET /api/v1/ledger/key serves it): the canonical
// text is canonical, its SHA-256 is the one stated, its number is the
// record's, the key is the court's, and the signature over the statement
// holds. It returns the document, or one of the errors above.
func Verify(verifierKey string, r Record) (Document, error) {
	v, err := note.NewVerifier(strings.TrimSpace(verifierKey))
	if err != nil {
		return Document{}, fmt.Errorf("court key: %w", err)
	}
	d, err := ParseCanonical([]byte(r.Canonical))
	if err != nil {
		return d, ErrNotCanonical
	}
	sum := sha256.Sum256([]byte(r.Canonical))
	if !strings.EqualFold(r.SHA256, hex.EncodeToString(sum[:])) {
		return d, ErrDifferentCopy
	}
	if d.Number != r.Number {
		return d, ErrOtherNumber
	}
	if r.Key != fmt.Sprintf("%s+%08x", v.Name(), v.KeyHash()) {
		return d, ErrWrongKey
	}
	sig, err := base64.StdEncoding.DecodeString(r.Signature)
	if err != nil || !v.Verify(Statement(d.Number, sum, d.Judge.ID, d.SignedAt), sig) {
		return d, ErrBadSignature
	}
	return d, nil
}

// ParseSHA256 reads a SHA-256 given as 64 hex digits.
func ParseSHA256(s string) ([32]byte, bool) {
	var sum [32]byte
	b, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != 32 {
		return sum, false
	}
	copy(sum[:], b)
	return sum, true
}

// VerifyJSON checks a record in JSON, as GET /api/v1/cases/{id}/ruling
// returns it under "record" (or the record alone), with the court's
// verifier key text: what `courtd verify` does offline for a ruling.
func VerifyJSON(verifierKey string, recordJSON []byte) (Document, Record, error) {
	var wrapped struct {
		Record *Record `json:"record"`
	}
	var r Record
	if err := json.Unmarshal(recordJSON, &wrapped); err == nil && wrapped.Record != nil {
		r = *wrapped.Record
	} else if err := json.Unmarshal(recordJSON, &r); err != nil {
		return Document{}, r, ErrMalformedInput
	}
	if r.Canonical == "" {
		return Document{}, r, ErrMalformedInput
	}
	d, err := Verify(verifierKey, r)
	return d, r, err
}
