package court

// ConsentMethod is how a villager gave consent to a filing a station agent
// made for them.
type ConsentMethod string

// The ways of consenting a station records: a signature or a thumbprint on
// the station's paper form (kept at the station), or consent given aloud in
// front of the agent.
const (
	ConsentSigned     ConsentMethod = "signed"
	ConsentThumbprint ConsentMethod = "thumbprint"
	ConsentOral       ConsentMethod = "oral"
)

// ConsentMethods lists them in display order.
var ConsentMethods = []ConsentMethod{ConsentSigned, ConsentThumbprint, ConsentOral}

// Villager is the person a station agent files for: who they are and how
// they consented. The agent files only for a villager who is present, was
// read the claim, and consents (Present).
type Villager struct {
	Name       string        `json:"name"`
	ResidentID string        `json:"resident_id"`
	Mobile     string        `json:"mobile"`
	Method     ConsentMethod `json:"consent_method"`
	// Present is the agent's statement that the villager is present, was
	// read the claim and consents to it being filed.
	Present bool `json:"present"`
}

// Validate normalises v and checks who the villager is and how they
// consented; field names carry the prefix
// "villager_" so that they can sit next to a filing's fields.
func (v *Villager) Validate() error {
	var c Validator
	v.Name = c.Text("villager_name", v.Name, 1, 50, false)
	v.ResidentID = c.ResidentID("villager_resident_id", v.ResidentID)
	v.Mobile = c.Mobile("villager_mobile", v.Mobile)
	ok := false
	for _, m := range ConsentMethods {
		ok = ok || v.Method == m
	}
	c.Check(ok, "villager_consent_method", "err.invalid_choice")
	// Present is checked with the filing (Filing.VillagerConsent), which
	// reports it on the field villager_consent.
	return c.Err()
}
