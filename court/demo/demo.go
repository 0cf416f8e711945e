// Package demo seeds a new court with the demo accounts the README lists, so
// that a newcomer can try every role at once.
package demo

import (
	"context"

	"github.com/shangcheng-court/courtd/court"
	"github.com/shangcheng-court/courtd/court/accounts"
)

// Password is every demo account's password.
const Password = "demo-pass-2026"

// Account is one demo account, as printed at start.
type Account struct {
	Username string
	Role     court.Role
	Name     string
	Org      string // merchant organisation, for merchants
}

// Resident identity numbers and credit codes of the demo, with valid check
// characters computed from their first 17 characters.
var (
	ResidentID1 = withCheck("33010219900307123", court.ResidentIDCheck)
	ResidentID2 = withCheck("33010619851120456", court.ResidentIDCheck)
	CreditCode1 = withCheck("91330102MA2H3K7Q1", court.CreditCodeCheck)
	CreditCode2 = withCheck("91330106MA2J8L4N5", court.CreditCodeCheck)
)

func withCheck(first17 string, check func(string) byte) string {
	return first17 + string(check(first17))
}

// Accounts lists the demo accounts in the order they are created.
var Accounts = []Account{
	{"claimant1", court.RoleClaimant, "张伟", ""},
	{"claimant2", court.RoleClaimant, "李娜", ""},
	{"merchant1", court.RoleMerchant, "王芳", "杭州西湖龙井茶业有限公司"},
	{"merchant2", court.RoleMerchant, "刘洋", "杭州星光直播电子商务有限公司"},
	{"clerk1", court.RoleClerk, "陈静", ""},
	{"judge1", court.RoleJudge, "赵敏", ""},
	{"mediator1", court.RoleMediator, "孙丽", ""},
	{"agent1", court.RoleStationAgent, "周强", ""},
	{"admin1", court.RoleAdmin, "钱明", ""},
}

const seededSetting = "demo_seeded"

// Seed creates the demo accounts unless they were created before. It reports
// whether it created them.
func Seed(ctx context.Context, acc *accounts.Service) (bool, error) {
	done, err := acc.DB.Setting(ctx, seededSetting)
	if err != nil || done != "" {
		return false, err
	}
	ids := map[string]string{"claimant1": ResidentID1, "claimant2": ResidentID2}
	codes := map[string]string{"merchant1": CreditCode1, "merchant2": CreditCode2}
	mobiles := []string{"13800138001", "13800138002", "13800138003", "13800138004"}
	for i, a := range Accounts {
		switch a.Role {
		case court.RoleClaimant:
			_, err = acc.RegisterConsumer(ctx, court.ConsumerRegistration{
				Username: a.Username, Password: Password, Name: a.Name, Mobile: mobiles[i], ResidentID: ids[a.Username],
			})
		case court.RoleMerchant:
			_, err = acc.RegisterMerchant(ctx, court.MerchantRegistration{
				Username: a.Username, Password: Password, Name: a.Name, Mobile: mobiles[i],
				CreditCode: codes[a.Username], OrgName: a.Org,
			})
		default:
			_, err = acc.CreateStaff(ctx, court.StaffAccount{Username: a.Username, Password: Password, Name: a.Name, Role: a.Role})
		}
		// An account left by an interrupted earlier seeding is kept.
		if err != nil && court.ErrorCode(err) != court.ECONFLICT {
			return false, err
		}
	}
	return true, acc.DB.SetSetting(ctx, seededSetting, "1")
}
