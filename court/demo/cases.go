package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/accounts"
	"github.com/shangcheng-court/courtd/court/storage"
)

// CaseOptions say how many demonstration cases SeedCases makes and how.
type CaseOptions struct {
	N     int
	Seed  uint64        // the same seed gives the same cases
	Batch int           // cases per transaction (default 1000)
	Now   time.Time     // filings are spread over the year before it
	Log   func(n int)   // called after each batch with the cases stored so far
	Hash  func() string // the password hash of the generated claimants
}

// CaseStats count what SeedCases stored.
type CaseStats struct {
	Cases, Claimants int
	ByStatus         map[court.CaseStatus]int
}

// The people and things the facts are made of.
var (
	surnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
	given    = []rune("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞辉建国宇浩然子轩欣怡梓涵雨婷晨阳佳琪思远志诚嘉慧文博")
	cities   = []string{"杭州", "宁波", "温州", "义乌", "绍兴", "湖州", "嘉兴", "金华", "台州", "上海", "苏州", "深圳", "广州"}
	brands   = []string{"星辰", "优品", "鲜果坊", "云帆", "锦绣", "百味", "悦家", "极客", "青禾", "初见", "木子", "乐活", "满天星", "好物", "山海", "知味"}
	trades   = []string{"电子商务", "贸易", "商贸", "科技", "食品", "服饰", "茶业", "家居", "数码", "美妆"}
	platform = []string{"淘宝", "天猫", "京东", "拼多多", "抖音直播", "快手直播", "小红书", "微信小程序", "线下门店"}

	products = []struct {
		name     string
		defects  []string
		category court.Category
	}{
		{"西湖龙井茶叶", []string{"茶叶发霉结块", "包装内有异物", "实际是陈茶冒充新茶"}, court.CatQuality},
		{"智能手机", []string{"无法开机", "屏幕有坏点", "是翻新机", "电池鼓包"}, court.CatQuality},
		{"羽绒服", []string{"含绒量严重不足", "钻绒严重", "尺码与描述不符"}, court.CatQuality},
		{"扫地机器人", []string{"充电后无法启动", "噪音极大", "导航功能失灵"}, court.CatQuality},
		{"奶粉", []string{"临近保质期", "罐体破损", "批号与官网不符"}, court.CatCounterfeit},
		{"名牌运动鞋", []string{"鞋标做工粗糙，经鉴定为假货", "无正品防伪码"}, court.CatCounterfeit},
		{"护肤精华", []string{"使用后皮肤过敏", "成分与宣传不符", "经鉴定为假冒产品"}, court.CatCounterfeit},
		{"黄金手镯", []string{"克重不足", "含金量不达标"}, court.CatAdvertising},
		{"保健品", []string{"宣称能治病但毫无效果", "无保健食品批准文号"}, court.CatAdvertising},
		{"生鲜水果", []string{"到货时已经腐烂", "重量明显不足"}, court.CatDelivery},
		{"家具沙发", []string{"超过约定时间一个月仍未送达", "送货时被损坏"}, court.CatDelivery},
		{"健身会员卡", []string{"门店突然停业", "教练课程无法预约"}, court.CatService},
		{"课外辅导课程", []string{"机构倒闭失联", "课时被随意缩减"}, court.CatService},
		{"蓝牙耳机", []string{"左耳没有声音", "连接频繁断开"}, court.CatRefund},
	}
	excuses = []string{"已过七天无理由退货期", "商品已拆封", "属于特价商品", "需要先寄回检测", "活动商品概不退换"}
)

// factsFor writes the facts of one case from a few templates.
func factsFor(r *rand.Rand, shop, plat string, product int, amount court.Fen, bought time.Time) (string, court.Category) {
	p := products[product]
	defect := p.defects[r.IntN(len(p.defects))]
	staff := randomName(r)
	date := bought.In(court.Zone).Format("2006年1月2日")
	switch r.IntN(6) {
	case 0:
		return fmt.Sprintf("%s我在%s的“%s”店铺购买了%s，支付%s元。收到后发现%s。联系客服%s要求退货退款，对方以%s为由拒绝。",
			date, plat, shop, p.name, amount, defect, staff, excuses[r.IntN(len(excuses))]), p.category
	case 1:
		return fmt.Sprintf("%s在%s直播间，主播%s宣称%s是正品且假一赔十，我花%s元购买。收到后发现%s，属于虚假宣传，商家拒绝赔偿。",
			date, plat, staff, p.name, amount, defect), court.CatLivestream
	case 2:
		return fmt.Sprintf("我于%s在%s下单购买%s，商家承诺48小时内发货，但拖延%d天后才发出，收到时%s。申请退款至今未获处理。",
			date, plat, p.name, 5+r.IntN(30), defect), court.CatDelivery
	case 3:
		return fmt.Sprintf("在%s购买的%s（订单金额%s元）使用%d天后%s，商家%s拒绝履行保修承诺，也不同意退款。",
			plat, p.name, amount, 3+r.IntN(60), defect, shop), p.category
	case 4:
		return fmt.Sprintf("%s销售的%s%s。依据《消费者权益保护法》第五十五条，请求退还货款%s元并支付三倍赔偿。客服%s答复称%s。",
			shop, p.name, defect, amount, staff, excuses[r.IntN(len(excuses))]), court.CatCounterfeit
	default:
		return fmt.Sprintf("%s通过%s预付%s元购买%s，后因%s要求退款，商家只同意退还一半，余款至今未退。",
			date, plat, amount, p.name, defect), court.CatRefund
	}
}

func randomName(r *rand.Rand) string {
	n := string(surnames[r.IntN(len(surnames))]) + string(given[r.IntN(len(given))])
	if r.IntN(3) == 0 {
		n += string(given[r.IntN(len(given))])
	}
	return n
}

const codeChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// creditCode makes a well-formed unified social credit code.
func creditCode(r *rand.Rand) string {
	var b strings.Builder
	b.WriteString("9133")
	fmt.Fprintf(&b, "%04d", 100+r.IntN(9900))
	b.WriteString("MA")
	for range 7 {
		b.WriteByte(codeChars[r.IntN(len(codeChars))])
	}
	return withCheck(b.String(), court.CreditCodeCheck)
}

type merchant struct{ name, code string }

// SeedCases adds o.N realistic cases to a court that has the demo accounts:
// facts in Chinese from a few templates with random names, products,
// merchants and amounts; most cases served, some submitted, answered,
// returned, rejected or withdrawn; claimant1 (张伟) has 2% of them and
// merchant1's company 5%, so that their lists are long; judge1 is assigned
// a tenth of the served ones. Generated claimants (one per ten cases) can
// log in with the demo password when o.Hash gives its hash.
func SeedCases(ctx context.Context, acc *accounts.Service, p court.Profile, o CaseOptions) (CaseStats, error) {
	st := CaseStats{ByStatus: map[court.CaseStatus]int{}}
	if o.Batch <= 0 {
		o.Batch = 1000
	}
	if o.Now.IsZero() {
		o.Now = court.SystemClock()
	}
	db := acc.DB
	r := rand.New(rand.NewPCG(o.Seed, o.Seed^0x5eed))
	demoIDs := map[string]int64{}
	for _, a := range Accounts {
		u, _, err := db.Credentials(ctx, a.Username)
		if err != nil {
			return st, fmt.Errorf("demo account %s: %w (seed the demo accounts first)", a.Username, err)
		}
		demoIDs[a.Username] = u.ID
	}
	hash := "!" // no password: cannot log in
	if o.Hash != nil {
		hash = o.Hash()
	}
	// Claimants, one per ten cases, in one transaction per thousand.
	nClaimants := max(10, o.N/10)
	prefix := fmt.Sprintf("seed%d-", o.Seed)
	var claimants []int64
	for start := 0; start < nClaimants; start += o.Batch {
		var users []storage.NewUser
		for i := start; i < min(nClaimants, start+o.Batch); i++ {
			users = append(users, storage.NewUser{User: court.User{
				Username: fmt.Sprintf("%s%06d", prefix, i), Role: court.RoleClaimant, DisplayName: randomName(r),
				Mobile: fmt.Sprintf("139%08d", r.IntN(100_000_000)), Status: court.StatusActive, Lang: "zh-CN",
			}, PasswordHash: hash})
		}
		ids, err := db.ImportUsers(ctx, users)
		if err != nil {
			return st, err
		}
		claimants = append(claimants, ids...)
	}
	st.Claimants = len(claimants)
	// Merchants: the two demo companies and a thousand others.
	merchants := []merchant{{Accounts[2].Org, CreditCode1}, {Accounts[3].Org, CreditCode2}}
	for range 1000 {
		merchants = append(merchants, merchant{cities[r.IntN(len(cities))] + brands[r.IntN(len(brands))] +
			trades[r.IntN(len(trades))] + "有限公司", creditCode(r)})
	}
	if err := db.SetBulkLoad(ctx, true); err != nil {
		return st, err
	}
	defer db.SetBulkLoad(context.WithoutCancel(ctx), false)
	if err := db.SetSearchMerging(ctx, false); err != nil {
		return st, err
	}
	defer db.SetSearchMerging(context.WithoutCancel(ctx), true)
	capAmt, _ := p.Cap(o.Now.In(court.Zone).Year())
	judge := demoIDs["judge1"]
	// Filings spread evenly over the past year, oldest first, so that ids
	// and times grow together as they would.
	span := 365 * 24 * time.Hour
	step := span / time.Duration(max(1, o.N))
	t := o.Now.Add(-span)
	for start := 0; start < o.N; start += o.Batch {
		batch := make([]storage.ImportCase, 0, o.Batch)
		for i := start; i < min(o.N, start+o.Batch); i++ {
			t = t.Add(step)
			batch = append(batch, genCase(r, i, t, o.Now, claimants, demoIDs, merchants, judge, p, capAmt))
		}
		if _, err := db.ImportCases(ctx, batch, p.DocketNumber); err != nil {
			return st, err
		}
		for _, ic := range batch {
			st.ByStatus[ic.Case.Status]++
		}
		st.Cases += len(batch)
		if o.Log != nil {
			o.Log(st.Cases)
		}
	}
	if err := db.OptimizeSearch(ctx); err != nil {
		return st, err
	}
	return st, db.Analyze(ctx)
}

// genCase makes case number i, filed at t.
func genCase(r *rand.Rand, i int, t, now time.Time, claimants []int64, demoIDs map[string]int64, merchants []merchant,
	judge int64, p court.Profile, capAmt court.Fen) storage.ImportCase {
	claimant := claimants[r.IntN(len(claimants))]
	if r.IntN(50) == 0 {
		claimant = demoIDs["claimant1"]
	}
	m := merchants[2+r.IntN(len(merchants)-2)]
	switch x := r.IntN(100); {
	case x < 5:
		m = merchants[0]
	case x < 7:
		m = merchants[1]
	}
	plat := platform[r.IntN(len(platform))]
	refund := court.Fen(50+r.IntN(8000)) * 100
	if r.IntN(10) == 0 {
		refund = court.Fen(8000+r.IntN(30000)) * 100
	}
	bought := t.Add(-time.Duration(5+r.IntN(60)) * 24 * time.Hour)
	facts, cat := factsFor(r, m.name, plat, r.IntN(len(products)), refund, bought)
	var comp court.Fen
	if cat == court.CatCounterfeit || r.IntN(4) == 0 {
		comp = max(3*refund, 50_000) // Art 55: three times, at least 500 yuan
	}
	var costs court.Fen
	if r.IntN(3) == 0 {
		costs = court.Fen(20+r.IntN(300)) * 100
	}
	total := refund + comp + costs
	submitted := t
	c := court.Case{
		ClaimantID: claimant, FiledByID: claimant, MerchantName: m.name, CreditCode: m.code, Platform: plat,
		OrderRef: fmt.Sprintf("%s%d%07d", strings.ToUpper(string(codeChars[10+r.IntN(20)])), t.In(court.Zone).Year(), i),
		Category: cat, Facts: facts, PurchaseDate: bought.In(court.Zone).Format("2006-01-02"),
		Refund: refund, Compensation: comp, Costs: costs, Total: total, Fee: p.Fee(total), OverCap: total > capAmt,
		CreatedAt: t.Add(-time.Duration(r.IntN(3600)) * time.Second), SubmittedAt: &submitted,
	}
	if r.IntN(3) > 0 {
		c.FeeStatus = "paid"
	}
	filed := storage.Entry{ActorID: &c.ClaimantID, ActorRole: string(court.RoleClaimant), Kind: "filed", Public: true,
		Data: map[string]any{"Total": total.String(), "Fee": c.Fee.String()}, At: submitted}
	ic := storage.ImportCase{Entries: []storage.Entry{filed}}
	clerk := demoIDs["clerk1"]
	accepted := submitted.Add(time.Duration(1+r.IntN(72)) * time.Hour)
	if accepted.After(now) {
		accepted = now
	}
	serve := func() {
		due := court.EndOfDay(accepted, p.AnswerDays)
		conclude := court.AddMonths(accepted, p.ConcludeMonths)
		c.AcceptedAt, c.ServedAt, c.AnswerDue, c.ConcludeBy = &accepted, &accepted, &due, &conclude
		ic.Docket = true
		ic.Entries = append(ic.Entries,
			storage.Entry{ActorID: &clerk, ActorRole: string(court.RoleClerk), Kind: "accepted", Public: true, At: accepted},
			storage.Entry{ActorRole: "system", Kind: "served", Public: true, Data: map[string]any{"Due": due}, At: accepted})
		if r.IntN(10) == 0 {
			c.JudgeID = &judge
		}
	}
	c.UpdatedAt = accepted
	switch x := r.IntN(100); {
	case x < 70 || now.Sub(submitted) < 0:
		c.Status = court.CaseServed
		serve()
	case x < 78:
		c.Status = court.CaseAnswered
		serve()
	case x < 88:
		c.Status = court.CaseSubmitted
		c.UpdatedAt = submitted
	case x < 91:
		c.Status = court.CaseReturned
		c.Reason = "请补充购买凭证和商品照片。"
		ic.Entries = append(ic.Entries, storage.Entry{ActorID: &clerk, ActorRole: string(court.RoleClerk), Kind: "returned",
			Public: true, Text: c.Reason, At: accepted})
	case x < 94:
		c.Status = court.CaseRejected
		c.Reason = "不属于本院管辖。"
		ic.Entries = append(ic.Entries, storage.Entry{ActorID: &clerk, ActorRole: string(court.RoleClerk), Kind: "rejected",
			Public: true, Text: c.Reason, At: accepted})
	default:
		c.Status = court.CaseWithdrawn
		serve()
		ic.Entries = append(ic.Entries, storage.Entry{ActorID: &c.ClaimantID, ActorRole: string(court.RoleClaimant),
			Kind: "withdrawn", Public: true, Text: "已与商家自行和解。", At: accepted})
	}
	if c.Status == court.CaseServed || c.Status == court.CaseAnswered || c.Status == court.CaseWithdrawn {
		c.UpdatedAt = accepted
	}
	ic.Case = c
	return ic
}
