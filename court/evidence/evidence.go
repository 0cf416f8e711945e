// Package evidence keeps the exhibits of cases: files streamed to a
// content-addressed blob store while hashed, typed by their content,
// numbered per side, answered by the other side and ruled on by the judge,
// each recorded on the docket and as a leaf of the court's ledger.
package evidence

import (
	"context"
	"encoding/hex"
	"io"
	"os"
	"path"
	"strings"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/docket"
	"github.com/shangcheng-court/courtd/court/ledger"
	"github.com/shangcheng-court/courtd/court/storage"
)

// DefaultMaxSize is the largest exhibit accepted unless configured: 1 GiB.
const DefaultMaxSize int64 = 1 << 30

// Sides of a case an exhibit comes from: the claimant's (C-1, C-2...), the
// respondent merchant's (R-1...) and the court's own (J-1...: a clerk, the
// assigned judge or mediator putting something on file).
const (
	SideClaimant   = "C"
	SideRespondent = "R"
	SideCourt      = "J"
)

// Responses and rulings.
const (
	Acknowledge = "acknowledge"
	Object      = "object"
	Admit       = "admit"
	Exclude     = "exclude"
)

// Docket entry kinds. Each has a message "docket.<kind>" in the catalogs.
const (
	EntryFiled        = "exhibit_filed"
	EntryAcknowledged = "exhibit_acknowledged"
	EntryObjected     = "exhibit_objected"
	EntryAdmitted     = "exhibit_admitted"
	EntryExcluded     = "exhibit_excluded"
)

// Limits of the texts that come with an exhibit.
const (
	MaxTitle       = 200
	MaxDescription = 2000
	MaxName        = 255
	MaxReason      = 1000
)

// Service is the exhibits service.
type Service struct {
	DB      *storage.DB
	Blobs   *Store
	MaxSize int64
	// Prover fills in the ledger part of receipts; without one, receipts
	// are not available.
	Prover ledger.Prover
}

// New returns the service over a blob store; max <= 0 means DefaultMaxSize.
func New(db *storage.DB, blobs *Store, max int64) *Service {
	if max <= 0 {
		max = DefaultMaxSize
	}
	return &Service{DB: db, Blobs: blobs, MaxSize: max}
}

// Sweep removes what interrupted uploads and crashes left in the blob store
// (see Store.Sweep). Call it at start, before serving.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	return s.Blobs.Sweep(ctx, s.DB.BlobInUse)
}

// open reports whether a case still takes exhibits and responses.
func open(st court.CaseStatus) bool {
	switch st {
	case court.CaseDraft, court.CaseSubmitted, court.CaseReturned, court.CaseServed, court.CaseAnswered:
		return true
	}
	return false
}

// TakesUploads reports whether a case takes new exhibits: an open case, and
// also a ruled or settled one, whose parties still prove payments (the
// proof of a payment is an exhibit) until the case is closed.
func TakesUploads(st court.CaseStatus) bool {
	return open(st) || st == court.CaseRuled || st == court.CaseSettled
}

// SideOf is the side u takes on c: C for the claimant (or whoever filed for
// them), R for the merchant's staff, J for the court staff on the case
// (clerks, the assigned judge and mediator); "" for anyone else (admins).
// It assumes docket.CanSee(u, c).
func SideOf(u *court.User, c *court.Case) string {
	switch u.Role {
	case court.RoleClaimant, court.RoleStationAgent:
		return SideClaimant
	case court.RoleMerchant:
		return SideRespondent
	case court.RoleClerk, court.RoleJudge, court.RoleMediator:
		return SideCourt
	}
	return ""
}

// Target is a case an upload goes to, checked before the body is read.
type Target struct {
	Case *court.Case
	Side string
	User *court.User
}

// Begin checks that u may add an exhibit to case id, before any of the file
// is read. Errors: ENOTFOUND for a case u may not see, EFORBIDDEN for a
// viewer with no side (an admin), ECONFLICT for a case that has ended.
func (s *Service) Begin(ctx context.Context, u *court.User, id int64) (*Target, error) {
	c, err := docket.VisibleCase(ctx, s.DB, u, id)
	if err != nil {
		return nil, err
	}
	side := SideOf(u, c)
	if side == "" {
		return nil, court.ErrForbidden()
	}
	if !TakesUploads(c.Status) {
		return nil, court.Errorf(court.ECONFLICT, "err.exhibit_case_closed")
	}
	return &Target{Case: c, Side: side, User: u}, nil
}

// Ingest streams an upload's file to a temp file while hashing and typing
// it (see Store.Ingest); declared is its announced length, or -1.
func (s *Service) Ingest(r io.Reader, declared int64) (*Pending, error) {
	return s.Blobs.Ingest(r, s.MaxSize, declared)
}

// Meta is what a person says about an exhibit: a title, a description and
// the file's name as they had it (display text only: the file is stored
// under its hash).
type Meta struct {
	Title       string
	Description string
	FileName    string
}

// Validate checks and normalises m: the name loses nothing silently, a name
// with a path, a NUL or another control character is refused; the title
// defaults to the name.
func (m *Meta) Validate() error {
	var v court.Validator
	name := m.FileName
	if strings.ContainsAny(name, `/\`) || name == "." || name == ".." {
		v.Fail("file_name", "err.exhibit_name_path")
	} else {
		name = v.Text("file_name", name, 0, MaxName, false)
	}
	if !v.Has("file_name") {
		m.FileName = name
	}
	if strings.TrimSpace(m.Title) == "" && m.FileName != "" && !v.Has("file_name") {
		m.Title = strings.TrimSuffix(m.FileName, path.Ext(m.FileName))
		if m.Title == "" {
			m.Title = m.FileName
		}
	}
	m.Title = v.Text("title", m.Title, 1, MaxTitle, false)
	m.Description = v.Text("description", m.Description, 0, MaxDescription, true)
	return v.Err()
}

// Finish records an ingested upload as the next exhibit of t's side: the
// blob is put in place durably, then the row, its ledger leaf and its
// docket entry commit in one transaction. The upload is discarded on any
// error.
func (s *Service) Finish(ctx context.Context, t *Target, p *Pending, m Meta) (*storage.Exhibit, error) {
	if err := m.Validate(); err != nil {
		p.Discard()
		return nil, err
	}
	var sum [32]byte
	if _, err := hex.Decode(sum[:], []byte(p.SHA256)); err != nil {
		p.Discard()
		return nil, err
	}
	caseID, size := t.Case.ID, p.Size
	aid, role := t.User.ID, string(t.User.Role)
	ne := storage.NewExhibit{
		CaseID: caseID, Side: t.Side, Title: m.Title, Description: m.Description, DisplayName: m.FileName,
		MIME: p.MIME, Size: size, SHA256: p.SHA256, UploadedBy: t.User.ID,
		Leaf: func(id int64) []byte { return ledger.ExhibitLeaf(caseID, id, sum, size) },
		Entry: storage.Entry{ActorID: &aid, ActorRole: role, Kind: EntryFiled, Public: true,
			Data: map[string]any{"SHA256": p.SHA256, "Size": FormatSize(size)}},
	}
	var e *storage.Exhibit
	err := s.Blobs.Commit(ctx, p, func() error {
		var err error
		e, err = s.DB.CreateExhibit(ctx, ne)
		return err
	}, s.DB.BlobInUse)
	if err != nil {
		return nil, err
	}
	return e, nil
}

// List returns the exhibits of a case u may see.
func (s *Service) List(ctx context.Context, u *court.User, caseID int64) ([]storage.Exhibit, error) {
	if _, err := docket.VisibleCase(ctx, s.DB, u, caseID); err != nil {
		return nil, err
	}
	return s.DB.Exhibits(ctx, caseID)
}

// Get returns one exhibit of a case u may see, with the case.
func (s *Service) Get(ctx context.Context, u *court.User, caseID, id int64) (*storage.Exhibit, *court.Case, error) {
	c, err := docket.VisibleCase(ctx, s.DB, u, caseID)
	if err != nil {
		return nil, nil, err
	}
	e, err := s.DB.ExhibitByID(ctx, caseID, id)
	if err != nil {
		return nil, nil, err
	}
	return e, c, nil
}

// Open returns an exhibit u may see and its file, opened for reading; the
// caller closes it.
func (s *Service) Open(ctx context.Context, u *court.User, caseID, id int64) (*storage.Exhibit, *os.File, error) {
	e, _, err := s.Get(ctx, u, caseID, id)
	if err != nil {
		return nil, nil, err
	}
	f, err := s.Blobs.Open(e.SHA256)
	if err != nil {
		return nil, nil, err
	}
	return e, f, nil
}

// Receipt returns the ledger receipt of an exhibit u may see: its hash, its
// leaf, an inclusion proof and the signed checkpoint it is proven against.
func (s *Service) Receipt(ctx context.Context, u *court.User, caseID, id int64) (*ledger.Receipt, error) {
	e, c, err := s.Get(ctx, u, caseID, id)
	if err != nil {
		return nil, err
	}
	if s.Prover == nil || e.LeafIndex < 0 {
		return nil, court.Errorf(court.ECONFLICT, "err.receipt_unavailable")
	}
	r := &ledger.Receipt{Format: ledger.ReceiptFormat, CaseID: c.ID, DocketNo: c.DocketNo, ExhibitID: e.ID,
		ExhibitLabel: e.Label, ExhibitSHA256: e.SHA256, ExhibitSize: e.Size, LeafIndex: e.LeafIndex}
	if err := s.Prover.Prove(ctx, e.LeafIndex, r); err != nil {
		return nil, err
	}
	return r, nil
}

// Respond records u's side's response to an exhibit of the other side (a
// court exhibit is answered by each party): acknowledge, or object with a
// reason. Errors: ENOTFOUND as Get; EFORBIDDEN for court staff and for the
// exhibit's own side; EINVALID for a bad choice or missing reason;
// ECONFLICT when this side answered already or the case has ended.
func (s *Service) Respond(ctx context.Context, u *court.User, caseID, id int64, kind, reason string) (*storage.Exhibit, error) {
	e, c, err := s.Get(ctx, u, caseID, id)
	if err != nil {
		return nil, err
	}
	side := SideOf(u, c)
	if (side != SideClaimant && side != SideRespondent) || side == e.Side {
		return nil, court.ErrForbidden()
	}
	var v court.Validator
	switch kind {
	case Acknowledge:
		reason = v.Text("reason", reason, 0, MaxReason, true)
	case Object:
		reason = v.Text("reason", reason, 2, MaxReason, true)
	default:
		v.Fail("response", "err.invalid_choice")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if !open(c.Status) {
		return nil, court.Errorf(court.ECONFLICT, "err.exhibit_case_closed")
	}
	entry := EntryAcknowledged
	if kind == Object {
		entry = EntryObjected
	}
	aid := u.ID
	err = s.DB.RespondExhibit(ctx, storage.ExhibitResponse{ExhibitID: e.ID, Side: side, Kind: kind, Reason: reason, ByUser: u.ID},
		caseID, storage.Entry{ActorID: &aid, ActorRole: string(u.Role), Kind: entry, Public: true, Text: reason,
			Data: map[string]any{"Label": e.Label, "Title": e.Title}})
	if err != nil {
		return nil, err
	}
	return s.DB.ExhibitByID(ctx, caseID, id)
}

// Rule records the assigned judge's ruling on an exhibit: admit, or exclude
// with a reason. Errors: ENOTFOUND as Get; EFORBIDDEN for anyone but the
// assigned judge; EINVALID; ECONFLICT when ruled already or the case has
// ended.
func (s *Service) Rule(ctx context.Context, u *court.User, caseID, id int64, ruling, reason string) (*storage.Exhibit, error) {
	e, c, err := s.Get(ctx, u, caseID, id)
	if err != nil {
		return nil, err
	}
	if u.Role != court.RoleJudge || c.JudgeID == nil || *c.JudgeID != u.ID {
		return nil, court.ErrForbidden()
	}
	var v court.Validator
	switch ruling {
	case Admit:
		reason = v.Text("reason", reason, 0, MaxReason, true)
	case Exclude:
		reason = v.Text("reason", reason, 2, MaxReason, true)
	default:
		v.Fail("ruling", "err.invalid_choice")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if !open(c.Status) {
		return nil, court.Errorf(court.ECONFLICT, "err.exhibit_case_closed")
	}
	entry := EntryAdmitted
	if ruling == Exclude {
		entry = EntryExcluded
	}
	aid := u.ID
	err = s.DB.RuleExhibit(ctx, storage.ExhibitRuling{ExhibitID: e.ID, Ruling: ruling, Reason: reason, ByUser: u.ID},
		caseID, storage.Entry{ActorID: &aid, ActorRole: string(u.Role), Kind: entry, Public: true, Text: reason,
			Data: map[string]any{"Label": e.Label, "Title": e.Title}})
	if err != nil {
		return nil, err
	}
	return s.DB.ExhibitByID(ctx, caseID, id)
}
