// Package rulings drafts, signs and renders the court's written rulings and
// mediation documents (issue 6).
package rulings

// The document stack: gopdf writes PDFs with embedded, subset TrueType fonts
// (CJK text needs that); go-qrcode gives the QR code's modules, drawn as
// vector squares in the PDF.
import (
	_ "github.com/signintech/gopdf"
	_ "github.com/skip2/go-qrcode"
)
