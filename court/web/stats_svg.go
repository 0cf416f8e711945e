package web

// Charts of the statistics pages, drawn here as SVG: no script, no chart
// library, nothing from another site (the CSP allows neither). Colours are
// presentation attributes, not style attributes, which the CSP's style-src
// would refuse; no shared stylesheet needs to change. Each chart
// carries a title and a description (role="img", aria-labelledby) and
// the page puts a table with the same numbers beside it.

import (
	"fmt"
	"html"
	"html/template"
	"strings"
)

// bar is one bar: its label, its length and the text shown at its end.
type bar struct {
	Label string
	Value int64
	Text  string
}

const (
	barH      = 22  // height of one horizontal bar's row
	labelW    = 260 // room for the labels left of horizontal bars
	barAreaW  = 360 // the longest bar
	valueW    = 120 // room for the value right of the bar
	chartTop  = 8
	colAreaH  = 160 // the tallest column
	colChartW = 720
)

// barChart draws horizontal bars, one row each, scaled to the largest.
func barChart(id, title, desc string, bars []bar) template.HTML {
	var b strings.Builder
	w, h := labelW+barAreaW+valueW, chartTop*2+barH*len(bars)
	svgOpen(&b, id, title, desc, w, h)
	top := maxValue(bars)
	for i, x := range bars {
		y := chartTop + i*barH
		l := scale(x.Value, top, barAreaW)
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" class="chart-label" font-size="13" fill="#222">%s</text>`,
			labelW-8, y+barH/2+5, esc(clip(x.Label, 28)))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" class="chart-bar" fill="#2c5f8a"><title>%s: %s</title></rect>`,
			labelW, y+3, l, barH-6, esc(x.Label), esc(x.Text))
		fmt.Fprintf(&b, `<text x="%d" y="%d" class="chart-value" font-size="13" fill="#222">%s</text>`, labelW+l+6, y+barH/2+5, esc(x.Text))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// columnChart draws one column per bar (weeks, left to right), labelling
// the axis with about a dozen of the bars' labels and the largest value.
func columnChart(id, title, desc string, bars []bar) template.HTML {
	var b strings.Builder
	const left, bottom = 48, 28
	h := chartTop + colAreaH + bottom
	svgOpen(&b, id, title, desc, colChartW, h)
	top := maxValue(bars)
	base := chartTop + colAreaH
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" class="chart-axis" stroke="#666"/>`, left, base, colChartW, base)
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" class="chart-value" font-size="13" fill="#222">%d</text>`, left-6, chartTop+10, top)
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" class="chart-value" font-size="13" fill="#222">0</text>`, left-6, base)
	if n := len(bars); n > 0 {
		step := float64(colChartW-left) / float64(n)
		every := max(1, (n+11)/12)
		for i, x := range bars {
			hgt := scale(x.Value, top, colAreaH)
			xpos := left + int(float64(i)*step)
			cw := max(1, int(step)-2)
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" class="chart-bar" fill="#2c5f8a"><title>%s: %s</title></rect>`,
				xpos+1, base-hgt, cw, hgt, esc(x.Label), esc(x.Text))
			if i%every == 0 {
				fmt.Fprintf(&b, `<text x="%d" y="%d" class="chart-label" font-size="13" fill="#222" font-size="11" fill="#333">%s</text>`, xpos+1, base+18, esc(shortWeek(x.Label)))
			}
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func svgOpen(b *strings.Builder, id, title, desc string, w, h int) {
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" id="%s" class="chart" viewBox="0 0 %d %d" width="100%%" `+
		`preserveAspectRatio="xMinYMin meet" role="img" aria-labelledby="%s-t %s-d">`, esc(id), w, h, esc(id), esc(id))
	fmt.Fprintf(b, `<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`, esc(id), esc(title), esc(id), esc(desc))
}

func maxValue(bars []bar) int64 {
	var top int64
	for _, x := range bars {
		top = max(top, x.Value)
	}
	return top
}

// scale is v's length on a scale where top is full; 0 when top is 0, and
// at least 1 for a value above zero, so that "some" never looks like "none".
func scale(v, top int64, full int) int {
	if top <= 0 || v <= 0 {
		return 0
	}
	return max(1, int(float64(v)/float64(top)*float64(full)+0.5))
}

// shortWeek turns 2026-11-23 into 11-23 for an axis label.
func shortWeek(s string) string {
	if len(s) == 10 {
		return s[5:]
	}
	return s
}

// clip shortens a label to n characters (the full one is in the bar's
// title and in the table).
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func esc(s string) string { return html.EscapeString(s) }
