package anonymise

import (
	"regexp"
	"strings"
	"testing"

	"github.com/shangcheng-court/courtd/court"
)

// validID returns a valid resident ID number from 17 digits.
func validID(first17 string) string { return first17 + string(court.ResidentIDCheck(first17)) }

func TestMaskName(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"张三", "张某"},
		{"张三丰", "张某"},
		{"欧阳娜娜", "欧阳某"},
		{"司马翠花", "司马某"},
		{"欧阳", "欧某"}, // two characters: a surname and a given name
		{"John Smith", "J."},
		{" alice", "A."},
		{"", ""},
	} {
		if got := MaskName(c.in); got != c.want {
			t.Errorf("MaskName(%q): got %q, want %q", c.in, got, c.want)
		}
	}
}

func TestAnonymisePatterns(t *testing.T) {
	id := validID("33010619900307123")
	for _, c := range []struct {
		name, in, want string
	}{
		{"resident ID", "身份证号" + id + "。", "身份证号×××。"},
		{"resident ID lower x", "证件 11010519491231002x 已核验", "证件 ××× 已核验"},
		{"resident ID in groups", "号码 330106 19900307 1234 止", "号码 ××× 止"},
		{"full-width mobile", "电话１３８１２３４５６７８。", "电话×××。"},
		{"mobile", "联系电话13812345678，", "联系电话×××，"},
		{"mobile +86 groups", "call +86 138-1234-5678 now", "call ××× now"},
		{"landline", "座机0571-87654321转8", "座机×××"},
		{"landline brackets", "电话（0571）8765 4321", "电话×××"},
		{"email", "邮箱 Zhang.San+tea@Example.com.cn 联系", "邮箱 ××× 联系"},
		{"order after 订单号", "订单号：TB20261126001，", "订单号：×××，"},
		{"order after 订单 为", "订单编号为 A1B2C3D4", "订单编号为 ×××"},
		{"order in English", "Order no. 4400-1234-99 was paid", "Order no. ××× was paid"},
		{"waybill", "快递单号SF1234567890123", "快递单号×××"},
		{"address", "原告住浙江省杭州市西湖区文三路478号华星大厦3幢1201室。", "原告住浙江省杭州市西湖区×××。"},
		{"village", "寄往余杭区良渚街道安溪村12号", "寄往余杭区×××"},
		{"estate", "送至小区3栋2单元501室", "送至×××"},
		{"English address", "lives at 12 Baker Street, London", "lives at ×××, London"},
		// Legal text stays.
		{"article", "依照《中华人民共和国消费者权益保护法》第五十五条第一款、第165条", "依照《中华人民共和国消费者权益保护法》第五十五条第一款、第165条"},
		{"amounts", "退还货款1280.00元，赔偿3840元，合计12,800元", "退还货款1280.00元，赔偿3840元，合计12,800元"},
		{"order amount", "订单12800元已支付", "订单12800元已支付"},
		{"date", "于2026-11-26 14:30签收", "于2026-11-26 14:30签收"},
		{"docket", "(2026)浙0102民初7号", "(2026)浙0102民初7号"},
		{"exhibit", "证据C-1、R-2", "证据C-1、R-2"},
	} {
		if got := Text(c.in, Known{}); got != c.want {
			t.Errorf("%s: Text(%q)\n got %q\nwant %q", c.name, c.in, got, c.want)
		}
	}
}

func TestAnonymiseKnown(t *testing.T) {
	id := validID("33010219850211002")
	k := Known{
		Names:       []string{"司马翠花", "John Smith", "李建国"},
		Identifiers: []string{id, "13700001111", "cuihua@example.org", "3301**********002X", "ZZ-77"},
		Keep:        []string{"杭州司马翠花茶业有限公司", "91330102MA27XQ1B4P"},
	}
	in := "原告司马翠花（身份证" + id + "，手机13700001111，CUIHUA@example.org）于订单ZZ-77购买。" +
		"翠花称John Smith与李建国均在场，司马 翠花的电话137 0000 1111，证件" + id[:4] + " " + id[4:8] + " " + id[8:12] + " " + id[12:16] + " " + id[16:] + "。被告杭州司马翠花茶业有限公司（91330102MA27XQ1B4P）。证件3301**********002X。"
	got := Text(in, k)
	want := "原告司马某（身份证×××，手机×××，×××）于订单×××购买。" +
		"某称J.与李某均在场，司马某的电话×××，证件×××。被告杭州司马翠花茶业有限公司（91330102MA27XQ1B4P）。证件×××。"
	if got != want {
		t.Errorf("Text\n got %q\nwant %q", got, want)
	}
}

var (
	reAnyID     = regexp.MustCompile(`\d{17}[\dXx]`)
	reAnyMobile = regexp.MustCompile(`1[3-9]\d{9}`)
)

// leaks returns a valid resident ID number or mobile number in s, if any.
func leaks(s string) string {
	for _, m := range reAnyID.FindAllString(s, -1) {
		if court.ResidentIDCheck(m[:17]) == strings.ToUpper(m[17:])[0] {
			return m
		}
	}
	for _, loc := range reAnyMobile.FindAllStringIndex(s, -1) {
		return s[loc[0]:loc[1]]
	}
	return ""
}

func FuzzAnonymise(f *testing.F) {
	for _, s := range []string{
		"原告张三，身份证号" + validID("33010619900307123") + "，电话13812345678，住杭州市西湖区文三路478号。",
		"订单号：TB20261126001 邮箱 a@b.cn 座机0571-87654321",
		"１３８１２３４５６７８ and 33010619900307123X",
		"1381234567813812345678",
		"第一百六十五条 1280.00元",
		"\uE000\uE001 13812345678",
	} {
		f.Add(s, "张三", "13812345678")
	}
	f.Fuzz(func(t *testing.T, text, name, ident string) {
		out := Text(text, Known{Names: []string{name}, Identifiers: []string{ident}})
		if l := leaks(out); l != "" {
			t.Fatalf("Text(%q) left %q in %q", text, l, out)
		}
	})
}
