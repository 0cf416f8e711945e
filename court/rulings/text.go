package rulings

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/shangcheng-court/courtd/court"
)

// The document's text, from its fields: one template per language. Chinese
// is the language of the court's documents; the English rendering is a
// courtesy translation of the same fields (free text stays as the judge
// wrote it). The template lives here, not in the UI catalogs, because the
// document is rendered outside any request (PDF at signing) and its words
// are part of what is signed: they change only with a new Format.

// Style says how a paragraph is set.
type Style int

// Paragraph styles.
const (
	Body    Style = iota
	Title         // the court, the document's name: centred, large
	Right         // the number, the signature block: right-aligned
	Heading       // a section's lead-in
)

// Para is one paragraph of the rendered document.
type Para struct {
	Style Style
	Text  string
}

type words struct {
	judgment, mediation, claimant, respondent, creditCode, intro, introMed, claims, facts, evidence, exhibits,
	reasoning, ordersJ, ordersM, fee, feeShared, judge, seal, verify, court string
	order  func(i int, o Order, d Document) string
	date   func(t time.Time) string
	yuan   func(f court.Fen) string
	sideOf func(side string, d Document) string
	final  func(d Document) string
}

var zh = words{
	judgment: "民事判决书", mediation: "民事调解书", claimant: "原告：%s", respondent: "被告：%s",
	creditCode: "，统一社会信用代码：%s",
	intro:      "原告%s与被告%s买卖合同纠纷一案，本院立案后，依法适用小额诉讼程序审理。本案现已审理终结。",
	introMed:   "原告%s与被告%s买卖合同纠纷一案，本院依法适用小额诉讼程序审理。经本院主持调解，双方当事人自愿达成如下协议：",
	claims:     "原告诉讼请求：", facts: "本院查明：", evidence: "本院采信的证据：", exhibits: "证据编号：%s",
	reasoning: "本院认为：", ordersJ: "判决如下：", ordersM: "协议内容如下：",
	fee: "案件受理费%s元，由%s负担。", feeShared: "案件受理费%s元，由原告负担%s元，被告负担%s元。",
	judge: "审判员　%s", seal: "%s（印）", verify: "核验：%s", court: "%s",
	order: func(i int, o Order, d Document) string {
		s := fmt.Sprintf("%s、%s于本%s送达之日起%d日内向%s支付人民币%s元", cnOrdinal(i+1), zhSide(o.Payer, d),
			map[Kind]string{Judgment: "判决", Mediation: "调解书"}[d.Kind], o.DueDays, zhSide(o.Payee, d), o.Amount.Yuan())
		if o.What != "" {
			s += "（" + o.What + "）"
		}
		return s + "。"
	},
	date:   func(t time.Time) string { return t.In(court.Zone).Format("2006年1月2日") },
	yuan:   func(f court.Fen) string { return f.Yuan() },
	sideOf: zhSide,
	final:  func(d Document) string { return d.Final },
}

var en = words{
	judgment: "Civil Judgment", mediation: "Civil Mediation Statement", claimant: "Claimant: %s", respondent: "Respondent: %s",
	creditCode: ", unified social credit code %s",
	intro:      "The case of the claimant %s against the respondent %s, a dispute over a sales contract, was accepted by this court and heard under the small-claims procedure. The hearing has concluded.",
	introMed:   "The case of the claimant %s against the respondent %s, a dispute over a sales contract, was heard under the small-claims procedure. Through mediation by this court the parties have voluntarily agreed as follows:",
	claims:     "The claimant's claims:", facts: "Facts found by this court:", evidence: "Evidence admitted:", exhibits: "Exhibits: %s",
	reasoning: "This court holds:", ordersJ: "It is adjudged that:", ordersM: "The parties agree that:",
	fee: "The filing fee of %s yuan is borne by %s.", feeShared: "The filing fee of %s yuan is borne %s yuan by the claimant and %s yuan by the respondent.",
	judge: "Judge: %s", seal: "Seal of %s", verify: "Verify: %s", court: "%s",
	order: func(i int, o Order, d Document) string {
		s := fmt.Sprintf("%d. %s shall pay %s %s yuan within %d days after service of this document", i+1,
			enSide(o.Payer, d), enSide(o.Payee, d), o.Amount.Yuan(), o.DueDays)
		if o.What != "" {
			s += " (" + o.What + ")"
		}
		return s + "."
	},
	date:   func(t time.Time) string { return t.In(court.Zone).Format("2 January 2006") },
	yuan:   func(f court.Fen) string { return f.Yuan() },
	sideOf: enSide,
	final: func(d Document) string {
		if d.Kind == Mediation {
			return "This court confirms the agreement above, which does not violate the law. This mediation statement takes legal effect when the parties have received it."
		}
		return "This judgment is final. Under Article 165 of the Civil Procedure Law of the PRC this case was heard under the small-claims procedure, in which the first instance is final."
	},
}

func zhSide(side string, d Document) string {
	switch side {
	case SideClaimant:
		return "原告" + d.Claimant.Name
	case SideRespondent:
		return "被告" + d.Respondent.Name
	}
	return "本院"
}

func enSide(side string, d Document) string {
	switch side {
	case SideClaimant:
		return "the claimant " + d.Claimant.Name
	case SideRespondent:
		return "the respondent " + d.Respondent.Name
	}
	return "the court"
}

func cnOrdinal(n int) string {
	ds := []string{"", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十"}
	if n <= 10 {
		return ds[n]
	}
	if n < 20 {
		return "十" + ds[n-10]
	}
	return fmt.Sprint(n)
}

// Paragraphs renders d in lang ("en", or Chinese for anything else), ending
// with the verification line for verifyURL (none when empty).
func Paragraphs(d Document, lang, verifyURL string) []Para {
	w := zh
	if lang == "en" {
		w = en
	}
	var ps []Para
	add := func(s Style, t string) {
		if t != "" {
			ps = append(ps, Para{s, t})
		}
	}
	add(Title, fmt.Sprintf(w.court, d.Court))
	if d.Kind == Mediation {
		add(Title, w.mediation)
	} else {
		add(Title, w.judgment)
	}
	add(Right, d.Number)
	add(Body, fmt.Sprintf(w.claimant, d.Claimant.Name))
	resp := fmt.Sprintf(w.respondent, d.Respondent.Name)
	if d.Respondent.CreditCode != "" {
		resp += fmt.Sprintf(w.creditCode, d.Respondent.CreditCode)
	}
	add(Body, resp)
	section := func(head, body string) {
		if body != "" {
			add(Heading, head)
			for _, l := range strings.Split(body, "\n") {
				add(Body, l)
			}
		}
	}
	if d.Kind == Mediation {
		add(Body, fmt.Sprintf(w.introMed, d.Claimant.Name, d.Respondent.Name))
		section(w.claims, d.Claims)
		add(Heading, w.ordersM)
		for i, o := range d.Orders {
			add(Body, w.order(i, o, d))
		}
		for _, l := range strings.Split(d.Terms, "\n") {
			add(Body, l)
		}
	} else {
		add(Body, fmt.Sprintf(w.intro, d.Claimant.Name, d.Respondent.Name))
		section(w.claims, d.Claims)
		section(w.facts, d.Facts)
		section(w.evidence, d.Evidence)
		if len(d.Exhibits) > 0 {
			add(Body, fmt.Sprintf(w.exhibits, strings.Join(d.Exhibits, ", ")))
		}
		section(w.reasoning, d.Reasoning)
		add(Heading, w.ordersJ)
		for i, o := range d.Orders {
			add(Body, w.order(i, o, d))
		}
	}
	if d.Fee.Amount > 0 {
		if d.Fee.BorneBy == FeeShared {
			add(Body, fmt.Sprintf(w.feeShared, w.yuan(d.Fee.Amount), w.yuan(d.Fee.Claimant), w.yuan(d.Fee.Respondent)))
		} else {
			add(Body, fmt.Sprintf(w.fee, w.yuan(d.Fee.Amount), w.sideOf(d.Fee.BorneBy, d)))
		}
	}
	add(Body, w.final(d))
	add(Right, fmt.Sprintf(w.judge, d.Judge.Name))
	if t, err := time.Parse(time.RFC3339, d.SignedAt); err == nil {
		add(Right, w.date(t))
	}
	add(Right, fmt.Sprintf(w.seal, d.Seal))
	if verifyURL != "" {
		add(Body, fmt.Sprintf(w.verify, verifyURL))
		if u, err := url.Parse(verifyURL); err == nil && u.Query().Get("sha256") != "" {
			add(Body, "SHA-256: "+u.Query().Get("sha256"))
		}
	}
	return ps
}

// VerifyURL is the verification address printed on a document and carried
// by its QR code: base (the court's public address) + /verify with the
// number and the canonical SHA-256.
func VerifyURL(base, number string, sum [32]byte) string {
	return strings.TrimRight(base, "/") + "/verify?no=" + queryEscape(number) + fmt.Sprintf("&sha256=%x", sum[:])
}
