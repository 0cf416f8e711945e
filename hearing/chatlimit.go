package hearing

import "time"

// Each chat message is written to the hearing record as it is posted (the
// OnChat hook), so one client must not be able to flood the court's
// database: a participant may post chatBurst messages at once and then one
// per chatEvery. A person typing never comes near it; a script does. The
// bucket is kept per user, not per connection, so reconnecting does not
// refill it.
const (
	chatBurst = 10
	chatEvery = time.Second
)

// chatBucket is one user's token bucket: tokens left as of at.
type chatBucket struct {
	tokens float64
	at     time.Time
}

// chatAllowedLocked takes a token of user's bucket at now, reporting false
// when there is none. Called with r.mu held.
func (r *room) chatAllowedLocked(user int64, now time.Time) bool {
	if r.chatRate == nil {
		r.chatRate = map[int64]*chatBucket{}
	}
	b := r.chatRate[user]
	if b == nil {
		b = &chatBucket{tokens: chatBurst, at: now}
		r.chatRate[user] = b
	}
	b.tokens = min(chatBurst, b.tokens+float64(now.Sub(b.at))/float64(chatEvery))
	b.at = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
