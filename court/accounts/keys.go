package accounts

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/crypto/hkdf"
)

// KeyFile is the name, in the data dir, of the court's master secret. Whoever
// holds a copy of the database but not this file cannot read identity numbers
// or forge form tokens.
const KeyFile = "secret.key"

// Keys are the secrets derived from the master key, one per purpose.
type Keys struct {
	residentEnc []byte // AES-256-GCM for resident identity numbers
	residentMAC []byte // HMAC-SHA256 for looking them up
	CSRF        []byte // HMAC-SHA256 for form tokens
}

// LoadKeys reads the master key from dir, creating it (mode 0600) on first
// start, and derives the purpose keys from it.
func LoadKeys(dir string) (*Keys, error) {
	path := filepath.Join(dir, KeyFile)
	master, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		master = make([]byte, 32)
		if _, err := rand.Read(master); err != nil {
			return nil, err
		}
		if err := writeFileSync(path, master, 0o600); err != nil {
			return nil, fmt.Errorf("create %s: %w", path, err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(master) != 32 {
		return nil, fmt.Errorf("%s holds %d bytes, want 32: restore it from a backup", path, len(master))
	}
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%s is readable by others (mode %v): chmod 600 it", path, fi.Mode().Perm())
	}
	derive := func(purpose string) []byte {
		k := make([]byte, 32)
		if _, err := io.ReadFull(hkdf.New(sha256.New, master, nil, []byte("courtd "+purpose)), k); err != nil {
			panic(err) // hkdf cannot fail for 32 bytes
		}
		return k
	}
	return &Keys{
		residentEnc: derive("resident-id-enc"),
		residentMAC: derive("resident-id-mac"),
		CSRF:        derive("csrf"),
	}, nil
}

// writeFileSync creates path with data and flushes it and its directory to
// disk, failing if it exists.
func writeFileSync(path string, data []byte, perm os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// SealResidentID encrypts a resident identity number (nonce || ciphertext).
func (k *Keys) SealResidentID(id string) ([]byte, error) {
	gcm, err := k.gcm()
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, gcm.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return gcm.Seal(nonce, nonce, []byte(id), []byte("resident-id")), nil
}

// OpenResidentID decrypts what SealResidentID produced.
func (k *Keys) OpenResidentID(sealed []byte) (string, error) {
	gcm, err := k.gcm()
	if err != nil {
		return "", err
	}
	if len(sealed) < gcm.NonceSize() {
		return "", errors.New("sealed resident id too short")
	}
	pt, err := gcm.Open(nil, sealed[:gcm.NonceSize()], sealed[gcm.NonceSize():], []byte("resident-id"))
	return string(pt), err
}

// ResidentMAC is the keyed hash by which a resident identity number is found
// without being stored readable.
func (k *Keys) ResidentMAC(id string) string {
	m := hmac.New(sha256.New, k.residentMAC)
	m.Write([]byte(id))
	return hex.EncodeToString(m.Sum(nil))
}

func (k *Keys) gcm() (cipher.AEAD, error) {
	b, err := aes.NewCipher(k.residentEnc)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}
