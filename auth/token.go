package auth

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// MinSecretLen is the shortest HS256 secret accepted: RFC 7518 §3.2 asks
// for a key at least as long as the hash output.
const MinSecretLen = 32

// tokenType is the JWT "typ" header of an access token (RFC 9068 §2.1).
const tokenType = "at+jwt"

// Claims are the claims of an access token (RFC 9068 §2.2).
type Claims struct {
	jwt.RegisteredClaims
	// Scope is space-separated, as in OAuth 2.0.
	Scope string `json:"scope"`
	// SessionID is the login session the token was issued for ("sid",
	// OpenID Connect's name for it), so that a user can end every session
	// but the current one.
	SessionID int `json:"sid,omitempty"`
}

// UserID is the subject as a user ID, written as gqlauth writes it.
func (c *Claims) UserID() (int, error) {
	id, err := strconv.Atoi(c.Subject)
	if err == nil && strconv.Itoa(id) != c.Subject {
		err = fmt.Errorf("subject %q is not in canonical form", c.Subject)
	}
	return id, err
}

// Scopes splits Scope.
func (c *Claims) Scopes() []string {
	return strings.Fields(c.Scope)
}

// TokenConfig configures an Issuer.
type TokenConfig struct {
	Secret   []byte        // HS256 key, at least MinSecretLen bytes
	Issuer   string        // iss of issued tokens, and the only one accepted
	Audience string        // aud of issued tokens, and the only one accepted
	TTL      time.Duration // access token lifetime
}

// Issuer signs and verifies access tokens.
type Issuer struct {
	cfg    TokenConfig
	parser *jwt.Parser
	now    func() time.Time
}

// NewIssuer checks cfg and returns an Issuer for it.
func NewIssuer(cfg TokenConfig) (*Issuer, error) {
	switch {
	case len(cfg.Secret) < MinSecretLen:
		return nil, fmt.Errorf("JWT secret is %d bytes: it must be at least %d", len(cfg.Secret), MinSecretLen)
	case cfg.Issuer == "" || cfg.Audience == "":
		return nil, errors.New("token issuer and audience must not be empty")
	case cfg.TTL <= 0:
		return nil, fmt.Errorf("access token TTL must be positive, got %v", cfg.TTL)
	}
	return &Issuer{
		cfg: cfg,
		// The algorithm is pinned: the token's own "alg" header is never
		// trusted to choose how it is checked (RFC 8725 §3.1), so "none" and
		// algorithm-confusion tokens fail. exp, iss and aud are required.
		parser: jwt.NewParser(
			jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
			jwt.WithExpirationRequired(),
			jwt.WithIssuedAt(),
			jwt.WithIssuer(cfg.Issuer),
			jwt.WithAudience(cfg.Audience),
		),
		now: time.Now,
	}, nil
}

// TTL is the lifetime of the tokens this Issuer signs.
func (i *Issuer) TTL() time.Duration { return i.cfg.TTL }

// Sign returns a signed access token for userID carrying scopes, and its
// claims. sessionID 0 means none.
func (i *Issuer) Sign(userID, sessionID int, scopes []string) (string, *Claims, error) {
	now := i.now().Truncate(time.Second)
	claims := &Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    i.cfg.Issuer,
			Subject:   strconv.Itoa(userID),
			Audience:  jwt.ClaimStrings{i.cfg.Audience},
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(i.cfg.TTL)),
			ID:        randomString(16),
		},
		Scope:     strings.Join(scopes, " "),
		SessionID: sessionID,
	}
	t := jwt.NewWithClaims(jwt.SigningMethodHS256, claims)
	t.Header["typ"] = tokenType
	signed, err := t.SignedString(i.cfg.Secret)
	if err != nil {
		return "", nil, fmt.Errorf("sign access token: %w", err)
	}
	return signed, claims, nil
}

// Verify checks raw's algorithm, signature, type, exp, iss and aud, and
// returns its claims. Every failure is an ErrUnauthenticated whose message
// says what was wrong, without echoing the token.
func (i *Issuer) Verify(raw string) (*Claims, error) {
	claims := new(Claims)
	t, err := i.parser.ParseWithClaims(raw, claims, func(*jwt.Token) (any, error) {
		return i.cfg.Secret, nil
	})
	if err != nil {
		return nil, verifyError(t, err)
	}
	if typ, _ := t.Header["typ"].(string); !strings.EqualFold(typ, tokenType) && !strings.EqualFold(typ, "application/"+tokenType) {
		return nil, unauthenticated("access token has type %q, want %q", typ, tokenType)
	}
	if _, err := claims.UserID(); err != nil {
		return nil, unauthenticated("access token subject is not a user ID")
	}
	return claims, nil
}

// verifyError turns a jwt parse error into a message for the client.
func verifyError(t *jwt.Token, err error) error {
	alg := ""
	if t != nil {
		alg, _ = t.Header["alg"].(string)
	}
	switch {
	case errors.Is(err, jwt.ErrTokenMalformed):
		return unauthenticated("access token is malformed")
	case alg != jwt.SigningMethodHS256.Alg():
		return unauthenticated("access token algorithm %q is not accepted", alg)
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return unauthenticated("access token signature is invalid")
	case errors.Is(err, jwt.ErrTokenExpired):
		return ErrTokenExpired
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return unauthenticated("access token issuer is not accepted")
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		return unauthenticated("access token audience is not accepted")
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return unauthenticated("access token lacks a required claim")
	case errors.Is(err, jwt.ErrTokenUsedBeforeIssued), errors.Is(err, jwt.ErrTokenNotValidYet):
		return unauthenticated("access token is not valid yet")
	}
	return unauthenticated("access token is invalid")
}

// randomString returns n random bytes, base64url-encoded.
func randomString(n int) string {
	b := make([]byte, n)
	rand.Read(b) // never fails (crypto/rand, Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}
