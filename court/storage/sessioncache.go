package storage

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/shangcheng-court/courtd/court"
)

// sessionCache keeps the answers of SessionUser for a moment. Every API
// request checks its bearer token, and under load that read cost a fifth of
// the server's CPU (a reader's page cache is dropped at each commit of the
// writer, so the read goes back to the file).
//
// Revocation must not wait for the cache: every write transaction other than
// a filing (inTx) raises gen once it has committed, and an answer is used
// only while gen is still what it was before the answer was read from the
// database. Logging out, a changed password, a suspended user: each is such a
// transaction, so the next request reads the database again. Filings write
// no session or user row, so the group commit (filingBatcher) leaves gen
// alone and the cache serves a burst of filings. The TTL bounds what any
// write that escaped inTx could leave stale.
type sessionCache struct {
	gen atomic.Uint64
	ttl time.Duration

	mu sync.Mutex
	m  map[string]sessionCached
}

type sessionCached struct {
	gen  uint64
	at   time.Time
	sess Session
	user court.User
}

// sessionCacheTTL is how long an answer may be reused at most.
const sessionCacheTTL = time.Second

// sessionCacheMax bounds the entries; a full cache is emptied (the entries
// live a second anyway).
const sessionCacheMax = 10_000

func newSessionCache(ttl time.Duration) *sessionCache {
	return &sessionCache{ttl: ttl, m: make(map[string]sessionCached)}
}

// begin returns the generation to tag an answer about to be read with.
func (c *sessionCache) begin() uint64 { return c.gen.Load() }

// invalidate forgets every answer read before it: called after a commit.
func (c *sessionCache) invalidate() { c.gen.Add(1) }

// get returns copies of a valid cached answer.
func (c *sessionCache) get(tokenHash string, now time.Time) (*Session, *court.User, bool) {
	g := c.gen.Load()
	c.mu.Lock()
	e, ok := c.m[tokenHash]
	c.mu.Unlock()
	if !ok || e.gen != g || now.Sub(e.at) >= c.ttl || now.Before(e.at) {
		return nil, nil, false
	}
	s, u := e.sess, ownUser(e.user)
	return &s, &u, true
}

// put keeps an answer read at generation gen.
func (c *sessionCache) put(tokenHash string, gen uint64, now time.Time, s *Session, u *court.User) {
	e := sessionCached{gen: gen, at: now, sess: *s, user: ownUser(*u)}
	c.mu.Lock()
	if len(c.m) >= sessionCacheMax {
		clear(c.m)
	}
	c.m[tokenHash] = e
	c.mu.Unlock()
}

// ownUser is u with its own copy of what it points to, so that the cache
// and its callers share nothing a caller could change.
func ownUser(u court.User) court.User {
	if u.OrganizationID != nil {
		org := *u.OrganizationID
		u.OrganizationID = &org
	}
	return u
}
