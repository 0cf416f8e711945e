package rulings

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"golang.org/x/text/unicode/norm"

	"github.com/shangcheng-court/courtd/court"
)

// Kind is the kind of a court document.
type Kind string

// The documents this package makes.
const (
	Judgment  Kind = "judgment"  // 民事判决书: the judge's ruling
	Mediation Kind = "mediation" // 民事调解书: a settlement the judge confirmed
)

// Format is the first field of every canonical document: it names this
// encoding, so that a later change of fields is a new format, never a
// silent change of meaning.
const Format = "courtd-ruling/1"

// Who may pay and be paid in an order.
const (
	SideClaimant   = "claimant"
	SideRespondent = "respondent"
	SideCourt      = "court"
)

// How the filing fee is borne.
const (
	FeeClaimant   = "claimant"
	FeeRespondent = "respondent"
	FeeShared     = "shared"
)

// Document is a signed court document in its canonical shape. Its fields
// are written in this order, always; Canonical is the one encoding.
type Document struct {
	Format     string   `json:"format"`
	Kind       Kind     `json:"kind"`
	Number     string   `json:"number"`
	Court      string   `json:"court"`
	CaseID     int64    `json:"case_id"`
	DocketNo   string   `json:"docket_no"`
	Claimant   Party    `json:"claimant"`
	Respondent Party    `json:"respondent"`
	Claims     string   `json:"claims"`
	Facts      string   `json:"facts"`
	Evidence   string   `json:"evidence"`
	Exhibits   []string `json:"exhibits"` // exhibit labels (C-1, R-2) the evidence refers to
	Reasoning  string   `json:"reasoning"`
	Terms      string   `json:"terms"` // mediation: the terms the parties agreed
	Orders     []Order  `json:"orders"`
	Fee        Fee      `json:"fee"`
	Final      string   `json:"final"` // the statement of finality (fixed per kind)
	Judge      Judge    `json:"judge"`
	SignedAt   string   `json:"signed_at"` // UTC, RFC 3339, seconds
	Seal       string   `json:"seal"`
}

// Party is a party as the caption names it.
type Party struct {
	Name       string `json:"name"`
	CreditCode string `json:"credit_code,omitempty"` // merchants
}

// Order is one payment the document orders: Payer pays Payee Amount within
// DueDays days after service.
type Order struct {
	Payer   string    `json:"payer"`
	Payee   string    `json:"payee"`
	Amount  court.Fen `json:"amount"`
	DueDays int       `json:"due_days"`
	What    string    `json:"what"`
}

// Fee is the filing fee and who bears it, in fen.
type Fee struct {
	Amount     court.Fen `json:"amount"`
	BorneBy    string    `json:"borne_by"`
	Claimant   court.Fen `json:"claimant"`
	Respondent court.Fen `json:"respondent"`
}

// Judge is the signing judge's identity.
type Judge struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// FinalJudgment and FinalMediation are the statements each document
// carries, in the court's language.
const (
	FinalJudgment  = "本判决为终审判决。依照《中华人民共和国民事诉讼法》第一百六十五条，本案适用小额诉讼程序，实行一审终审。"
	FinalMediation = "上述协议，不违反法律规定，本院予以确认。本调解书经双方当事人签收后，即具有法律效力。"
)

// Canonical is the canonical form of d: JSON with the fields in the order
// of Document, no HTML escaping, no insignificant space, every string in
// Unicode NFC with LF line ends and no trailing blanks, and a final LF. The
// same document always gives the same bytes; its SHA-256 is the document's
// hash.
func Canonical(d Document) ([]byte, error) {
	d = normalized(d)
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(d); err != nil {
		return nil, err
	}
	return b.Bytes(), nil // Encode ends with "\n"
}

// Hash is the SHA-256 of d's canonical form.
func Hash(d Document) ([32]byte, []byte, error) {
	c, err := Canonical(d)
	if err != nil {
		return [32]byte{}, nil, err
	}
	return sha256.Sum256(c), c, nil
}

// ParseCanonical reads a canonical document and checks that it is in
// canonical form (encoding it again gives the same bytes).
func ParseCanonical(b []byte) (Document, error) {
	var d Document
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		return d, fmt.Errorf("canonical document: %w", err)
	}
	again, err := Canonical(d)
	if err != nil {
		return d, err
	}
	if !bytes.Equal(again, b) {
		return d, fmt.Errorf("document is not in canonical form")
	}
	if d.Format != Format {
		return d, fmt.Errorf("document format %q is not %q", d.Format, Format)
	}
	return d, nil
}

// text normalises one string of a document: NFC, LF line ends, no blanks at
// line ends or around the whole.
func text(s string) string {
	s = norm.NFC.String(s)
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

func normalized(d Document) Document {
	for _, p := range []*string{&d.Format, &d.Number, &d.Court, &d.DocketNo, &d.Claimant.Name, &d.Claimant.CreditCode,
		&d.Respondent.Name, &d.Respondent.CreditCode, &d.Claims, &d.Facts, &d.Evidence, &d.Reasoning, &d.Terms,
		&d.Final, &d.Judge.Name, &d.SignedAt, &d.Seal, &d.Fee.BorneBy} {
		*p = text(*p)
	}
	ex := make([]string, len(d.Exhibits))
	for i, e := range d.Exhibits {
		ex[i] = text(e)
	}
	d.Exhibits = ex
	os := make([]Order, len(d.Orders))
	for i, o := range d.Orders {
		o.Payer, o.Payee, o.What = text(o.Payer), text(o.Payee), text(o.What)
		os[i] = o
	}
	d.Orders = os
	return d
}

// Draft is what the judge writes: the parts of a document the case does not
// give. It is kept as JSON while the document is a draft.
type Draft struct {
	Claims    string   `json:"claims"`
	Facts     string   `json:"facts"`
	Evidence  string   `json:"evidence"`
	Exhibits  []string `json:"exhibits"`
	Reasoning string   `json:"reasoning"`
	Terms     string   `json:"terms"`
	Orders    []Order  `json:"orders"`
	FeeBorne  string   `json:"fee_borne"`
}

// Limits of a draft.
const (
	MaxText     = 20000 // characters of each free-text part
	MaxOrders   = 10
	MaxExhibits = 100
	MaxDueDays  = 90
	// MaxAmount bounds one order: ten times the largest claim the court
	// takes is far beyond any small claim.
	MaxAmount court.Fen = 100_000_000_00
)

var exhibitLabel = regexp.MustCompile(`^[A-Z]{1,2}-[0-9]{1,4}$`)

// Validate checks and normalises a draft for a document of kind: every
// text bounded, orders with known sides, positive amounts and deadlines,
// exhibit labels such as C-1. A judgment needs reasoning and at least one
// order or a statement of facts; that is checked at signing (Complete).
func (d *Draft) Validate(kind Kind) error {
	var v court.Validator
	d.Claims = v.Text("claims", d.Claims, 0, MaxText, true)
	d.Facts = v.Text("facts", d.Facts, 0, MaxText, true)
	d.Evidence = v.Text("evidence", d.Evidence, 0, MaxText, true)
	d.Reasoning = v.Text("reasoning", d.Reasoning, 0, MaxText, true)
	d.Terms = v.Text("terms", d.Terms, 0, MaxText, true)
	if v.Check(len(d.Exhibits) <= MaxExhibits, "exhibits", "ruling.err_too_many", "Max", MaxExhibits) {
		for i, e := range d.Exhibits {
			d.Exhibits[i] = strings.ToUpper(strings.TrimSpace(e))
			v.Check(exhibitLabel.MatchString(d.Exhibits[i]), "exhibits", "ruling.err_exhibit_label")
		}
	}
	switch d.FeeBorne {
	case FeeClaimant, FeeRespondent, FeeShared:
	default:
		v.Fail("fee_borne", "err.invalid_choice")
	}
	if v.Check(len(d.Orders) <= MaxOrders, "orders", "ruling.err_too_many", "Max", MaxOrders) {
		for i := range d.Orders {
			o := &d.Orders[i]
			f := fmt.Sprintf("orders.%d", i)
			v.Check(o.Payer == SideClaimant || o.Payer == SideRespondent, f+".payer", "err.invalid_choice")
			v.Check((o.Payee == SideClaimant || o.Payee == SideRespondent || o.Payee == SideCourt) && o.Payee != o.Payer,
				f+".payee", "err.invalid_choice")
			v.Check(o.Amount > 0 && o.Amount <= MaxAmount, f+".amount", "ruling.err_amount")
			v.Check(o.DueDays >= 1 && o.DueDays <= MaxDueDays, f+".due_days", "ruling.err_due_days", "Max", MaxDueDays)
			o.What = v.Text(f+".what", o.What, 0, 200, false)
		}
	}
	return v.Err()
}

// Complete checks that a valid draft says enough to be signed: a judgment
// its facts, reasoning and at least one order or an explicit dismissal in
// the reasoning; a mediation document its terms or orders.
func (d *Draft) Complete(kind Kind) error {
	var v court.Validator
	if kind == Judgment {
		v.Check(d.Facts != "", "facts", "err.required")
		v.Check(d.Reasoning != "", "reasoning", "err.required")
	} else {
		v.Check(d.Terms != "" || len(d.Orders) > 0, "terms", "err.required")
	}
	return v.Err()
}

// SplitFee divides a fee as borne: a shared fee in halves, the odd fen to
// the respondent.
func SplitFee(fee court.Fen, borne string) Fee {
	f := Fee{Amount: fee, BorneBy: borne}
	switch borne {
	case FeeClaimant:
		f.Claimant = fee
	case FeeShared:
		f.Claimant = fee / 2
		f.Respondent = fee - fee/2
	default:
		f.Respondent = fee
	}
	return f
}
