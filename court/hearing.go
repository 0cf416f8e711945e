package court

import (
	"strconv"
	"time"
)

// HearingKind is how a hearing is held.
type HearingKind string

// Hearing kinds. A written hearing is asynchronous (SPC Online Litigation
// Rules Art 20): questions and answers in writing, only when both parties
// agreed to it.
const (
	HearingVideo   HearingKind = "video"
	HearingAudio   HearingKind = "audio"
	HearingWritten HearingKind = "written"
)

// Valid reports whether k is a known kind.
func (k HearingKind) Valid() bool {
	return k == HearingVideo || k == HearingAudio || k == HearingWritten
}

// HearingStatus is where a hearing stands.
type HearingStatus string

// Hearing statuses.
const (
	HearingScheduled HearingStatus = "scheduled"
	HearingStarted   HearingStatus = "started"
	HearingEnded     HearingStatus = "ended"
	HearingCancelled HearingStatus = "cancelled"
)

// Bounds of a hearing's length, in minutes, and how far ahead one is set.
const (
	HearingMinMinutes = 15
	HearingMaxMinutes = 240
	HearingMaxAhead   = 366 * 24 * time.Hour
	// HearingOpensBefore is how long before its start a hearing room opens.
	HearingOpensBefore = 15 * time.Minute
)

// Hearing is one hearing of a case. Start and End are UTC; Sequence counts
// the changes a calendar must follow (a reschedule, the cancellation).
type Hearing struct {
	ID        int64         `db:"id" json:"id"`
	CaseID    int64         `db:"case_id" json:"case_id"`
	Kind      HearingKind   `db:"kind" json:"kind"`
	Status    HearingStatus `db:"status" json:"status"`
	Start     time.Time     `db:"start_at" json:"start"`
	End       time.Time     `db:"end_at" json:"end"`
	Sequence  int           `db:"sequence" json:"sequence"`
	Reason    string        `db:"reason" json:"reason,omitempty"`
	Minutes   string        `db:"minutes" json:"minutes,omitempty"`
	StartedAt *time.Time    `db:"started_at" json:"started_at,omitempty"`
	EndedAt   *time.Time    `db:"ended_at" json:"ended_at,omitempty"`
	CreatedBy int64         `db:"created_by" json:"created_by"`
	CreatedAt time.Time     `db:"created_at" json:"created_at"`
	UpdatedAt time.Time     `db:"updated_at" json:"updated_at"`
}

// Open reports whether the hearing still lies ahead or is under way.
func (h *Hearing) Open() bool { return h.Status == HearingScheduled || h.Status == HearingStarted }

// Joinable reports whether a live room may be entered at now: a video or
// audio hearing, not cancelled or ended, from HearingOpensBefore its start
// to its end.
func (h *Hearing) Joinable(now time.Time) bool {
	return h.Kind != HearingWritten && h.Open() && !now.Before(h.Start.Add(-HearingOpensBefore)) && now.Before(h.End)
}

// HearingSlot is a hearing's time as a person enters it: a date and a start
// time in the court's zone, and a length in minutes.
type HearingSlot struct {
	Kind    HearingKind `json:"kind"`
	Date    string      `json:"date"`    // 2006-01-02
	Time    string      `json:"time"`    // 15:04
	Minutes int         `json:"minutes"` // HearingMinMinutes to HearingMaxMinutes
}

// Validate checks the slot at now and returns its start and end in UTC. An
// empty kind is a video hearing. Errors: EINVALID with the fields.
func (s *HearingSlot) Validate(now time.Time) (start, end time.Time, err error) {
	var v Validator
	if s.Kind == "" {
		s.Kind = HearingVideo
	}
	v.Check(s.Kind.Valid(), "kind", "err.invalid_choice")
	day, derr := time.ParseInLocation("2006-01-02", s.Date, Zone)
	v.Check(derr == nil, "date", "err.hearing_date")
	clock, terr := time.Parse("15:04", s.Time)
	v.Check(terr == nil, "time", "err.hearing_time")
	v.Check(s.Minutes >= HearingMinMinutes && s.Minutes <= HearingMaxMinutes, "minutes", "err.hearing_minutes",
		"Min", HearingMinMinutes, "Max", HearingMaxMinutes)
	if derr == nil && terr == nil {
		start = time.Date(day.Year(), day.Month(), day.Day(), clock.Hour(), clock.Minute(), 0, 0, Zone).UTC()
		switch {
		case !start.After(now):
			v.Fail("date", "err.hearing_past")
		case start.Sub(now) > HearingMaxAhead:
			v.Fail("date", "err.hearing_too_far")
		}
	}
	if err := v.Err(); err != nil {
		return time.Time{}, time.Time{}, err
	}
	return start, start.Add(time.Duration(s.Minutes) * time.Minute), nil
}

// Attendance is one stay of a participant in a hearing room.
type Attendance struct {
	ID        int64      `db:"id" json:"-"`
	HearingID int64      `db:"hearing_id" json:"-"`
	UserID    int64      `db:"user_id" json:"user_id"`
	Name      string     `db:"name" json:"name"`
	Role      string     `db:"role" json:"role"`
	JoinedAt  time.Time  `db:"joined_at" json:"joined_at"`
	LeftAt    *time.Time `db:"left_at" json:"left_at,omitempty"`
}

// Sides of a case, as they agree to a written hearing and answer in one.
const (
	SideClaimant = "claimant"
	SideMerchant = "merchant"
)

// HearingPost is a question of the judge in a written hearing (QuestionID
// nil, with the deadline for answers) or a side's answer to one.
type HearingPost struct {
	ID         int64      `db:"id" json:"id"`
	HearingID  int64      `db:"hearing_id" json:"hearing_id"`
	QuestionID *int64     `db:"question_id" json:"question_id,omitempty"`
	AuthorID   int64      `db:"author_id" json:"author_id"`
	AuthorRole string     `db:"author_role" json:"author_role"`
	Side       string     `db:"side" json:"side,omitempty"`
	Text       string     `db:"text" json:"text"`
	Due        *time.Time `db:"due_at" json:"due,omitempty"`
	CreatedAt  time.Time  `db:"created_at" json:"created_at"`
}

// Consent is one side's word on a written hearing.
type Consent struct {
	Side   string    `db:"side" json:"side"`
	UserID int64     `db:"user_id" json:"user_id"`
	Agreed bool      `db:"agreed" json:"agreed"`
	At     time.Time `db:"at" json:"at"`
}

// HearingLink is the page of a hearing's room, the join link sent to the
// participants.
func HearingLink(caseID, hearingID int64) string {
	return "/cases/" + strconv.FormatInt(caseID, 10) + "/hearings/" + strconv.FormatInt(hearingID, 10) + "/room"
}
