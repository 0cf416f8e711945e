package ledger

import "fmt"

// KindRuling is the leaf of a signed ruling or mediation document: its case,
// its id and the SHA-256 of its canonical form (see court/rulings). Like
// every leaf it holds no personal data.
const KindRuling = "ruling"

// RulingLeaf is the leaf data recorded when a ruling is signed.
func RulingLeaf(caseID, rulingID int64, sha256 [32]byte) []byte {
	return fmt.Appendf(nil, "%s%s\ncase %d\nruling %d\nsha256 %x\n", leafPrefix, KindRuling, caseID, rulingID, sha256[:])
}

// SignMessage signs msg with the court's Ed25519 ledger key (a plain
// Ed25519 signature over msg, as note signatures are). Rulings use it: the
// same key that signs checkpoints signs the court's documents, so one public
// key checks both.
func (k *Key) SignMessage(msg []byte) ([]byte, error) { return k.signer.Sign(msg) }

// KeyName is the key's name and hash as in its verifier key text
// ("name+hash"), which a signature record carries to say which key made it.
func (k *Key) KeyName() string {
	return fmt.Sprintf("%s+%08x", k.signer.Name(), k.signer.KeyHash())
}

// ParseRulingLeaf reads leaf data written by RulingLeaf, accepting exactly
// that encoding. (ParseLeaf reads it too; the audit checks it against the
// rulings row of that id.)
func ParseRulingLeaf(data []byte) (caseID, rulingID int64, sum [32]byte, err error) {
	var h []byte
	_, err = fmt.Sscanf(string(data), leafPrefix+KindRuling+"\ncase %d\nruling %d\nsha256 %x\n", &caseID, &rulingID, &h)
	if err != nil || len(h) != 32 {
		return 0, 0, sum, fmt.Errorf("not a ruling leaf")
	}
	copy(sum[:], h)
	if string(RulingLeaf(caseID, rulingID, sum)) != string(data) {
		return 0, 0, sum, fmt.Errorf("ruling leaf is not in canonical form")
	}
	return caseID, rulingID, sum, nil
}
