package evidence

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/shangcheng-court/courtd/court"
)

// Store keeps exhibit files by content address: DIR/<first 2 hex>/<64 hex>,
// the lower-case SHA-256 of the content. Uploads are written to DIR/tmp
// first; only a complete, accepted, fsynced file is renamed into place, and
// its directory is fsynced before the database row that names it commits.
// The same content is stored once.
//
// Order of a put, and what a crash at each step leaves:
//
//	write DIR/tmp/upload-* while hashing   -> a temp file (swept at start)
//	fsync, rename to DIR/ab/<hex>, fsync   -> a blob no row names (swept at start)
//	commit the row                         -> a blob and its row
//
// A failed commit removes the blob unless another row names it; commits
// and removals hold mu, so a blob is never removed under a row that is
// being committed with the same content.
type Store struct {
	dir string
	mu  sync.Mutex
}

// OpenStore opens (creating) the blob store in dir.
func OpenStore(dir string) (*Store, error) {
	if err := os.MkdirAll(filepath.Join(dir, "tmp"), 0o700); err != nil {
		return nil, err
	}
	return &Store{dir: dir}, nil
}

// Dir is the store's directory.
func (s *Store) Dir() string { return s.dir }

// validHex reports whether h is a lower-case hex SHA-256.
func validHex(h string) bool {
	if len(h) != 64 {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// Path is where the blob with this hash lives.
func (s *Store) Path(hexSum string) string {
	return filepath.Join(s.dir, hexSum[:2], hexSum)
}

// Open opens the blob with this hash for reading.
func (s *Store) Open(hexSum string) (*os.File, error) {
	if !validHex(hexSum) {
		return nil, court.ErrNotFound()
	}
	return os.Open(s.Path(hexSum))
}

// Pending is an upload written to a temp file, hashed and typed, not yet in
// its place.
type Pending struct {
	SHA256 string // lower-case hex
	Size   int64
	MIME   string
	tmp    string
}

// Discard removes the temp file of an upload that will not be kept.
func (p *Pending) Discard() {
	if p != nil && p.tmp != "" {
		os.Remove(p.tmp)
		p.tmp = ""
	}
}

// Upload errors. Each is a *court.Error with a message in both languages;
// IsTooLarge tells the web layer to answer 413.
func errTooLarge(max int64) error {
	return court.Errorf(court.EINVALID, "err.exhibit_too_large", "Max", FormatSize(max))
}

func errEmpty() error { return court.Errorf(court.EINVALID, "err.exhibit_empty") }

func errType() error {
	return court.Errorf(court.EINVALID, "err.exhibit_type", "Accepted", Accepted)
}

func errLength() error { return court.Errorf(court.EINVALID, "err.exhibit_length") }

// IsTooLarge reports whether err refuses an upload for its size.
func IsTooLarge(err error) bool {
	var ce *court.Error
	return errors.As(err, &ce) && ce.Msg.Key == "err.exhibit_too_large"
}

// Ingest copies r to a temp file while hashing it and deciding its type,
// refusing it as soon as it is over max bytes, not of an accepted type, or
// (when declared >= 0) longer or shorter than declared. Memory use is one
// copy buffer whatever the size. On any error nothing is left on disk.
func (s *Store) Ingest(r io.Reader, max, declared int64) (_ *Pending, err error) {
	if declared > max {
		return nil, errTooLarge(max)
	}
	if declared == 0 {
		return nil, errEmpty()
	}
	f, err := os.CreateTemp(filepath.Join(s.dir, "tmp"), "upload-*")
	if err != nil {
		return nil, err
	}
	tmp := f.Name()
	defer func() {
		if f != nil {
			f.Close()
		}
		if err != nil {
			os.Remove(tmp)
		}
	}()

	h := sha256.New()
	// Read at most one byte past what is allowed, to tell "too long" apart.
	limit := max
	if declared > 0 {
		limit = declared
	}
	lr := io.LimitReader(r, limit+1)

	head := make([]byte, sniffLen)
	n, err := io.ReadFull(lr, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return nil, err
	}
	head = head[:n]
	switch {
	case n == 0 && declared > 0:
		return nil, errLength()
	case n == 0:
		return nil, errEmpty()
	case int64(n) > limit && declared > 0:
		return nil, errLength()
	case int64(n) > limit:
		return nil, errTooLarge(max)
	}
	mime, ok := sniff(head)
	if !ok {
		return nil, errType()
	}
	var text *textChecker
	w := io.MultiWriter(f, h)
	if mime == MIMEText {
		text = &textChecker{}
		w = io.MultiWriter(f, h, text)
	}
	if _, err := w.Write(head); err != nil {
		return nil, err
	}
	size := int64(n)
	buf := make([]byte, 256<<10)
	for {
		if text != nil && text.bad {
			return nil, errType() // refuse as soon as it is not text
		}
		m, rerr := lr.Read(buf)
		if m > 0 {
			size += int64(m)
			if size > limit {
				if declared > 0 {
					return nil, errLength()
				}
				return nil, errTooLarge(max)
			}
			if _, err := w.Write(buf[:m]); err != nil {
				return nil, err
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return nil, rerr
		}
	}
	if declared > 0 && size != declared {
		return nil, errLength()
	}
	if text != nil && !text.ok() {
		return nil, errType()
	}
	if err := f.Sync(); err != nil {
		return nil, err
	}
	if err := f.Close(); err != nil {
		f = nil
		return nil, err
	}
	f = nil
	return &Pending{SHA256: hex.EncodeToString(h.Sum(nil)), Size: size, MIME: mime, tmp: tmp}, nil
}

// Commit puts p in its place (unless the same content is there already)
// durably, then runs record, the database commit of the row that names it.
// When record fails, the blob is removed again unless inUse says another
// row names it. The temp file is gone either way.
func (s *Store) Commit(ctx context.Context, p *Pending, record func() error, inUse func(ctx context.Context, sum string) (bool, error)) error {
	defer p.Discard()
	s.mu.Lock()
	defer s.mu.Unlock()
	dst := s.Path(p.SHA256)
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return err
	}
	placed := false
	if _, err := os.Stat(dst); errors.Is(err, fs.ErrNotExist) {
		if err := os.Rename(p.tmp, dst); err != nil {
			return err
		}
		p.tmp = ""
		placed = true
		if err := syncDir(filepath.Dir(dst)); err != nil {
			return s.unplace(ctx, dst, p.SHA256, inUse, err)
		}
	} else if err != nil {
		return err
	}
	if err := record(); err != nil {
		if placed {
			return s.unplace(ctx, dst, p.SHA256, inUse, err)
		}
		return err
	}
	return nil
}

// unplace removes a blob whose row did not commit, unless a row names it;
// it returns cause.
func (s *Store) unplace(ctx context.Context, dst, sum string, inUse func(context.Context, string) (bool, error), cause error) error {
	used, err := inUse(context.WithoutCancel(ctx), sum)
	if err == nil && !used {
		os.Remove(dst)
		syncDir(filepath.Dir(dst))
	}
	return cause
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Sweep removes what an interrupted upload or a crash left behind: every
// temp file, and every blob no row names. Run it at start, before uploads
// are served.
func (s *Store) Sweep(ctx context.Context, inUse func(context.Context, string) (bool, error)) (removed int, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tmps, err := os.ReadDir(filepath.Join(s.dir, "tmp"))
	if err != nil {
		return 0, err
	}
	for _, t := range tmps {
		if err := os.Remove(filepath.Join(s.dir, "tmp", t.Name())); err == nil {
			removed++
		}
	}
	dirs, err := os.ReadDir(s.dir)
	if err != nil {
		return removed, err
	}
	for _, d := range dirs {
		if !d.IsDir() || len(d.Name()) != 2 {
			continue
		}
		files, err := os.ReadDir(filepath.Join(s.dir, d.Name()))
		if err != nil {
			return removed, err
		}
		for _, f := range files {
			name := f.Name()
			if !validHex(name) || name[:2] != d.Name() {
				continue // not ours: leave it for a person to look at
			}
			used, err := inUse(ctx, name)
			if err != nil {
				return removed, err
			}
			if !used {
				if err := os.Remove(filepath.Join(s.dir, d.Name(), name)); err != nil {
					return removed, err
				}
				removed++
			}
		}
	}
	return removed, nil
}

// FormatSize shows a byte count in binary units (1.5 GiB, 300 MiB, 12 KiB).
func FormatSize(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	v := float64(n) / float64(div)
	s := fmt.Sprintf("%.1f", v)
	if len(s) > 2 && s[len(s)-2:] == ".0" {
		s = s[:len(s)-2]
	}
	return s + " " + string("KMGTPE"[exp]) + "iB"
}
