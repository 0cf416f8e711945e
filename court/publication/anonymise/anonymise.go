// Package anonymise removes personal data from the text of a court
// document before it is published (issue 6): known names and identifiers,
// and patterns of identity numbers, phones, e-mail addresses, order
// references and street addresses. It imports nothing of the court, so it
// can be tested and fuzzed alone. See docs/publication.md.
package anonymise

import (
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Marker replaces what is removed: an identifier, a contact, an address or
// an order reference.
const Marker = "×××"

// Known is what the court knows of one case's people and things: the text
// that must go wherever it appears, and the text that must stay.
type Known struct {
	// Names of natural persons (parties, merchant staff): each is replaced
	// by its mask (MaskName), wherever it appears.
	Names []string
	// Identifiers (resident ID numbers, masked or not, mobiles, e-mail
	// addresses, order references): each is replaced by Marker.
	Identifiers []string
	// Keep is text that patterns must not touch: the merchants' names and
	// unified social credit codes (legal persons are named in judgments)
	// and the docket number.
	Keep []string
}

// compoundSurnames are the two-character surnames kept whole by MaskName:
// 欧阳娜娜 becomes 欧阳某, not 欧某 (which would name nobody in particular but
// mislead) nor 欧阳娜某 (which leaks the given name).
var compoundSurnames = []string{"欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "令狐", "慕容", "尉迟", "公孙", "夏侯",
	"轩辕", "长孙", "宇文", "司徒", "端木", "独孤", "南宫", "西门", "澹台", "呼延", "赫连", "百里", "东郭", "申屠",
	"太史", "闻人", "钟离", "万俟", "单于", "濮阳", "淳于", "拓跋", "完颜", "第五", "司空", "左丘", "仲孙", "亓官"}

// MaskName is how a natural person is named in a published decision: a
// Chinese name keeps its surname (two characters for a compound surname)
// followed by 某, whatever the length of the given name (张三 and 张三丰 are
// both 张某); any other name keeps its first letter and a full stop (John
// Smith is J.). An empty name stays empty.
func MaskName(name string) string {
	name = strings.TrimSpace(name)
	r, _ := utf8.DecodeRuneInString(name)
	switch {
	case name == "":
		return ""
	case unicode.Is(unicode.Han, r):
		for _, s := range compoundSurnames {
			if strings.HasPrefix(name, s) && utf8.RuneCountInString(name) > 2 {
				return s + "某"
			}
		}
		return string(r) + "某"
	case unicode.IsLetter(r):
		return string(unicode.ToUpper(r)) + "."
	}
	return "某"
}

// givenName is the part of a Chinese name after its surname, when it is
// long enough to be replaced on its own (a one-character given name would
// match ordinary words).
func givenName(name string) string {
	r, size := utf8.DecodeRuneInString(name)
	if !unicode.Is(unicode.Han, r) {
		return ""
	}
	rest := name[size:]
	for _, s := range compoundSurnames {
		if strings.HasPrefix(name, s) && utf8.RuneCountInString(name) > 2 {
			rest = strings.TrimPrefix(name, s)
		}
	}
	if utf8.RuneCountInString(rest) < 2 {
		return ""
	}
	return rest
}

// Text returns text without the personal data it holds: first every
// known name and identifier (Known) is replaced wherever it appears, then
// patterns are scrubbed from what is left (resident ID numbers, mobiles,
// landlines, e-mail addresses, order references next to words such as 订单
// or order, street addresses). The text in k.Keep is left as it is. Legal
// text survives: article numbers, amounts, dates and docket numbers are not
// patterns. It never leaves a run of eleven or more digits, so no resident
// ID number or mobile number survives in any spelling without separators.
func Text(text string, k Known) string {
	// Private-use characters are reserved for the placeholders below.
	text = strings.Map(func(r rune) rune {
		if 0xE000 <= r && r <= 0xF8FF {
			return -1
		}
		return r
	}, text)
	text = foldWidth(text)

	// What must stay is set aside behind placeholders, so that no pattern
	// (or name) inside it is touched; it comes back at the end.
	keep := longestFirst(k.Keep)
	for i, s := range keep {
		text = strings.ReplaceAll(text, foldWidth(s), placeholder(i))
	}

	for _, id := range longestFirst(k.Identifiers) {
		text = replaceFold(text, id, Marker)
	}
	names := longestFirst(k.Names)
	for _, n := range names {
		text = replaceFold(text, n, MaskName(n))
	}
	for _, n := range names {
		if g := givenName(strings.TrimSpace(n)); g != "" {
			text = strings.ReplaceAll(text, g, "某")
		}
	}

	text = scrubPatterns(text)

	for i, s := range keep {
		text = strings.ReplaceAll(text, placeholder(i), s)
	}
	return text
}

func placeholder(i int) string { return string(rune(0xE000 + i%0x1000)) }

// longestFirst returns the non-blank strings of ss, trimmed, without
// repeats, longest first, so that a longer one is replaced before a part
// of it.
func longestFirst(ss []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range ss {
		s = strings.TrimSpace(s)
		if utf8.RuneCountInString(s) < 2 || seen[s] {
			continue
		}
		seen[s] = true
		out = append(out, s)
	}
	sort.SliceStable(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

// replaceFold replaces old in s, ignoring ASCII case (a resident ID's x,
// an e-mail address typed in capitals) and, between the characters of a
// number or a Chinese name, the spaces and dashes people write to group
// them (137 1234 5678, 司马 翠花).
func replaceFold(s, old, repl string) string {
	old = foldWidth(old)
	if old == "" {
		return s
	}
	var pat strings.Builder
	pat.WriteString(`(?i)`)
	spaced := spacedOK(old)
	for i, r := range old {
		if i > 0 && spaced {
			pat.WriteString(`[ \-\x{3000}]?`)
		}
		pat.WriteString(regexp.QuoteMeta(string(r)))
	}
	re, err := regexp.Compile(pat.String())
	if err != nil { // cannot happen with quoted characters; fall back to plain
		return strings.ReplaceAll(s, old, repl)
	}
	return re.ReplaceAllLiteralString(s, repl)
}

// spacedOK reports whether s is written with optional spaces between its
// characters: a number or code (digits and letters only) or a Chinese name.
func spacedOK(s string) bool {
	for _, r := range s {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || unicode.Is(unicode.Han, r)) {
			return false
		}
	}
	return true
}

// foldWidth turns full-width digits, letters and ＠ into ASCII, so that
// １３８… is found like 138…; Chinese punctuation is left as it is.
func foldWidth(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case 0xFF10 <= r && r <= 0xFF19, 0xFF21 <= r && r <= 0xFF3A, 0xFF41 <= r && r <= 0xFF5A, r == 0xFF20:
			return r - 0xFEE0
		}
		return r
	}, s)
}

// The patterns, applied in this order. Go's regexp has no look-around, so
// "not next to another digit" is checked by hand in digitBounded.
var (
	// An e-mail address.
	reEmail = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}`)
	// A resident ID number written in groups (330106 19900307 123X).
	reIDGroups = regexp.MustCompile(`\d{6}[ \-]\d{8}[ \-]\d{3}[\dXx]`)
	// A mobile number, perhaps with +86 and written in groups.
	reMobileGroups = regexp.MustCompile(`(?:\+?86[ \-]?)?1[3-9]\d[ \-]?\d{4}[ \-]?\d{4}`)
	// A landline: area code (0 and 2-3 digits, maybe in brackets), then 7
	// or 8 digits, maybe in groups, maybe an extension.
	reLandline = regexp.MustCompile(`[(（]?0\d{2,3}[)）]?[ \-]?\d{3,4}[ \-]?\d{4}(?:[ \-]?(?:转|ext\.?|x)[ \-]?\d{1,5})?`)
	// Eleven or more digits in a row (any resident ID, mobile, bank card or
	// long order number), with a resident ID's check character.
	reLongDigits = regexp.MustCompile(`\d{11,}[Xx]?`)
	// An order (or waybill, transaction) reference after the word that
	// introduces it.
	reOrderRef = regexp.MustCompile(`(?i)(订单编号|订单号码|订单号|订单|运单号|快递单号|物流单号|单号|交易号|交易单号|流水号|` +
		`order\s*(?:no\.?|number|ref(?:erence)?|id|#)?|tracking\s*(?:no\.?|number)?|waybill)` +
		`(\s*[:：#＃]?\s*(?:为|是|号为|号是)?\s*)([A-Za-z0-9][A-Za-z0-9_\-/]{3,63})`)
	// A street address in English: a number, up to three capitalised
	// words and the kind of street.
	reStreetEN = regexp.MustCompile(`\b\d{1,5}[A-Za-z]?,?\s+(?:[A-Z][a-z]+\s+){1,3}(?:Road|Rd|Street|St|Avenue|Ave|Lane|Ln|Boulevard|Blvd|Drive|Dr)\b\.?`)
	// The place part of a Chinese address that ends in a number: 文三路478号,
	// 华星大厦3幢1201室, 龙井村12号. Where it starts is found by hand
	// (addressStart).
	reAddrCN = regexp.MustCompile(`(?:大街|大道|胡同|小区|大厦|大楼|公寓|花园|新村|路|街|巷|弄|里|村|苑|园|城|广场|中心)` +
		`(?:[\dA-Za-z一二三四五六七八九十百零〇\-]+(?:号楼|号院|号|弄|栋|幢|座|单元|层|楼|室|户))+`)
)

// scrubPatterns removes the patterns from text.
func scrubPatterns(text string) string {
	text = reEmail.ReplaceAllLiteralString(text, Marker)
	text = reOrderRef.ReplaceAllStringFunc(text, func(m string) string {
		sub := reOrderRef.FindStringSubmatch(m)
		ref := sub[3]
		if !strings.ContainsAny(ref, "0123456789") || isAmount(ref) {
			return m
		}
		return sub[1] + sub[2] + Marker
	})
	text = digitBounded(reIDGroups, text)
	text = digitBounded(reMobileGroups, text)
	text = digitBounded(reLandline, text)
	text = reLongDigits.ReplaceAllLiteralString(text, Marker)
	text = reStreetEN.ReplaceAllLiteralString(text, Marker)
	text = scrubAddresses(text)
	return text
}

// isAmount reports whether an order-like token is a plain number of up to
// five digits, which after 订单 is an amount or a count (订单12800元), not a
// reference.
func isAmount(s string) bool {
	if len(s) > 5 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// digitBounded replaces the matches of re that have no digit right before
// or after them (a match inside a longer number is not one).
func digitBounded(re *regexp.Regexp, text string) string {
	var b strings.Builder
	last := 0
	for _, m := range re.FindAllStringIndex(text, -1) {
		if m[0] > 0 && isDigit(text[m[0]-1]) || m[1] < len(text) && isDigit(text[m[1]]) {
			continue
		}
		b.WriteString(text[last:m[0]])
		b.WriteString(Marker)
		last = m[1]
	}
	b.WriteString(text[last:])
	return b.String()
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// addressStops end the name of a street going backwards: the larger places
// (province, city, district, county, town) stay, and so do the words before
// an address (住, 位于, 寄往).
const addressStops = "省市区县州旗镇乡住址于在至到往寄送从自和与及的为是"

// scrubAddresses replaces the street, building and room of Chinese
// addresses, keeping the province, city and district (as published
// judgments do: 住浙江省杭州市西湖区×××).
func scrubAddresses(text string) string {
	var b strings.Builder
	last := 0
	for _, m := range reAddrCN.FindAllStringIndex(text, -1) {
		if m[0] < last {
			continue
		}
		start := addressStart(text[last:m[0]]) + last
		if start == m[0] && !startsRoadName(text[m[0]:m[1]]) {
			// No name before 路 or 村: 民初7号 and the like are not addresses.
			continue
		}
		if start > last || last == 0 {
			// A part right after the last one (大厦3幢 after 路478号)
			// belongs to the same address: one marker for both.
			b.WriteString(text[last:start])
			b.WriteString(Marker)
		}
		last = m[1]
	}
	b.WriteString(text[last:])
	return b.String()
}

// addressStart returns where the name of the street that ends before
// prefix's end begins: up to 12 letters, digits or Han characters back,
// stopping at punctuation or one of addressStops.
func addressStart(prefix string) int {
	i, n := len(prefix), 0
	for i > 0 && n < 12 {
		r, size := utf8.DecodeLastRuneInString(prefix[:i])
		if strings.ContainsRune(addressStops, r) || !(unicode.Is(unicode.Han, r) || unicode.IsLetter(r) || unicode.IsDigit(r)) {
			break
		}
		i -= size
		n++
	}
	return i
}

// startsRoadName reports whether an address match is a whole street word
// on its own that still names a place (大厦, 小区: 小区3栋 is an address
// even after 的).
func startsRoadName(m string) bool {
	for _, w := range []string{"小区", "大厦", "大楼", "公寓", "花园", "新村", "广场"} {
		if strings.HasPrefix(m, w) {
			return true
		}
	}
	return false
}
