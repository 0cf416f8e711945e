// Package publication publishes signed rulings to the public without
// personal data (issue 6): the publishing job, sealing, and the public
// search and export over what was published. The text itself is cleaned by
// package anonymise. See docs/publication.md.
package publication

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/docket"
	"github.com/shangcheng-court/courtd/court/publication/anonymise"
	"github.com/shangcheng-court/courtd/court/rulings"
	"github.com/shangcheng-court/courtd/court/storage"
)

// EntrySealed is the docket entry of a seal; its text is the judge's reason.
const EntrySealed = "case_sealed"

// The outcomes a decision is filed under.
const (
	OutcomeUpheld    = "upheld"        // the claimant was awarded all it claimed
	OutcomePartly    = "partly_upheld" // some of it
	OutcomeDismissed = "dismissed"     // nothing
	OutcomeMediated  = "mediated"      // a mediation document
)

// Outcomes lists them in display order.
var Outcomes = []string{OutcomeUpheld, OutcomePartly, OutcomeDismissed, OutcomeMediated}

// Document is the published text of a signed document: the fields of
// rulings.Document with every natural person masked and every identifier
// removed. It is stored as JSON when published and never changes.
type Document struct {
	Court      string          `json:"court"`
	Title      string          `json:"title"` // 民事判决书, 民事调解书
	Claimant   string          `json:"claimant"`
	Respondent string          `json:"respondent"`
	CreditCode string          `json:"credit_code"`
	Claims     string          `json:"claims"`
	Facts      string          `json:"facts"`
	Evidence   string          `json:"evidence"`
	Exhibits   []string        `json:"exhibits"`
	Reasoning  string          `json:"reasoning"`
	Terms      string          `json:"terms,omitempty"`
	Orders     []rulings.Order `json:"orders"`
	Fee        rulings.Fee     `json:"fee"`
	Final      string          `json:"final"`
	Judge      string          `json:"judge"`
	Date       string          `json:"date"` // the day of signing, YYYY-MM-DD in the court's zone
}

// Decision is a published document with what it is filed under.
type Decision struct {
	ID          int64     `json:"id"`
	Number      string    `json:"number"`
	Kind        string    `json:"kind"`
	Category    string    `json:"category"`
	Year        int       `json:"year"`
	Outcome     string    `json:"outcome"`
	SHA256      string    `json:"sha256"` // of the stored JSON of Document
	PublishedAt time.Time `json:"published_at"`
	Document    Document  `json:"document"`
}

// ResidentIDs opens the stored (encrypted) resident ID numbers, so that
// the anonymiser can remove a party's number however it was written.
// accounts.Keys is one.
type ResidentIDs interface {
	OpenResidentID(sealed []byte) (string, error)
}

// Service publishes signed documents and answers the public's searches.
type Service struct {
	DB  *storage.DB
	IDs ResidentIDs // nil: known numbers are not opened (patterns still remove them)
	Log *slog.Logger
	Now func() time.Time
}

// New returns the service.
func New(db *storage.DB, ids ResidentIDs, log *slog.Logger) *Service {
	if log == nil {
		log = slog.Default()
	}
	return &Service{DB: db, IDs: ids, Log: log, Now: db.Now}
}

// PublishPending publishes every signed document that is not published
// yet and whose case is not sealed. It returns how many it published; a
// document that fails is skipped (and tried again next time) and its error
// returned after the others.
func (s *Service) PublishPending(ctx context.Context) (int, error) {
	n := 0
	var errs []error
	failed := map[int64]bool{}
	for {
		rs, err := s.DB.Unpublished(ctx, 100+len(failed))
		if err != nil {
			return n, err
		}
		progress := false
		for _, r := range rs {
			if failed[r.ID] {
				continue
			}
			ok, err := s.publish(ctx, &r)
			if err != nil {
				failed[r.ID] = true
				errs = append(errs, fmt.Errorf("ruling %d: %w", r.ID, err))
				continue
			}
			progress = true
			if ok {
				n++
			}
		}
		if !progress {
			return n, errors.Join(errs...)
		}
	}
}

// publish anonymises and stores signed document r.
func (s *Service) publish(ctx context.Context, r *storage.Ruling) (bool, error) {
	if r.Canonical == nil || r.SHA256 == nil || r.SignedAt == nil {
		return false, fmt.Errorf("not signed")
	}
	doc, err := rulings.ParseCanonical([]byte(*r.Canonical))
	if err != nil {
		return false, err
	}
	c, err := s.DB.CaseByID(ctx, r.CaseID)
	if err != nil {
		return false, err
	}
	people, err := s.DB.CasePeople(ctx, r.CaseID)
	if err != nil {
		return false, err
	}
	k := s.known(doc, c, people)
	pub := Anonymous(doc, k)
	body, err := json.Marshal(pub)
	if err != nil {
		return false, err
	}
	p := storage.Publication{RulingID: r.ID, CaseID: c.ID, Number: doc.Number, Kind: string(doc.Kind),
		Category: string(c.Category), Year: r.SignedAt.In(court.Zone).Year(), Outcome: outcome(doc, c),
		Body: string(body), PublishedAt: s.Now().UTC()}
	_, ok, err := s.DB.Publish(ctx, p, searchText(doc.Number, pub))
	return ok, err
}

// known gathers what must go from a case's documents: every person's name
// and identifiers, the order reference; and what must stay: the merchant,
// the court and the numbers.
func (s *Service) known(doc rulings.Document, c *court.Case, people []storage.Person) anonymise.Known {
	k := anonymise.Known{
		Names:       []string{doc.Claimant.Name},
		Identifiers: []string{c.OrderRef},
		Keep: []string{doc.Respondent.Name, doc.Respondent.CreditCode, c.MerchantName, c.CreditCode, doc.Number,
			doc.DocketNo, doc.Court, doc.Seal},
	}
	for _, p := range people {
		k.Names = append(k.Names, p.Name)
		k.Identifiers = append(k.Identifiers, p.Mobile, p.Email, p.ResidentMasked)
		if s.IDs != nil && len(p.ResidentEnc) > 0 {
			if id, err := s.IDs.OpenResidentID(p.ResidentEnc); err == nil {
				k.Identifiers = append(k.Identifiers, id)
			} else {
				s.Log.Warn("publication: a resident ID could not be opened", "user", p.ID, "err", err)
			}
		}
	}
	return k
}

// Anonymous is the published form of doc: every text field anonymised with
// k, the claimant's name masked; the merchant, the court, the amounts and
// the judge stay.
func Anonymous(doc rulings.Document, k anonymise.Known) Document {
	a := func(s string) string { return anonymise.Text(s, k) }
	title := "民事判决书"
	if doc.Kind == rulings.Mediation {
		title = "民事调解书"
	}
	date := doc.SignedAt
	if t, err := time.Parse(time.RFC3339, doc.SignedAt); err == nil {
		date = t.In(court.Zone).Format("2006-01-02")
	}
	orders := make([]rulings.Order, len(doc.Orders))
	for i, o := range doc.Orders {
		o.What = a(o.What)
		orders[i] = o
	}
	exhibits := append([]string{}, doc.Exhibits...)
	return Document{
		Court: doc.Court, Title: title, Claimant: anonymise.MaskName(doc.Claimant.Name), Respondent: doc.Respondent.Name,
		CreditCode: doc.Respondent.CreditCode, Claims: a(doc.Claims), Facts: a(doc.Facts), Evidence: a(doc.Evidence),
		Exhibits: exhibits, Reasoning: a(doc.Reasoning), Terms: a(doc.Terms), Orders: orders, Fee: doc.Fee,
		Final: doc.Final, Judge: doc.Judge.Name, Date: date,
	}
}

// searchText is what the full-text index holds of a published document:
// its published text only, never anything of the case.
func searchText(number string, d Document) string {
	parts := []string{number, d.Court, d.Title, d.Claimant, d.Respondent, d.CreditCode, d.Claims, d.Facts, d.Evidence,
		d.Reasoning, d.Terms, d.Final, d.Judge}
	for _, o := range d.Orders {
		parts = append(parts, o.What)
	}
	return strings.Join(parts, "\n")
}

// outcome files a document: a mediation is mediated; a judgment upheld
// when the respondent is ordered to pay the claimant at least what was
// claimed, partly when something, dismissed when nothing.
func outcome(doc rulings.Document, c *court.Case) string {
	if doc.Kind == rulings.Mediation {
		return OutcomeMediated
	}
	var awarded court.Fen
	for _, o := range doc.Orders {
		if o.Payer == rulings.SideRespondent && o.Payee == rulings.SideClaimant {
			awarded += o.Amount
		}
	}
	switch {
	case awarded <= 0:
		return OutcomeDismissed
	case awarded >= c.Total:
		return OutcomeUpheld
	}
	return OutcomePartly
}

// Seal seals case id: nothing of it is published from now on, and what was
// is withdrawn. Only the case's judge seals, giving a reason (2 to 500
// characters) that goes on the docket. Errors: ENOTFOUND for a case u may
// not see, EFORBIDDEN for anyone else but its judge, EINVALID for the
// reason, ECONFLICT when sealed already.
func (s *Service) Seal(ctx context.Context, u *court.User, id int64, reason string) (*storage.Seal, error) {
	c, err := s.DB.CaseByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !docket.CanSee(u, c) {
		return nil, court.ErrNotFound()
	}
	if u.Role != court.RoleJudge || c.JudgeID == nil || *c.JudgeID != u.ID {
		return nil, court.ErrForbidden()
	}
	var v court.Validator
	reason = v.Text("reason", reason, 2, 500, true)
	if err := v.Err(); err != nil {
		return nil, err
	}
	uid := u.ID
	seal := storage.Seal{CaseID: c.ID, Reason: reason, JudgeID: u.ID, SealedAt: s.Now().UTC()}
	ch := storage.Change{From: c.Status, To: c.Status, Entries: []storage.Entry{{ActorID: &uid, ActorRole: string(u.Role),
		Kind: EntrySealed, Public: true, Text: reason}}}
	if err := s.DB.SealCase(ctx, seal, ch); err != nil {
		return nil, err
	}
	return &seal, nil
}

// Query is a public search.
type Query struct {
	Text     string
	Category string
	Year     int
	Outcome  string
	Offset   int
	Limit    int
}

// MaxOffset bounds paging: the public search is for finding decisions, not
// for walking all of them (the export does that, by cursor).
const MaxOffset = 10000

// Validate checks a query from outside: bounded text, known category and
// outcome, a plausible year, bounded paging. Errors: EINVALID per field.
func (q *Query) Validate() error {
	var v court.Validator
	q.Text = strings.TrimSpace(q.Text)
	if utf8.RuneCountInString(q.Text) > docket.MaxSearchText {
		v.Fail("q", "err.text_too_long", "Max", docket.MaxSearchText)
	}
	v.Check(q.Category == "" || court.Category(q.Category).Valid(), "category", "err.category")
	v.Check(q.Year == 0 || 2000 <= q.Year && q.Year <= 2200, "year", "publication.err_year")
	v.Check(q.Outcome == "" || validOutcome(q.Outcome), "outcome", "publication.err_outcome")
	v.Check(0 <= q.Offset && q.Offset <= MaxOffset, "offset", "publication.err_offset", "Max", MaxOffset)
	return v.Err()
}

func validOutcome(o string) bool {
	for _, x := range Outcomes {
		if o == x {
			return true
		}
	}
	return false
}

// Search returns a page of published decisions matching q, newest first,
// and whether more follow. Errors: EINVALID for a bad query.
func (s *Service) Search(ctx context.Context, q Query) ([]Decision, bool, error) {
	if err := q.Validate(); err != nil {
		return nil, false, err
	}
	if q.Limit <= 0 || q.Limit > 100 {
		q.Limit = 20
	}
	ps, err := s.DB.Publications(ctx, storage.PublicationFilter{Query: q.Text, Category: q.Category, Year: q.Year,
		Outcome: q.Outcome, Offset: q.Offset, Limit: q.Limit + 1})
	if err != nil {
		return nil, false, err
	}
	more := len(ps) > q.Limit
	if more {
		ps = ps[:q.Limit]
	}
	ds, err := decisions(ps)
	return ds, more, err
}

// Get returns published decision id (ENOTFOUND if none is visible).
func (s *Service) Get(ctx context.Context, id int64) (*Decision, error) {
	p, err := s.DB.PublicationByID(ctx, id)
	if err != nil {
		return nil, err
	}
	d, err := decision(*p)
	return &d, err
}

// MaxExport is the most decisions one page of the export holds.
const MaxExport = 500

// Export returns up to limit visible decisions after id after, in id
// order (the caller's cursor is the last id it got).
func (s *Service) Export(ctx context.Context, after int64, limit int) ([]Decision, error) {
	if limit <= 0 || limit > MaxExport {
		limit = MaxExport
	}
	ps, err := s.DB.Publications(ctx, storage.PublicationFilter{Ascending: true, AfterID: max(after, 0), Limit: limit})
	if err != nil {
		return nil, err
	}
	return decisions(ps)
}

func decisions(ps []storage.Publication) ([]Decision, error) {
	out := make([]Decision, len(ps))
	for i, p := range ps {
		var err error
		if out[i], err = decision(p); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func decision(p storage.Publication) (Decision, error) {
	d := Decision{ID: p.ID, Number: p.Number, Kind: p.Kind, Category: p.Category, Year: p.Year, Outcome: p.Outcome,
		SHA256: p.SHA256, PublishedAt: p.PublishedAt}
	if err := json.Unmarshal([]byte(p.Body), &d.Document); err != nil {
		return d, fmt.Errorf("publication %d: %w", p.ID, err)
	}
	return d, nil
}
