package auth_test

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"gqlauth/auth"
)

// newPasswords returns a Passwords at bcrypt.MinCost, to keep tests fast.
func newPasswords(t *testing.T) *auth.Passwords {
	t.Helper()
	p, err := auth.NewPasswords(bcrypt.MinCost)
	if err != nil {
		t.Fatalf("NewPasswords(%d) = %v", bcrypt.MinCost, err)
	}
	return p
}

func TestNewPasswordsCost(t *testing.T) {
	t.Parallel()
	tests := []struct {
		cost    int
		wantErr bool
	}{
		{-1, true},
		{0, true},
		{bcrypt.MinCost - 1, true},
		{bcrypt.MinCost, false},
		{auth.DefaultCost, false},
		{bcrypt.MaxCost, false},
		{bcrypt.MaxCost + 1, true},
	}
	for _, tt := range tests {
		p, err := auth.NewPasswords(tt.cost)
		if gotErr := err != nil; gotErr != tt.wantErr {
			t.Errorf("NewPasswords(%d) error = %v, want error: %v", tt.cost, err, tt.wantErr)
		}
		if tt.wantErr && p != nil {
			t.Errorf("NewPasswords(%d) = %v with an error, want nil", tt.cost, p)
		}
		if !tt.wantErr && p == nil {
			t.Errorf("NewPasswords(%d) = nil, want a Passwords", tt.cost)
		}
	}
}

func TestHashPolicy(t *testing.T) {
	t.Parallel()
	p := newPasswords(t)
	tests := []struct {
		name     string
		password string
		wantErr  bool
	}{
		{"empty", "", true},
		{"7 bytes", strings.Repeat("a", 7), true},
		{"8 bytes", strings.Repeat("a", 8), false},
		// é is two bytes: 4 of them are 8 bytes though only 4 characters.
		{"8 bytes multibyte", "éééé", false},
		{"7 bytes multibyte", "ééé_", true},
		{"72 bytes", strings.Repeat("b", 72), false},
		{"73 bytes", strings.Repeat("b", 73), true},
		{"1000 bytes", strings.Repeat("c", 1000), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, err := p.Hash(tt.password)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("Hash(%d bytes) = %q, nil, want ErrInvalidInput", len(tt.password), h)
				}
				if !errors.Is(err, auth.ErrInvalidInput) {
					t.Errorf("Hash(%d bytes) = %v, want errors.Is(err, ErrInvalidInput)", len(tt.password), err)
				}
				if h != "" {
					t.Errorf("Hash(%d bytes) = %q with an error, want \"\"", len(tt.password), h)
				}
				return
			}
			if err != nil {
				t.Fatalf("Hash(%d bytes) = %v, want nil", len(tt.password), err)
			}
			if h == tt.password || !strings.HasPrefix(h, "$2") {
				t.Errorf("Hash(%d bytes) = %q, want a bcrypt hash", len(tt.password), h)
			}
			if cost, err := bcrypt.Cost([]byte(h)); err != nil || cost != bcrypt.MinCost {
				t.Errorf("bcrypt.Cost(hash) = %d, %v, want %d", cost, err, bcrypt.MinCost)
			}
			if !p.Match(h, tt.password) {
				t.Errorf("Match(Hash(%d bytes), same) = false, want true", len(tt.password))
			}
		})
	}
}

func TestHashMessages(t *testing.T) {
	t.Parallel()
	p := newPasswords(t)
	tests := []struct {
		password string
		want     string
	}{
		{"short", "password must be at least 8 bytes"},
		{strings.Repeat("x", 73), "password must be at most 72 bytes (bcrypt ignores the rest)"},
	}
	for _, tt := range tests {
		if _, err := p.Hash(tt.password); err == nil || err.Error() != tt.want {
			t.Errorf("Hash(%d bytes) = %v, want %q", len(tt.password), err, tt.want)
		}
	}
}

func TestHashSalted(t *testing.T) {
	t.Parallel()
	p := newPasswords(t)
	h1, err1 := p.Hash("correct horse battery")
	h2, err2 := p.Hash("correct horse battery")
	if err1 != nil || err2 != nil {
		t.Fatalf("Hash() = %v, %v", err1, err2)
	}
	if h1 == h2 {
		t.Errorf("Hash() twice = %q both times, want different salts", h1)
	}
}

func TestMatch(t *testing.T) {
	t.Parallel()
	p := newPasswords(t)
	const pw = "correct horse battery"
	hash, err := p.Hash(pw)
	if err != nil {
		t.Fatalf("Hash(%q) = %v", pw, err)
	}
	long72 := strings.Repeat("L", 72)
	hash72, err := p.Hash(long72)
	if err != nil {
		t.Fatalf("Hash(72 bytes) = %v", err)
	}
	tests := []struct {
		name     string
		hash     string
		password string
		want     bool
	}{
		{"right password", hash, pw, true},
		{"wrong password", hash, "wrong horse battery", false},
		{"case differs", hash, strings.ToUpper(pw), false},
		{"prefix", hash, pw[:len(pw)-1], false},
		{"extra byte", hash, pw + "!", false},
		{"empty password", hash, "", false},
		{"unknown user (empty hash)", "", pw, false},
		{"unknown user, dummy password", "", "dummy password for timing", false},
		{"unknown user, empty password", "", "", false},
		{"not a hash", "not-a-bcrypt-hash", pw, false},
		{"72 bytes", hash72, long72, true},
		{"73 bytes vs hash of its 72-byte prefix", hash72, long72 + "X", false},
		{"200 bytes vs hash of its 72-byte prefix", hash72, long72 + strings.Repeat("Y", 128), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := p.Match(tt.hash, tt.password); got != tt.want {
				t.Errorf("Match(%q, %q) = %v, want %v", tt.hash, tt.password, got, tt.want)
			}
		})
	}
}

func TestMatchLongPasswordAgainstForeignHash(t *testing.T) {
	t.Parallel()
	// A hash made elsewhere (bcrypt truncating at 72 bytes) must not let a
	// longer password in either: gqlauth never accepts more than 72 bytes.
	p := newPasswords(t)
	prefix := strings.Repeat("p", 72)
	h, err := bcrypt.GenerateFromPassword([]byte(prefix), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	if p.Match(string(h), prefix+"suffix") {
		t.Errorf("Match(hash of 72-byte prefix, 78-byte password) = true, want false")
	}
	if !p.Match(string(h), prefix) {
		t.Errorf("Match(hash of 72 bytes, same 72 bytes) = false, want true")
	}
}
