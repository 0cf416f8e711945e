package ledger

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// KeyFile is the court's ledger signing key in the data dir: the
// golang.org/x/mod/sumdb/note private key text. Losing it means no new
// checkpoint can be signed by the same key; leaking it means anyone can.
const KeyFile = "ledger.key"

// Key is the court's Ed25519 ledger key.
type Key struct {
	signer   note.Signer
	verifier note.Verifier
	vkey     string
}

// Origin is the checkpoints' origin line: the key's name.
func (k *Key) Origin() string { return k.signer.Name() }

// VerifierKey is the public key as note verifier key text
// ("origin+hash+base64"), what GET /api/v1/ledger/key returns and what
// courtd verify -key reads.
func (k *Key) VerifierKey() string { return k.vkey }

// Verifier checks signatures by this key.
func (k *Key) Verifier() note.Verifier { return k.verifier }

// LoadOrCreateKey reads dir/ledger.key, creating it (mode 0600) with a new
// key named origin when it does not exist. The origin of an existing key is
// the one it was created with: checkpoints keep one origin for the life of
// the ledger.
func LoadOrCreateKey(dir, origin string) (*Key, error) {
	path := filepath.Join(dir, KeyFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		skey, _, err := note.GenerateKey(rand.Reader, origin)
		if err != nil {
			return nil, fmt.Errorf("ledger key: %w", err)
		}
		// O_EXCL: two courtd started at once must not both write a key.
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, fmt.Errorf("ledger key: %w", err)
		}
		_, err = f.WriteString(skey + "\n")
		if err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(path)
			return nil, fmt.Errorf("ledger key: %w", err)
		}
		b = []byte(skey)
	} else if err != nil {
		return nil, fmt.Errorf("ledger key: %w", err)
	}
	return ParseKey(strings.TrimSpace(string(b)))
}

// ParseKey reads note private key text ("PRIVATE+KEY+name+hash+base64").
func ParseKey(skey string) (*Key, error) {
	s, err := note.NewSigner(skey)
	if err != nil {
		return nil, fmt.Errorf("ledger key: %w", err)
	}
	// The verifier key is derived from the private one, so that the key
	// file is the only thing to back up.
	// ("+" is in base64's alphabet: split off the four fields before it.)
	parts := strings.SplitN(skey, "+", 5)
	raw, err := base64.StdEncoding.DecodeString(parts[len(parts)-1])
	if err != nil || len(raw) != 1+ed25519.SeedSize || raw[0] != 1 {
		return nil, errors.New("ledger key: not an Ed25519 note key")
	}
	pub := ed25519.NewKeyFromSeed(raw[1:]).Public().(ed25519.PublicKey)
	vkey, err := note.NewEd25519VerifierKey(s.Name(), pub)
	if err != nil {
		return nil, fmt.Errorf("ledger key: %w", err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, fmt.Errorf("ledger key: %w", err)
	}
	return &Key{signer: s, verifier: v, vkey: vkey}, nil
}

// Checkpoint is a signed statement of the tree: its size and root hash.
type Checkpoint struct {
	Origin string
	Size   int64
	Root   tlog.Hash
	Note   string // the signed note text
}

// checkpointText is the body of a checkpoint note (C2SP tlog-checkpoint):
// origin, tree size in decimal, base64 root hash, one per line.
func checkpointText(origin string, size int64, root tlog.Hash) string {
	return fmt.Sprintf("%s\n%d\n%s\n", origin, size, base64.StdEncoding.EncodeToString(root[:]))
}

// Sign signs a checkpoint of the tree of size leaves with root hash root.
func (k *Key) Sign(size int64, root tlog.Hash) (Checkpoint, error) {
	msg, err := note.Sign(&note.Note{Text: checkpointText(k.Origin(), size, root)}, k.signer)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("sign checkpoint: %w", err)
	}
	return Checkpoint{Origin: k.Origin(), Size: size, Root: root, Note: string(msg)}, nil
}

// OpenCheckpoint checks the signature of a checkpoint note by v and parses
// it. The origin must be the key's name.
func OpenCheckpoint(msg string, v note.Verifier) (Checkpoint, error) {
	n, err := note.Open([]byte(msg), note.VerifierList(v))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("checkpoint signature: %w", err)
	}
	lines := strings.SplitN(n.Text, "\n", 4)
	if len(lines) < 4 {
		return Checkpoint{}, errors.New("checkpoint: fewer than three lines")
	}
	c := Checkpoint{Origin: lines[0], Note: msg}
	if c.Origin != v.Name() {
		return Checkpoint{}, fmt.Errorf("checkpoint origin %q is not the key's %q", c.Origin, v.Name())
	}
	if c.Size, err = strconv.ParseInt(lines[1], 10, 64); err != nil || c.Size < 0 || lines[1] != strconv.FormatInt(c.Size, 10) {
		return Checkpoint{}, fmt.Errorf("checkpoint size %q is not a number", lines[1])
	}
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(root) != tlog.HashSize {
		return Checkpoint{}, fmt.Errorf("checkpoint root %q is not a base64 hash", lines[2])
	}
	copy(c.Root[:], root)
	return c, nil
}
