package auth

import (
	"fmt"
	"sync"

	"golang.org/x/crypto/bcrypt"
)

// Password length bounds, in bytes. bcrypt reads at most 72 bytes; a longer
// password is refused rather than silently truncated.
const (
	MinPasswordLen = 8
	MaxPasswordLen = 72
)

// DefaultCost is the bcrypt cost used unless configured otherwise.
const DefaultCost = 12

// Passwords hashes and checks passwords with bcrypt at a fixed cost.
type Passwords struct {
	cost int

	dummyOnce sync.Once
	dummy     []byte
}

// NewPasswords returns a Passwords that hashes at cost (bcrypt.MinCost to
// bcrypt.MaxCost). Tests use bcrypt.MinCost to stay fast.
func NewPasswords(cost int) (*Passwords, error) {
	if cost < bcrypt.MinCost || cost > bcrypt.MaxCost {
		return nil, fmt.Errorf("bcrypt cost %d out of range %d..%d", cost, bcrypt.MinCost, bcrypt.MaxCost)
	}
	return &Passwords{cost: cost}, nil
}

// checkPolicy reports why a new password is not acceptable.
func checkPolicy(password string) error {
	switch {
	case len(password) < MinPasswordLen:
		return invalidInput("password must be at least %d bytes", MinPasswordLen)
	case len(password) > MaxPasswordLen:
		return invalidInput("password must be at most %d bytes (bcrypt ignores the rest)", MaxPasswordLen)
	}
	return nil
}

// Hash checks password against the policy and returns its bcrypt hash.
func (p *Passwords) Hash(password string) (string, error) {
	if err := checkPolicy(password); err != nil {
		return "", err
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), p.cost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

// Match reports whether password matches hash. With hash == "" (unknown
// user) it still spends one comparison against a dummy hash of the same
// cost, so that both failures of a login take the same time.
func (p *Passwords) Match(hash, password string) bool {
	if hash == "" {
		p.dummyOnce.Do(func() {
			p.dummy, _ = bcrypt.GenerateFromPassword([]byte("dummy password for timing"), p.cost)
		})
		_ = bcrypt.CompareHashAndPassword(p.dummy, []byte(password))
		return false
	}
	if len(password) > MaxPasswordLen {
		// No stored hash can match it; compare anyway to keep the timing.
		password = password[:MaxPasswordLen]
		_ = bcrypt.CompareHashAndPassword([]byte(hash), []byte(password))
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}
