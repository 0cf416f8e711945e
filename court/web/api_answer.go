package web

import (
	"context"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/shangcheng-court/courtd/court"
)

// answerAPIRoutes registers the answer, settlement and assignment API.
func (s *Server) answerAPIRoutes(api fiber.Router) {
	api.Post("/cases/:id/answer", s.apiRequireUser, s.apiAnswer)
	api.Get("/cases/:id/offers", s.apiRequireUser, s.apiOffers)
	api.Post("/cases/:id/offers", s.apiRequireUser, s.apiMakeOffer)
	api.Post("/cases/:id/offers/:offer/accept", s.apiRequireUser, s.apiRespondOffer(true))
	api.Post("/cases/:id/offers/:offer/reject", s.apiRequireUser, s.apiRespondOffer(false))
	api.Post("/cases/:id/offers/:offer/counter", s.apiRequireUser, s.apiCounterOffer)
	api.Post("/cases/:id/confirm", s.apiRequireUser, s.apiJudgeDecision("confirm", s.dk.ConfirmSettlement))
	api.Post("/cases/:id/convert", s.apiRequireUser, s.apiJudgeDecision("convert", s.dk.DecideConversion))
	api.Post("/cases/:id/assign", s.apiRequireUser, s.apiAssign)
	s.mediationAPIRoutes(api)
}

// apiAnswerRequest is the body of POST /cases/:id/answer.
type apiAnswerRequest struct {
	Kind             court.AnswerKind `json:"kind"`
	Admitted         court.Fen        `json:"admitted"`
	Defence          string           `json:"defence"`
	Counterclaim     bool             `json:"counterclaim"`
	CounterclaimText string           `json:"counterclaim_text"`
}

// apiDecisionRequest is the body of the judge's confirm and convert.
type apiDecisionRequest struct {
	Decision string `json:"decision"` // confirm|decline, convert|decline
	Reason   string `json:"reason"`
}

// apiAssignRequest names one judge or one mediator.
type apiAssignRequest struct {
	JudgeID    *int64 `json:"judge_id"`
	MediatorID *int64 `json:"mediator_id"`
}

type apiOfferList struct {
	Offers []court.Offer `json:"offers"`
}

// apiOfferID reads the :offer of an offer route, as apiCaseID does :id.
func apiOfferID(c *fiber.Ctx) (int64, error) {
	p := c.Params("offer")
	id, err := strconv.ParseInt(p, 10, 64)
	if err != nil || id <= 0 || strconv.FormatInt(id, 10) != p {
		return 0, court.ErrNotFound()
	}
	return id, nil
}

func invalidField(field string) error {
	return &court.Error{Code: court.EINVALID, Msg: court.Msg("err.invalid_form"),
		Fields: map[string]court.Message{field: court.Msg("err.invalid_choice")}}
}

// apiAnswer is the merchant's answer.
func (s *Server) apiAnswer(c *fiber.Ctx) error {
	id, err := apiCaseID(c)
	if err != nil {
		return err
	}
	var req apiAnswerRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	cs, err := s.dk.Answer(c.UserContext(), currentUser(c), id, court.Answer{Kind: req.Kind, Admitted: req.Admitted,
		Defence: req.Defence, Counterclaim: req.Counterclaim, CounterclaimText: req.CounterclaimText})
	if err != nil {
		return err
	}
	return c.JSON(cs)
}

// apiOffers lists a case's offers, newest first.
func (s *Server) apiOffers(c *fiber.Ctx) error {
	id, err := apiCaseID(c)
	if err != nil {
		return err
	}
	offers, err := s.dk.Offers(c.UserContext(), currentUser(c), id)
	if err != nil {
		return err
	}
	return c.JSON(apiOfferList{Offers: offers})
}

// apiMakeOffer makes an offer: 201 with it.
func (s *Server) apiMakeOffer(c *fiber.Ctx) error {
	id, err := apiCaseID(c)
	if err != nil {
		return err
	}
	var req court.OfferTerms
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	o, err := s.dk.MakeOffer(c.UserContext(), currentUser(c), id, req)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(o)
}

// apiCounterOffer answers an offer with another: 201 with the new one.
func (s *Server) apiCounterOffer(c *fiber.Ctx) error {
	id, err := apiCaseID(c)
	if err != nil {
		return err
	}
	offerID, err := apiOfferID(c)
	if err != nil {
		return err
	}
	var req court.OfferTerms
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	o, err := s.dk.Counter(c.UserContext(), currentUser(c), id, offerID, req)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(o)
}

// apiRespondOffer accepts or rejects an offer; it answers with the case.
func (s *Server) apiRespondOffer(accept bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := apiCaseID(c)
		if err != nil {
			return err
		}
		offerID, err := apiOfferID(c)
		if err != nil {
			return err
		}
		cs, err := s.dk.RespondOffer(c.UserContext(), currentUser(c), id, offerID, accept)
		if err != nil {
			return err
		}
		return c.JSON(cs)
	}
}

// apiJudgeDecision answers a judge's decision: the body is
// {"decision": yes or "decline", "reason"}; decide gets whether it was yes.
// It serves confirming a settlement ("confirm") and converting a case for a
// counterclaim ("convert").
func (s *Server) apiJudgeDecision(yes string, decide func(ctx context.Context, u *court.User, id int64, yes bool, reason string) (*court.Case, error)) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := apiCaseID(c)
		if err != nil {
			return err
		}
		var req apiDecisionRequest
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
		if req.Decision != yes && req.Decision != "decline" {
			return invalidField("decision")
		}
		cs, err := decide(c.UserContext(), currentUser(c), id, req.Decision == yes, req.Reason)
		if err != nil {
			return err
		}
		return c.JSON(cs)
	}
}

// apiAssign assigns a judge or a mediator: exactly one of the two ids.
func (s *Server) apiAssign(c *fiber.Ctx) error {
	id, err := apiCaseID(c)
	if err != nil {
		return err
	}
	u := currentUser(c)
	if u.Role != court.RoleClerk && u.Role != court.RoleAdmin {
		return court.ErrNotFound()
	}
	var req apiAssignRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	role, who := court.RoleJudge, req.JudgeID
	switch {
	case req.JudgeID != nil && req.MediatorID != nil, req.JudgeID == nil && req.MediatorID == nil:
		return invalidField("judge_id")
	case req.MediatorID != nil:
		role, who = court.RoleMediator, req.MediatorID
	}
	cs, err := s.dk.Assign(c.UserContext(), u, id, role, *who)
	if err != nil {
		return err
	}
	return c.JSON(cs)
}
