package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/ledger"
	"github.com/shangcheng-court/courtd/court/rulings"
	"github.com/shangcheng-court/courtd/court/storage"
)

// openRulings builds the rulings service: the court's ledger key signs
// documents, and the CJK font makes
// PDFs. A font given with -cjk-font that cannot be used stops the start;
// no font at all is only logged: the court then serves HTML rulings only.
func (m *Main) openRulings(db *storage.DB, p court.Profile, key *ledger.Key) (*rulings.Service, error) {
	font, err := rulings.FindFont(m.CJKFont)
	switch {
	case err == nil:
		m.log.Info("ruling PDFs", "cjk_font", font.Path, "latin_font", font.LatinPath)
	case m.CJKFont != "":
		return nil, fmt.Errorf("-cjk-font: %w", err)
	case errors.Is(err, rulings.ErrNoFont):
		m.log.Warn("no CJK TrueType font found: rulings are served as HTML pages only, without PDF; "+
			"install fonts-droid-fallback or set -cjk-font / COURT_CJK_FONT", "looked_in", rulings.FontPaths)
	default:
		return nil, err
	}
	return rulings.New(db, key, p, font, m.Mail.PublicURL), nil
}

// signMediation signs the mediation document of a settlement the judge
// has just confirmed. A failure is logged: the settlement stands, and the
// judge can sign the document from the case page.
func (m *Main) signMediation(rs *rulings.Service) func(ctx context.Context, judge *court.User, c *court.Case) {
	return func(ctx context.Context, judge *court.User, c *court.Case) {
		if _, err := rs.Mediate(ctx, judge, c.ID, "", "", 0); err != nil {
			m.log.Error("mediation document", "case", c.ID, "err", err)
		}
	}
}
