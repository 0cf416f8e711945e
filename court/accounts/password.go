package accounts

import (
	"context"
	"runtime"

	"github.com/alexedwards/argon2id"
)

// hashParams are OWASP's first argon2id recommendation: 19 MiB, two passes,
// one lane.
var hashParams = &argon2id.Params{
	Memory:      19 * 1024,
	Iterations:  2,
	Parallelism: 1,
	SaltLength:  16,
	KeyLength:   32,
}

// hashing bounds how many argon2id computations run at once: each takes
// 19 MiB and a core for tens of milliseconds. A burst of logins queues here
// instead of exhausting memory, and one core stays free for every other
// request (docs/benchmarks.md has the figures for both choices).
var hashing = make(chan struct{}, max(1, runtime.GOMAXPROCS(0)-1))

// dummyHash is compared against when a username is unknown, so that a login
// for a missing account costs as much as one for an existing account.
var dummyHash, _ = argon2id.CreateHash("no such user, no such password", hashParams)

func acquire(ctx context.Context) error {
	select {
	case hashing <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func release() { <-hashing }

// HashPassword returns the PHC-encoded argon2id hash of pw.
func HashPassword(ctx context.Context, pw string) (string, error) {
	if err := acquire(ctx); err != nil {
		return "", err
	}
	defer release()
	return argon2id.CreateHash(pw, hashParams)
}

// VerifyPassword reports whether pw matches hash, in constant time.
func VerifyPassword(ctx context.Context, pw, hash string) (bool, error) {
	if err := acquire(ctx); err != nil {
		return false, err
	}
	defer release()
	return argon2id.ComparePasswordAndHash(pw, hash)
}
