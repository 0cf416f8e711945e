package web

import "github.com/gofiber/fiber/v2"

// exhibitAPIRoutes adds the JSON routes of this part under /api/v1: the
// exhibits of a case (see api_exhibits.go).
func (s *Server) exhibitAPIRoutes(api fiber.Router) {
	api.Post("/cases/:id/exhibits", s.apiRequireUser, s.apiUploadExhibit)
	api.Get("/cases/:id/exhibits", s.apiRequireUser, s.apiListExhibits)
	api.Get("/cases/:id/exhibits/:eid", s.apiRequireUser, s.apiGetExhibit)
	api.Get("/cases/:id/exhibits/:eid/content", s.apiRequireUser, s.exhibitContent)
	api.Get("/cases/:id/exhibits/:eid/receipt", s.apiRequireUser, s.exhibitReceipt)
	api.Post("/cases/:id/exhibits/:eid/response", s.apiRequireUser, s.apiRespondExhibit)
	api.Post("/cases/:id/exhibits/:eid/ruling", s.apiRequireUser, s.apiRuleExhibit)
}

// exhibitPageRoutes adds the page routes of this part: the case page's
// upload (a script sends the file as the request body), downloads and
// receipts with the session cookie, and the respond and rule forms.
func (s *Server) exhibitPageRoutes(pages fiber.Router) {
	pages.Post("/cases/:id/exhibits", s.requireUser, s.pageUploadExhibit)
	pages.Get("/cases/:id/exhibits/:eid/content", s.requireUser, s.exhibitContent)
	pages.Get("/cases/:id/exhibits/:eid/receipt", s.requireUser, s.exhibitReceipt)
	pages.Post("/cases/:id/exhibits/:eid/response", s.requireUser, s.pageRespondExhibit)
	pages.Post("/cases/:id/exhibits/:eid/ruling", s.requireUser, s.pageRuleExhibit)
}
