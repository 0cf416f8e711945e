package rulings

import (
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"net/url"
	"os"
	"sync"
	"time"

	"github.com/signintech/gopdf"
	"github.com/skip2/go-qrcode"
)

func queryEscape(s string) string { return url.QueryEscape(s) }

// FontPaths are the usual places of a CJK TrueType font on Debian and
// similar systems. Noto CJK (fonts-noto-cjk) is OpenType with CFF outlines
// in a .ttc collection, which gopdf cannot embed, so it is not here.
var FontPaths = []string{
	"/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", // fonts-droid-fallback
	"/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
	"/usr/share/fonts/truetype/arphic/uming.ttc",
}

// LatinFontPaths are where a Latin TrueType font is looked for. Droid Sans
// Fallback has CJK glyphs only (no digits, no Latin letters), so Latin text
// (numbers, hashes, the verification address) is set in this one.
var LatinFontPaths = []string{
	"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", // fonts-dejavu-core
	"/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
}

// ErrNoFont means no CJK TrueType font was found: PDFs cannot be made, the
// HTML documents still can.
var ErrNoFont = errors.New("no CJK TrueType font")

// Font is a loaded CJK TrueType font, with a Latin one for the rest.
type Font struct {
	Path, LatinPath string
	data, latin     []byte
	// fonts holds both parsed once (parsing the 4 MB CJK font took most of
	// a render); mu serialises the renders that read it, since gopdf does
	// not say that a container may be shared.
	mu    sync.Mutex
	fonts *gopdf.FontContainer
}

// usable reports whether gopdf can embed the font in b (a .ttc or a CFF
// font fails here).
func usable(b []byte) error {
	var pdf gopdf.GoPdf
	pdf.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4})
	return pdf.AddTTFFontData("f", b)
}

// FindFont loads the CJK font at path, or, when path is empty, the first of
// FontPaths that gopdf can use, and the first usable Latin font of
// LatinFontPaths (without one, the CJK font sets everything). It returns
// ErrNoFont when there is no CJK font.
func FindFont(path string) (*Font, error) {
	paths := FontPaths
	if path != "" {
		paths = []string{path}
	}
	var f *Font
	last := ErrNoFont
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err == nil {
			err = usable(b)
		}
		if err != nil {
			last = fmt.Errorf("%w: %s: %v", ErrNoFont, p, err)
			continue
		}
		f = &Font{Path: p, data: b}
		break
	}
	if f == nil {
		return nil, last
	}
	for _, p := range LatinFontPaths {
		if b, err := os.ReadFile(p); err == nil && usable(b) == nil {
			f.LatinPath, f.latin = p, b
			break
		}
	}
	f.fonts = &gopdf.FontContainer{}
	if err := f.fonts.AddTTFFontData("cjk", f.data); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrNoFont, f.Path, err)
	}
	if f.latin != nil {
		if err := f.fonts.AddTTFFontData("latin", f.latin); err != nil {
			return nil, fmt.Errorf("font %s: %w", f.LatinPath, err)
		}
	}
	return f, nil
}

// latinRune reports whether r is set in the Latin font: everything below
// the CJK blocks (full-width forms and CJK punctuation stay CJK).
func latinRune(r rune) bool { return r < 0x2E80 }

// setter sets text in the CJK font and, for Latin runs, the Latin font,
// measuring each character once per size.
type setter struct {
	pdf    *gopdf.GoPdf
	latin  bool // a Latin font is loaded
	size   float64
	widths map[[2]float64]float64 // (rune, size) -> width
}

func (st *setter) family(r rune) string {
	if st.latin && latinRune(r) {
		return "latin"
	}
	return "cjk"
}

func (st *setter) width(r rune) (float64, error) {
	k := [2]float64{float64(r), st.size}
	if w, ok := st.widths[k]; ok {
		return w, nil
	}
	if err := st.pdf.SetFont(st.family(r), "", st.size); err != nil {
		return 0, err
	}
	w, err := st.pdf.MeasureTextWidth(string(r))
	if err != nil {
		return 0, err
	}
	st.widths[k] = w
	return w, nil
}

// wrap breaks s into lines no wider than width.
func (st *setter) wrap(s string, width float64) ([]string, []float64, error) {
	var lines []string
	var ws []float64
	var cur []rune
	w := 0.0
	for _, r := range s {
		rw, err := st.width(r)
		if err != nil {
			return nil, nil, err
		}
		if w+rw > width && len(cur) > 0 {
			lines, ws = append(lines, string(cur)), append(ws, w)
			cur, w = nil, 0
		}
		cur, w = append(cur, r), w+rw
	}
	if len(cur) > 0 {
		lines, ws = append(lines, string(cur)), append(ws, w)
	}
	return lines, ws, nil
}

// draw sets one line at x, y, switching fonts between runs.
func (st *setter) draw(line string, x, y float64) error {
	rs := []rune(line)
	for i := 0; i < len(rs); {
		fam := st.family(rs[i])
		j := i
		w := 0.0
		for j < len(rs) && st.family(rs[j]) == fam {
			rw, err := st.width(rs[j])
			if err != nil {
				return err
			}
			w += rw
			j++
		}
		if err := st.pdf.SetFont(fam, "", st.size); err != nil {
			return err
		}
		st.pdf.SetXY(x, y)
		if err := st.pdf.Text(string(rs[i:j])); err != nil {
			return err
		}
		x += w
		i = j
	}
	return nil
}

// Page geometry, in points (A4).
const (
	pageW, pageH   = 595.28, 841.89
	margin         = 72.0
	bodySize       = 12.0
	titleSize      = 20.0
	lineGap        = 1.6 // line height as a multiple of the font size
	qrSize         = 96.0
	qrRecoveryEdge = qrcode.Medium
)

// PDF renders d in Chinese as an A4 PDF with font, and a QR code of
// verifyURL at the end. The document's own time is the PDF's creation
// date, so nothing in it depends on when it was rendered.
func PDF(d Document, font *Font, verifyURL string) ([]byte, error) {
	if font == nil {
		return nil, ErrNoFont
	}
	var pdf gopdf.GoPdf
	pdf.Start(gopdf.Config{PageSize: gopdf.Rect{W: pageW, H: pageH}})
	signed, _ := time.Parse(time.RFC3339, d.SignedAt)
	// Deflate was most of a render's CPU; the fastest level costs a few
	// per cent of size (the PDF is kept once per ruling).
	pdf.SetCompressLevel(flate.BestSpeed)
	pdf.SetInfo(gopdf.PdfInfo{Title: d.Number, Author: d.Court, Creator: "courtd", Producer: "courtd", CreationDate: signed})
	font.mu.Lock()
	defer font.mu.Unlock()
	if err := pdf.AddTTFFontFromFontContainer("cjk", font.fonts); err != nil {
		return nil, fmt.Errorf("font %s: %w", font.Path, err)
	}
	st := &setter{pdf: &pdf, widths: map[[2]float64]float64{}}
	if font.latin != nil {
		if err := pdf.AddTTFFontFromFontContainer("latin", font.fonts); err != nil {
			return nil, fmt.Errorf("font %s: %w", font.LatinPath, err)
		}
		st.latin = true
	}
	pdf.AddPage()
	y := margin
	width := pageW - 2*margin
	newLine := func(h float64) {
		y += h
		if y > pageH-margin {
			pdf.AddPage()
			y = margin
		}
	}
	for _, p := range Paragraphs(d, "zh-CN", verifyURL) {
		st.size = bodySize
		if p.Style == Title {
			st.size = titleSize
		}
		h := st.size * lineGap
		lines, ws, err := st.wrap(p.Text, width)
		if err != nil {
			return nil, err
		}
		for i, l := range lines {
			x := margin
			switch p.Style {
			case Title:
				x = margin + (width-ws[i])/2
			case Right:
				x = pageW - margin - ws[i]
			}
			if err := st.draw(l, x, y+st.size); err != nil {
				return nil, err
			}
			newLine(h)
		}
		if p.Style == Title {
			newLine(st.size * 0.4)
		}
	}
	if verifyURL != "" {
		if y+qrSize > pageH-margin {
			pdf.AddPage()
			y = margin
		}
		if err := drawQR(&pdf, verifyURL, margin, y, qrSize); err != nil {
			return nil, err
		}
	}
	var b bytes.Buffer
	if _, err := pdf.WriteTo(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// drawQR draws the QR code of s as filled squares (vector, so it prints
// sharp at any size) at x, y.
func drawQR(pdf *gopdf.GoPdf, s string, x, y, size float64) error {
	q, err := qrcode.New(s, qrRecoveryEdge)
	if err != nil {
		return fmt.Errorf("qr code: %w", err)
	}
	bm := q.Bitmap()
	cell := size / float64(len(bm))
	pdf.SetFillColor(0, 0, 0)
	for r, row := range bm {
		for c, on := range row {
			if on {
				pdf.RectFromUpperLeftWithStyle(x+float64(c)*cell, y+float64(r)*cell, cell, cell, "F")
			}
		}
	}
	return nil
}
