package storage

import (
	"context"
	"strconv"
	"time"

	"github.com/shangcheng-court/courtd/court"
)

// Exhibit is one evidence file of a case, with the other side's responses
// and the judge's ruling.
type Exhibit struct {
	ID          int64     `db:"id" json:"id"`
	CaseID      int64     `db:"case_id" json:"case_id"`
	Side        string    `db:"side" json:"side"` // C, R or J
	Number      int       `db:"number" json:"number"`
	Label       string    `db:"label" json:"label"` // C-1, R-2, J-1
	Title       string    `db:"title" json:"title"`
	Description string    `db:"description" json:"description"`
	DisplayName string    `db:"display_name" json:"display_name"`
	MIME        string    `db:"mime" json:"mime"`
	Size        int64     `db:"size" json:"size"`
	SHA256      string    `db:"sha256" json:"sha256"`
	LeafIndex   int64     `db:"leaf_index" json:"leaf_index"`
	UploadedBy  int64     `db:"uploaded_by" json:"uploaded_by"`
	CreatedAt   time.Time `db:"created_at" json:"created_at"`

	Responses []ExhibitResponse `db:"-" json:"responses"`
	Ruling    *ExhibitRuling    `db:"-" json:"ruling,omitempty"`
}

// ExhibitResponse is one side's answer to an exhibit: acknowledge or object
// (with a reason).
type ExhibitResponse struct {
	ExhibitID int64     `db:"exhibit_id" json:"-"`
	Side      string    `db:"side" json:"side"`
	Kind      string    `db:"kind" json:"kind"`
	Reason    string    `db:"reason" json:"reason,omitempty"`
	ByUser    int64     `db:"by_user" json:"by_user"`
	CreatedAt time.Time `db:"created_at" json:"created_at"`
}

// ExhibitRuling is the judge's decision on an exhibit: admit or exclude.
type ExhibitRuling struct {
	ExhibitID int64     `db:"exhibit_id" json:"-"`
	Ruling    string    `db:"ruling" json:"ruling"`
	Reason    string    `db:"reason" json:"reason,omitempty"`
	ByUser    int64     `db:"by_user" json:"by_user"`
	CreatedAt time.Time `db:"created_at" json:"created_at"`
}

// NewExhibit is an exhibit to record. Leaf returns the ledger leaf data of
// the exhibit once its id is known; Entry is its docket entry.
type NewExhibit struct {
	CaseID      int64
	Side        string
	Title       string
	Description string
	DisplayName string
	MIME        string
	Size        int64
	SHA256      string
	UploadedBy  int64
	Leaf        func(exhibitID int64) []byte
	Entry       Entry
}

const exhibitColumns = `id, case_id, side, number, label, title, description, display_name, mime, size, sha256,
	leaf_index, uploaded_by, created_at`

// CreateExhibit records an exhibit in one transaction: its number on its
// side, its ledger leaf, the row and its docket entry. Its blob must be
// durable before this is called.
func (db *DB) CreateExhibit(ctx context.Context, ne NewExhibit) (*Exhibit, error) {
	now := db.Now()
	e := &Exhibit{CaseID: ne.CaseID, Side: ne.Side, Title: ne.Title, Description: ne.Description,
		DisplayName: ne.DisplayName, MIME: ne.MIME, Size: ne.Size, SHA256: ne.SHA256, UploadedBy: ne.UploadedBy,
		CreatedAt: now, Responses: []ExhibitResponse{}}
	err := db.inTx(ctx, func(tx *wtx) error {
		// The write transaction holds the database's write lock from its
		// start (BEGIN IMMEDIATE), so the next id and number are ours:
		// the id is taken here because the ledger leaf names it, and the
		// row, once written, never changes.
		if err := txGet(ctx, tx, &e.ID, `SELECT COALESCE(MAX(id), 0) + 1 FROM exhibits`); err != nil {
			return err
		}
		if err := txGet(ctx, tx, &e.Number, `SELECT COALESCE(MAX(number), 0) + 1 FROM exhibits WHERE case_id = ? AND side = ?`,
			ne.CaseID, ne.Side); err != nil {
			return err
		}
		e.Label = ne.Side + "-" + strconv.Itoa(e.Number)
		idx, err := appendLeaf(ctx, tx, ne.Leaf(e.ID))
		if err != nil {
			return err
		}
		e.LeafIndex = idx
		if _, err := txExec(ctx, tx, `INSERT INTO exhibits (`+exhibitColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			e.ID, e.CaseID, e.Side, e.Number, e.Label, e.Title, e.Description, e.DisplayName, e.MIME, e.Size, e.SHA256,
			e.LeafIndex, e.UploadedBy, e.CreatedAt); err != nil {
			return err
		}
		entry := ne.Entry
		entry.Data = withExhibit(entry.Data, e)
		return appendEntry(ctx, tx, e.CaseID, entry, now)
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// withExhibit adds the exhibit's label and title to a docket entry's data.
func withExhibit(data map[string]any, e *Exhibit) map[string]any {
	out := map[string]any{"Label": e.Label, "Title": e.Title}
	for k, v := range data {
		out[k] = v
	}
	return out
}

// Exhibits returns a case's exhibits in the order they were filed, with
// their responses and rulings.
func (db *DB) Exhibits(ctx context.Context, caseID int64) ([]Exhibit, error) {
	list := []Exhibit{}
	if err := db.sel(ctx, &list, `SELECT `+exhibitColumns+` FROM exhibits WHERE case_id = ? ORDER BY id`, caseID); err != nil {
		return nil, err
	}
	var resp []ExhibitResponse
	if err := db.sel(ctx, &resp, `SELECT r.exhibit_id, r.side, r.kind, r.reason, r.by_user, r.created_at
		FROM exhibit_responses r JOIN exhibits e ON e.id = r.exhibit_id WHERE e.case_id = ? ORDER BY r.id`, caseID); err != nil {
		return nil, err
	}
	var rulings []ExhibitRuling
	if err := db.sel(ctx, &rulings, `SELECT r.exhibit_id, r.ruling, r.reason, r.by_user, r.created_at
		FROM exhibit_rulings r JOIN exhibits e ON e.id = r.exhibit_id WHERE e.case_id = ?`, caseID); err != nil {
		return nil, err
	}
	at := make(map[int64]*Exhibit, len(list))
	for i := range list {
		list[i].Responses = []ExhibitResponse{}
		at[list[i].ID] = &list[i]
	}
	for _, r := range resp {
		if e := at[r.ExhibitID]; e != nil {
			e.Responses = append(e.Responses, r)
		}
	}
	for i := range rulings {
		if e := at[rulings[i].ExhibitID]; e != nil {
			e.Ruling = &rulings[i]
		}
	}
	return list, nil
}

// ExhibitByID returns exhibit id of case caseID; an exhibit of another case
// is ENOTFOUND.
func (db *DB) ExhibitByID(ctx context.Context, caseID, id int64) (*Exhibit, error) {
	list, err := db.Exhibits(ctx, caseID)
	if err != nil {
		return nil, err
	}
	for i := range list {
		if list[i].ID == id {
			return &list[i], nil
		}
	}
	return nil, court.ErrNotFound()
}

// RespondExhibit records a side's response to an exhibit with its docket
// entry. A second response of the same side is ECONFLICT.
func (db *DB) RespondExhibit(ctx context.Context, r ExhibitResponse, caseID int64, entry Entry) error {
	now := db.Now()
	return db.inTx(ctx, func(tx *wtx) error {
		_, err := txExec(ctx, tx, `INSERT INTO exhibit_responses (exhibit_id, side, kind, reason, by_user, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`, r.ExhibitID, r.Side, r.Kind, r.Reason, r.ByUser, now)
		if _, ok := uniqueViolation(err); ok {
			return court.Errorf(court.ECONFLICT, "err.exhibit_responded")
		}
		if err != nil {
			return err
		}
		return appendEntry(ctx, tx, caseID, entry, now)
	})
}

// RuleExhibit records the judge's ruling on an exhibit with its docket
// entry. A second ruling is ECONFLICT.
func (db *DB) RuleExhibit(ctx context.Context, r ExhibitRuling, caseID int64, entry Entry) error {
	now := db.Now()
	return db.inTx(ctx, func(tx *wtx) error {
		_, err := txExec(ctx, tx, `INSERT INTO exhibit_rulings (exhibit_id, ruling, reason, by_user, created_at)
			VALUES (?, ?, ?, ?, ?)`, r.ExhibitID, r.Ruling, r.Reason, r.ByUser, now)
		if _, ok := uniqueViolation(err); ok {
			return court.Errorf(court.ECONFLICT, "err.exhibit_ruled")
		}
		if err != nil {
			return err
		}
		return appendEntry(ctx, tx, caseID, entry, now)
	})
}

// BlobInUse reports whether an exhibit names the blob with this SHA-256
// (lower-case hex). It reads through the writer, so it sees every commit.
func (db *DB) BlobInUse(ctx context.Context, sha256 string) (bool, error) {
	var n int
	err := db.w.GetContext(ctx, &n, db.w.Rebind(`SELECT COUNT(*) FROM exhibits WHERE sha256 = ?`), sha256)
	return n > 0, err
}
