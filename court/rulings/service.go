package rulings

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/docket"
	"github.com/shangcheng-court/courtd/court/ledger"
	"github.com/shangcheng-court/courtd/court/storage"
)

// Docket entry and notice kinds of this part.
const (
	EntryRulingSigned    = "ruling_signed"
	EntryMediationSigned = "mediation_signed"
	NoticeRulingServed   = "ruling_served"
	NoticeMediation      = "mediation_served"
)

// DefaultDueDays is the payment period a new draft proposes: ten days after
// service, as small-claims judgments usually order.
const DefaultDueDays = 10

// Service drafts, signs, serves and verifies the court's documents.
type Service struct {
	DB      *storage.DB
	Key     *ledger.Key // signs documents; nil: nothing can be signed
	Profile court.Profile
	Font    *Font  // nil: no PDFs (the HTML documents are served)
	BaseURL string // the court's public address, for verification links
	Now     func() time.Time
}

// New returns the service. key may be nil (signing is then refused) and
// font too (no PDFs).
func New(db *storage.DB, key *ledger.Key, p court.Profile, font *Font, baseURL string) *Service {
	return &Service{DB: db, Key: key, Profile: p, Font: font, BaseURL: baseURL, Now: db.Now}
}

func isJudgeOf(u *court.User, c *court.Case) bool {
	return u.Role == court.RoleJudge && c.JudgeID != nil && *c.JudgeID == u.ID
}

// isParty reports whether u is on one side of c: the claimant, whoever
// filed for them, or the merchant's staff.
func isParty(u *court.User, c *court.Case) bool {
	switch u.Role {
	case court.RoleClaimant, court.RoleStationAgent:
		return c.ClaimantID == u.ID || c.FiledByID == u.ID
	case court.RoleMerchant:
		return u.OrganizationID != nil && *u.OrganizationID == c.OrgID
	}
	return false
}

// judgeCase returns case id if u is its assigned judge: ENOTFOUND for a
// case u may not see, EFORBIDDEN for anyone else who may.
func (s *Service) judgeCase(ctx context.Context, u *court.User, id int64) (*court.Case, error) {
	c, err := docket.VisibleCase(ctx, s.DB, u, id)
	if err != nil {
		return nil, err
	}
	if !isJudgeOf(u, c) {
		return nil, court.ErrForbidden()
	}
	return c, nil
}

// Editing is a draft as the judge edits it, with the document it makes.
type Editing struct {
	Case    *court.Case
	Draft   Draft
	Saved   *time.Time // when the draft was last saved; nil if never
	Signed  bool
	Preview Document
}

// rulingOpen reports whether a judgment may be drafted and signed in s.
func rulingOpen(s court.CaseStatus) bool { return s == court.CaseServed || s == court.CaseAnswered }

// Draft returns the judgment draft of case id for its judge: the stored
// one, or one filled from the case. Errors: ENOTFOUND, EFORBIDDEN for
// anyone but the judge.
func (s *Service) Draft(ctx context.Context, u *court.User, id int64) (*Editing, error) {
	c, err := s.judgeCase(ctx, u, id)
	if err != nil {
		return nil, err
	}
	e := &Editing{Case: c, Draft: Prefill(c)}
	r, err := s.DB.RulingOf(ctx, id, string(Judgment))
	switch {
	case court.ErrorCode(err) == court.ENOTFOUND:
	case err != nil:
		return nil, err
	default:
		if err := json.Unmarshal([]byte(r.Content), &e.Draft); err != nil {
			return nil, fmt.Errorf("ruling %d draft: %w", r.ID, err)
		}
		e.Saved, e.Signed = &r.UpdatedAt, r.Status == "signed"
	}
	if e.Preview, err = s.document(ctx, c, Judgment, e.Draft, u, s.Now()); err != nil {
		return nil, err
	}
	return e, nil
}

// Prefill is a new draft filled from the case: the claims as filed, the
// facts as the claimant told them (for the judge to rewrite as found), one
// order for the amount claimed within DefaultDueDays, and the fee on the
// respondent.
func Prefill(c *court.Case) Draft {
	claims := fmt.Sprintf("判令被告退还货款%s元", c.Refund.Yuan())
	if c.Compensation > 0 {
		claims += fmt.Sprintf("，赔偿%s元", c.Compensation.Yuan())
	}
	if c.Costs > 0 {
		claims += fmt.Sprintf("，支付其他费用%s元", c.Costs.Yuan())
	}
	claims += fmt.Sprintf("，合计%s元。", c.Total.Yuan())
	d := Draft{Claims: claims, Facts: c.Facts, Exhibits: []string{}, FeeBorne: FeeRespondent}
	if c.Total > 0 {
		d.Orders = []Order{{Payer: SideRespondent, Payee: SideClaimant, Amount: c.Total, DueDays: DefaultDueDays, What: "货款及赔偿"}}
	}
	return d
}

// SaveDraft stores the judge's draft of case id's judgment. Errors:
// ENOTFOUND, EFORBIDDEN for anyone but the judge, EINVALID with every field
// error, ECONFLICT when the case cannot be ruled on or the ruling is signed.
func (s *Service) SaveDraft(ctx context.Context, u *court.User, id int64, d Draft) (*Editing, error) {
	c, err := s.judgeCase(ctx, u, id)
	if err != nil {
		return nil, err
	}
	if !rulingOpen(c.Status) {
		return nil, court.Errorf(court.ECONFLICT, "ruling.err_state")
	}
	if err := d.Validate(Judgment); err != nil {
		return nil, err
	}
	b, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	if _, err := s.DB.SaveRulingDraft(ctx, id, string(Judgment), c.DocketNo, string(b), u.ID); err != nil {
		return nil, err
	}
	return s.Draft(ctx, u, id)
}

// document builds the document of kind for case c from draft d, signed by
// judge at t.
func (s *Service) document(ctx context.Context, c *court.Case, kind Kind, d Draft, judge *court.User, t time.Time) (Document, error) {
	names, err := s.DB.UserNames(ctx, []int64{c.ClaimantID})
	if err != nil {
		return Document{}, err
	}
	final := FinalJudgment
	if kind == Mediation {
		final = FinalMediation
	}
	doc := Document{
		Format: Format, Kind: kind, Number: c.DocketNo, Court: s.Profile.CourtName, CaseID: c.ID, DocketNo: c.DocketNo,
		Claimant:   Party{Name: names[c.ClaimantID]},
		Respondent: Party{Name: c.MerchantName, CreditCode: c.CreditCode},
		Claims:     d.Claims, Facts: d.Facts, Evidence: d.Evidence, Exhibits: append([]string{}, d.Exhibits...),
		Reasoning: d.Reasoning, Terms: d.Terms, Orders: append([]Order{}, d.Orders...),
		Fee:   SplitFee(c.Fee, d.FeeBorne),
		Final: final, Judge: Judge{ID: judge.ID, Name: judge.DisplayName},
		SignedAt: t.UTC().Truncate(time.Second).Format(time.RFC3339), Seal: s.Profile.CourtName,
	}
	return normalized(doc), nil
}

// Sign signs case id's judgment draft: canonical form, SHA-256, Ed25519
// signature with the judge's identity, a ledger leaf, the orders, the case
// ruled and both parties served, all in one transaction. Errors:
// ENOTFOUND, EFORBIDDEN for anyone but the judge, ECONFLICT without a draft,
// when signed already or when the case cannot be ruled on, EINVALID for a
// draft that lacks facts or reasoning.
func (s *Service) Sign(ctx context.Context, u *court.User, id int64) (*Signed, error) {
	c, err := s.judgeCase(ctx, u, id)
	if err != nil {
		return nil, err
	}
	r, err := s.DB.RulingOf(ctx, id, string(Judgment))
	if court.ErrorCode(err) == court.ENOTFOUND {
		return nil, court.Errorf(court.ECONFLICT, "ruling.err_no_draft")
	} else if err != nil {
		return nil, err
	}
	if r.Status != "draft" {
		return nil, court.Errorf(court.ECONFLICT, "ruling.err_signed")
	}
	to, err := court.Next(c.Status, court.ActRule)
	if err != nil {
		return nil, court.Errorf(court.ECONFLICT, "ruling.err_state")
	}
	var d Draft
	if err := json.Unmarshal([]byte(r.Content), &d); err != nil {
		return nil, fmt.Errorf("ruling %d draft: %w", r.ID, err)
	}
	if err := d.Complete(Judgment); err != nil {
		return nil, err
	}
	return s.sign(ctx, u, c, r, Judgment, d, to)
}

// sign signs draft r of case c and applies the case's move to status to.
func (s *Service) sign(ctx context.Context, u *court.User, c *court.Case, r *storage.Ruling, kind Kind, d Draft, to court.CaseStatus) (*Signed, error) {
	if s.Key == nil {
		return nil, court.Errorf(court.ECONFLICT, "ruling.err_no_key")
	}
	now := s.Now().UTC().Truncate(time.Second)
	doc, err := s.document(ctx, c, kind, d, u, now)
	if err != nil {
		return nil, err
	}
	rec, sum, err := Sign(doc, s.Key)
	if err != nil {
		return nil, err
	}
	content, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	orders := make([]storage.RulingOrder, len(doc.Orders))
	for i, o := range doc.Orders {
		orders[i] = storage.RulingOrder{Seq: i + 1, Payer: o.Payer, Payee: o.Payee, Amount: o.Amount, DueDays: o.DueDays,
			DueAt: court.EndOfDay(now, o.DueDays), What: o.What}
	}
	entry, notice := EntryRulingSigned, NoticeRulingServed
	if kind == Mediation {
		entry, notice = EntryMediationSigned, NoticeMediation
	}
	data := map[string]any{"DocketNo": c.DocketNo, "Number": doc.Number, "SHA256": rec.SHA256}
	notices, err := s.partyNotices(ctx, c, notice, data)
	if err != nil {
		return nil, err
	}
	aid := u.ID
	ch := storage.Change{From: c.Status, To: to,
		Entries: []storage.Entry{{ActorID: &aid, ActorRole: string(u.Role), Kind: entry, Public: true, Data: data}},
		Notify:  notices,
	}
	signed, err := s.DB.SignRuling(ctx, c.ID, storage.SignedRuling{ID: r.ID, Number: doc.Number, Content: string(content),
		Canonical: rec.Canonical, SHA256: sum, Signature: rec.Signature, KeyName: rec.Key, SignedAt: now, Orders: orders}, ch)
	if err != nil {
		return nil, err
	}
	out, err := s.signedView(ctx, signed)
	if err != nil {
		return nil, err
	}
	// The PDF is made now, while the font is at hand, and kept: every copy
	// is then the same bytes. A failure here does not undo the signing; the
	// PDF is made at the first request instead.
	if s.Font != nil {
		_, _ = s.pdfOf(ctx, out)
	}
	return out, nil
}

// partyNotices are the notices of service to the claimant (and whoever
// filed for them) and to each active staff member of the merchant.
func (s *Service) partyNotices(ctx context.Context, c *court.Case, kind string, data map[string]any) ([]storage.Notice, error) {
	id := c.ID
	ns := []storage.Notice{{UserID: c.ClaimantID, CaseID: &id, Kind: kind, Data: data}}
	if c.FiledByID != c.ClaimantID {
		ns = append(ns, storage.Notice{UserID: c.FiledByID, CaseID: &id, Kind: kind, Data: data})
	}
	staff, err := s.DB.ActiveStaff(ctx, c.OrgID)
	if err != nil {
		return nil, err
	}
	for _, sid := range staff {
		ns = append(ns, storage.Notice{UserID: sid, CaseID: &id, Kind: kind, Data: data})
	}
	return ns, nil
}

// Mediate makes and signs the mediation document of a settled case from the
// settlement the judge confirmed: the respondent pays the agreed amount
// within dueDays, on the agreed terms (and the judge's note, if any); the
// fee is borne as feeBorne. Errors: ENOTFOUND, EFORBIDDEN for anyone but
// the judge, ECONFLICT when the case is not settled, has no confirmed
// offer, or has its document already, EINVALID for a bad note or choice.
func (s *Service) Mediate(ctx context.Context, u *court.User, id int64, note, feeBorne string, dueDays int) (*Signed, error) {
	c, err := s.judgeCase(ctx, u, id)
	if err != nil {
		return nil, err
	}
	if c.Status != court.CaseSettled {
		return nil, court.Errorf(court.ECONFLICT, "ruling.err_not_settled")
	}
	offers, err := s.DB.Offers(ctx, id)
	if err != nil {
		return nil, err
	}
	var o *court.Offer
	for i := range offers {
		if offers[i].Status == court.OfferConfirmed {
			o = &offers[i]
			break
		}
	}
	if o == nil {
		return nil, court.Errorf(court.ECONFLICT, "ruling.err_not_settled")
	}
	if dueDays == 0 {
		dueDays = DefaultDueDays
	}
	if feeBorne == "" {
		feeBorne = FeeRespondent
	}
	terms := o.Terms
	if n := strings.TrimSpace(note); n != "" {
		terms += "\n" + n
	}
	d := Draft{Terms: terms, FeeBorne: feeBorne, Exhibits: []string{},
		Orders: []Order{{Payer: SideRespondent, Payee: SideClaimant, Amount: o.Amount, DueDays: dueDays, What: "和解款"}}}
	if err := d.Validate(Mediation); err != nil {
		return nil, err
	}
	b, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	r, err := s.DB.SaveRulingDraft(ctx, id, string(Mediation), c.DocketNo, string(b), u.ID)
	if err != nil {
		return nil, err
	}
	return s.sign(ctx, u, c, r, Mediation, d, c.Status)
}

// Signed is a signed document as it is shown: the row, the document, the
// record to check it offline, its orders and who has read it.
type Signed struct {
	Ruling    storage.Ruling
	Doc       Document
	Record    Record
	Orders    []storage.RulingOrder
	Views     []storage.RulingView
	VerifyURL string
	PDFSHA256 string // of the stored PDF, "" before one is made
}

func (s *Service) signedView(ctx context.Context, r *storage.Ruling) (*Signed, error) {
	if r.Status != "signed" || r.Canonical == nil || r.SHA256 == nil || r.Signature == nil || r.LeafIndex == nil {
		return nil, court.ErrNotFound()
	}
	doc, err := ParseCanonical([]byte(*r.Canonical))
	if err != nil {
		return nil, fmt.Errorf("ruling %d: %w", r.ID, err)
	}
	sum, _ := ParseSHA256(*r.SHA256)
	out := &Signed{Ruling: *r, Doc: doc, VerifyURL: VerifyURL(s.BaseURL, r.Number, sum),
		Record: Record{Number: r.Number, Canonical: *r.Canonical, SHA256: *r.SHA256, Signature: *r.Signature,
			LeafIndex: *r.LeafIndex}}
	if r.KeyName != nil {
		out.Record.Key = *r.KeyName
	}
	if out.Orders, err = s.DB.RulingOrders(ctx, r.ID); err != nil {
		return nil, err
	}
	if out.Views, err = s.DB.RulingViews(ctx, r.ID); err != nil {
		return nil, err
	}
	if out.PDFSHA256, err = s.DB.RulingPDFSum(ctx, r.ID); err != nil {
		return nil, err
	}
	return out, nil
}

// Get returns the signed document of case id (its judgment, else its
// mediation document) to whoever may see the case: the parties, the judge,
// the mediator, clerks and admins. A party's first view is recorded.
// Errors: ENOTFOUND for a case u may not see or one without a signed
// document.
func (s *Service) Get(ctx context.Context, u *court.User, id int64) (*Signed, error) {
	c, err := docket.VisibleCase(ctx, s.DB, u, id)
	if err != nil {
		return nil, err
	}
	rs, err := s.DB.RulingsOfCase(ctx, id)
	if err != nil {
		return nil, err
	}
	var r *storage.Ruling
	for i := range rs {
		if rs[i].Status == "signed" && (r == nil || rs[i].Kind == string(Judgment)) {
			r = &rs[i]
		}
	}
	if r == nil {
		return nil, court.ErrNotFound()
	}
	if isParty(u, c) {
		if _, err := s.DB.RecordRulingView(ctx, r.ID, u.ID); err != nil {
			return nil, err
		}
	}
	return s.signedView(ctx, r)
}

// List returns the documents of case id that u may see: signed ones for
// whoever may see the case, drafts for its judge too.
func (s *Service) List(ctx context.Context, u *court.User, id int64) ([]storage.Ruling, error) {
	c, err := docket.VisibleCase(ctx, s.DB, u, id)
	if err != nil {
		return nil, err
	}
	rs, err := s.DB.RulingsOfCase(ctx, id)
	if err != nil {
		return nil, err
	}
	out := []storage.Ruling{}
	for _, r := range rs {
		if r.Status == "signed" || isJudgeOf(u, c) {
			out = append(out, r)
		}
	}
	return out, nil
}

// PDF returns the PDF of case id's signed document (see Get). Without a
// font it is ENOTFOUND with a message saying the HTML document is there.
func (s *Service) PDF(ctx context.Context, u *court.User, id int64) ([]byte, *Signed, error) {
	sg, err := s.Get(ctx, u, id)
	if err != nil {
		return nil, nil, err
	}
	pdf, err := s.pdfOf(ctx, sg)
	return pdf, sg, err
}

func (s *Service) pdfOf(ctx context.Context, sg *Signed) ([]byte, error) {
	pdf, ok, err := s.DB.RulingPDF(ctx, sg.Ruling.ID)
	if err != nil || ok {
		return pdf, err
	}
	if s.Font == nil {
		return nil, court.Errorf(court.ENOTFOUND, "ruling.err_no_pdf")
	}
	pdf, err = PDF(sg.Doc, s.Font, sg.VerifyURL)
	if err != nil {
		return nil, err
	}
	pdf, err = s.DB.SaveRulingPDF(ctx, sg.Ruling.ID, pdf, sha256.Sum256(pdf))
	if err == nil {
		sum := sha256.Sum256(pdf)
		sg.PDFSHA256 = hex.EncodeToString(sum[:])
	}
	return pdf, err
}

// Result is the answer of a verification. It says genuine or not and why,
// and, only for a genuine copy, the number, kind and date: nothing about
// the parties.
type Result struct {
	Genuine  bool   `json:"genuine"`
	Reason   string `json:"reason,omitempty"` // see the Err... values; "" when genuine
	Number   string `json:"number"`
	Kind     Kind   `json:"kind,omitempty"`
	SignedAt string `json:"signed_at,omitempty"`
	Court    string `json:"court,omitempty"`
	SHA256   string `json:"sha256,omitempty"`  // the canonical hash, when genuine
	Matched  string `json:"matched,omitempty"` // "canonical" or "pdf": which hash the copy matched
}

// Verify checks a copy of document number: sum is the SHA-256 printed on
// it (of the canonical form) or of the PDF file. The stored signature is
// checked again with the court's key, so a row changed behind the
// database's back is not genuine either. number must be 1 to 100
// characters (EINVALID otherwise).
func (s *Service) Verify(ctx context.Context, number string, sum [32]byte) (*Result, error) {
	var v court.Validator
	number = v.Text("no", number, 1, 100, false)
	if err := v.Err(); err != nil {
		return nil, err
	}
	res := &Result{Number: number}
	r, err := s.DB.SignedRulingByNumber(ctx, number)
	if court.ErrorCode(err) == court.ENOTFOUND {
		res.Reason = ErrUnknownNumber.Error()
		return res, nil
	} else if err != nil {
		return nil, err
	}
	got := hex.EncodeToString(sum[:])
	pdfSum, err := s.DB.RulingPDFSum(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	switch {
	case r.SHA256 != nil && got == *r.SHA256:
		res.Matched = "canonical"
	case pdfSum != "" && got == pdfSum:
		res.Matched = "pdf"
	default:
		res.Reason = ErrDifferentCopy.Error()
		return res, nil
	}
	if s.Key == nil {
		return nil, errors.New("verify: no court key")
	}
	rec := Record{Number: r.Number, Canonical: deref(r.Canonical), SHA256: deref(r.SHA256), Signature: deref(r.Signature),
		Key: deref(r.KeyName)}
	doc, err := Verify(s.Key.VerifierKey(), rec)
	if err != nil {
		res.Reason, res.Matched = err.Error(), ""
		return res, nil
	}
	res.Genuine, res.Kind, res.SignedAt, res.Court, res.SHA256 = true, doc.Kind, doc.SignedAt, doc.Court, rec.SHA256
	return res, nil
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
