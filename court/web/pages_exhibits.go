package web

import (
	"context"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/evidence"
	"github.com/shangcheng-court/courtd/court/hearings"
	"github.com/shangcheng-court/courtd/court/storage"
)

// exhibitView is an exhibit as the case page shows it, with what the viewer
// may do with it.
type exhibitView struct {
	storage.Exhibit
	SizeText   string
	TypeName   string
	Preview    string // image, video, audio, pdf or "" (download only)
	ContentURL string
	ReceiptURL string
	CanRespond bool
	CanRule    bool
}

// exhibitsSection is the data of the case page's exhibits section.
type exhibitsSection struct {
	Exhibits  []exhibitView
	CanUpload bool
	MaxText   string
	Accepted  string
	UploadURL string
}

// previewKind is how the page shows a type inline.
func previewKind(mime string) string {
	switch mime {
	case evidence.MIMEJPEG, evidence.MIMEPNG, evidence.MIMEWebP:
		return "image"
	case evidence.MIMEMP4, evidence.MIMEWebM:
		return "video"
	case evidence.MIMEMP3, evidence.MIMEM4A, evidence.MIMEOgg, evidence.MIMEWAV:
		return "audio"
	case evidence.MIMEPDF:
		return "pdf"
	}
	return ""
}

// loadExhibits puts the exhibits of case cs, as u may see and act on them,
// into the case page (Data.Exhibits). Without the evidence service the
// section is left out.
func (s *Server) loadExhibits(c *fiber.Ctx, p *page, cs *court.Case) error {
	ev := s.cfg.Evidence
	if ev == nil {
		return nil
	}
	list, err := ev.List(c.UserContext(), p.User, cs.ID)
	if err != nil {
		return err
	}
	// What ev.Begin checks, on the case the page has already read.
	side := evidence.SideOf(p.User, cs)
	open := evidence.TakesUploads(cs.Status)
	base := "/cases/" + strconv.FormatInt(cs.ID, 10) + "/exhibits"
	sec := exhibitsSection{CanUpload: open && side != "", MaxText: evidence.FormatSize(ev.MaxSize), Accepted: evidence.Accepted, UploadURL: base}
	for _, e := range list {
		v := exhibitView{Exhibit: e, SizeText: evidence.FormatSize(e.Size), TypeName: evidence.Ext(e.MIME)[1:],
			Preview: previewKind(e.MIME)}
		v.ContentURL = base + "/" + strconv.FormatInt(e.ID, 10) + "/content"
		v.ReceiptURL = base + "/" + strconv.FormatInt(e.ID, 10) + "/receipt"
		if open && (side == evidence.SideClaimant || side == evidence.SideRespondent) && side != e.Side {
			v.CanRespond = true
			for _, r := range e.Responses {
				if r.Side == side {
					v.CanRespond = false
				}
			}
		}
		v.CanRule = open && e.Ruling == nil && hearings.IsJudge(p.User, cs)
		sec.Exhibits = append(sec.Exhibits, v)
	}
	p.Data["Exhibits"] = sec
	return nil
}

// pageUploadExhibit takes an upload from the case page's script (the file
// as the body, its CSRF token in X-CSRF-Token): 201 with the exhibit as
// JSON, and errors as JSON too, for the script to show.
func (s *Server) pageUploadExhibit(c *fiber.Ctx) error {
	e, err := s.uploadExhibit(c)
	if err != nil {
		return s.uploadError(c, err, func(err error) error { return s.jsonError(c, err) })
	}
	return c.Status(fiber.StatusCreated).JSON(e)
}

// jsonError writes err as the API would ({"error": ...}), for a page route
// that a script calls.
func (s *Server) jsonError(c *fiber.Ctx, err error) error {
	var ce *court.Error
	if !asCourtError(err, &ce) {
		s.log.Error("internal error", "request_id", requestID(c), "method", c.Method(), "path", c.Path(), "err", err)
		ce = court.Errorf(court.EINTERNAL, "err.internal", "RequestID", requestID(c))
	}
	lang := s.lang(c)
	var body apiError
	body.Error.Code = ce.Code
	body.Error.Message = s.cat.M(lang, ce.Msg)
	if len(ce.Fields) > 0 {
		body.Error.Fields = map[string]string{}
		for f, m := range ce.Fields {
			body.Error.Fields[f] = s.cat.M(lang, m)
		}
	}
	return c.Status(statusOf(ce.Code)).JSON(body)
}

// pageExhibitDecision runs a response or a ruling form on exhibit :eid:
// act is (*evidence.Service).Respond or Rule, what the form field that
// holds the answer.
func (s *Server) pageExhibitDecision(c *fiber.Ctx, act exhibitDecision, what string) error {
	return s.caseAction(c, func(p *page, id int64) (string, error) {
		ev, err := s.evidenceOn()
		if err != nil {
			return "", err
		}
		_, eid, err := exhibitIDs(c)
		if err != nil {
			return "", err
		}
		_, err = act(ev, c.UserContext(), p.User, id, eid, c.FormValue(what), c.FormValue("reason"))
		return "#exhibits", err
	})
}

// exhibitDecision is the shape of (*evidence.Service).Respond and Rule.
type exhibitDecision func(ev *evidence.Service, ctx context.Context, u *court.User, caseID, id int64, answer, reason string) (*storage.Exhibit, error)

// pageRespondExhibit is the other side's acknowledge or object form.
func (s *Server) pageRespondExhibit(c *fiber.Ctx) error {
	return s.pageExhibitDecision(c, (*evidence.Service).Respond, "response")
}

// pageRuleExhibit is the judge's admit or exclude form.
func (s *Server) pageRuleExhibit(c *fiber.Ctx) error {
	return s.pageExhibitDecision(c, (*evidence.Service).Rule, "ruling")
}
