package auth

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
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
	// Signing signs new tokens, and its tokens are accepted. Nil: an HS256
	// key made from Secret.
	Signing *Key
	// Verification keys are also accepted (found by the token's kid), so
	// that keys rotate without logging anyone out: sign with the new key,
	// keep the old one here until the tokens it signed have expired.
	Verification []*Key
	// Secret is a convenience for Signing: NewHMACKey(Secret), at least
	// MinSecretLen bytes. Set it or Signing, not both.
	Secret   []byte
	Issuer   string        // iss of issued tokens, and the only one accepted
	Audience string        // aud of issued tokens, and the only one accepted
	TTL      time.Duration // access token lifetime
}

// Issuer signs and verifies access tokens.
type Issuer struct {
	cfg     TokenConfig
	signing *Key
	keys    map[string]*Key // by kid: the signing key and the verification keys
	ordered []*Key          // the same, signing key first
	algs    []string        // the algorithms of keys, each once
	parser  *jwt.Parser
	now     func() time.Time
}

// NewIssuer checks cfg and returns an Issuer for it.
func NewIssuer(cfg TokenConfig) (*Issuer, error) {
	switch {
	case cfg.Signing != nil && len(cfg.Secret) > 0:
		return nil, errors.New("token config sets both a signing key and a secret: set one")
	case cfg.Issuer == "" || cfg.Audience == "":
		return nil, errors.New("token issuer and audience must not be empty")
	case cfg.TTL <= 0:
		return nil, fmt.Errorf("access token TTL must be positive, got %v", cfg.TTL)
	}
	signing := cfg.Signing
	if signing == nil {
		var err error
		if signing, err = NewHMACKey(cfg.Secret); err != nil {
			return nil, err
		}
	}
	if !signing.CanSign() {
		return nil, fmt.Errorf("signing key %s is a public key: signing needs the private key", signing.ID())
	}
	i := &Issuer{cfg: cfg, signing: signing, keys: map[string]*Key{}, now: time.Now}
	for _, k := range append([]*Key{signing}, cfg.Verification...) {
		if k == nil {
			return nil, errors.New("token config has a nil verification key")
		}
		if i.keys[k.ID()] != nil { // the same key twice, e.g. its private and public files
			continue
		}
		i.keys[k.ID()] = k
		i.ordered = append(i.ordered, k)
		if !slices.Contains(i.algs, k.Alg()) {
			i.algs = append(i.algs, k.Alg())
		}
	}
	// Algorithms are pinned: the token's own "alg" header is never trusted
	// to choose how it is checked (RFC 8725 §3.1). WithValidMethods lists
	// only the algorithms of configured keys, and the key a token names
	// must have the token's algorithm (see keyFor), so "none" and
	// algorithm-confusion tokens (HS256 "signed" with a public key) fail.
	// exp, iss and aud are required.
	i.parser = jwt.NewParser(
		jwt.WithValidMethods(i.algs),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithIssuer(cfg.Issuer),
		jwt.WithAudience(cfg.Audience),
	)
	return i, nil
}

// SigningKey is the key new tokens are signed with.
func (i *Issuer) SigningKey() *Key { return i.signing }

// Keys are every key whose tokens are accepted, the signing key first.
func (i *Issuer) Keys() []*Key { return slices.Clone(i.ordered) }

// PublicJWKs are the public keys among Keys, as JWKs: what a resource
// server needs to verify tokens itself. HS256 keys are never among them.
func (i *Issuer) PublicJWKs() []JWK {
	jwks := []JWK{}
	for _, k := range i.ordered {
		if jwk, ok := k.PublicJWK(); ok {
			jwks = append(jwks, jwk)
		}
	}
	return jwks
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
	t := jwt.NewWithClaims(jwt.GetSigningMethod(i.signing.Alg()), claims)
	t.Header["typ"] = tokenType
	t.Header["kid"] = i.signing.ID()
	signed, err := t.SignedString(i.signing.signingKey())
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
	t, err := i.parser.ParseWithClaims(raw, claims, i.keyFor)
	if err != nil {
		return nil, i.verifyError(t, err)
	}
	if typ, _ := t.Header["typ"].(string); !strings.EqualFold(typ, tokenType) && !strings.EqualFold(typ, "application/"+tokenType) {
		return nil, unauthenticated("access token has type %q, want %q", typ, tokenType)
	}
	if claims.IssuedAt == nil {
		return nil, unauthenticated("access token lacks a required claim (iat)") // RFC 9068 §2.2
	}
	if _, err := claims.UserID(); err != nil {
		return nil, unauthenticated("access token subject is not a user ID")
	}
	return claims, nil
}

// Why keyFor refuses a token; verifyError words them for the client.
var (
	errUnknownKey = errors.New("unknown kid")
	errKeyAlg     = errors.New("alg is not the key's")
	errCritical   = errors.New("crit header")
)

// keyFor picks the key that checks t: the configured key its "kid" names,
// or the signing key when it names none. The key's own algorithm must be
// the token's. Only configured keys are ever used: "jku", "x5u", "jwk" and
// "x5c" headers, which would let the token bring its own key, are ignored.
func (i *Issuer) keyFor(t *jwt.Token) (any, error) {
	if _, ok := t.Header["crit"]; ok {
		// RFC 7515 §4.1.11: extensions listed as critical must be
		// understood, and gqlauth understands none.
		return nil, errCritical
	}
	k := i.signing
	if kid, ok := t.Header["kid"]; ok {
		s, _ := kid.(string)
		if k = i.keys[s]; k == nil {
			return nil, errUnknownKey
		}
	}
	if alg, _ := t.Header["alg"].(string); alg != k.Alg() {
		return nil, errKeyAlg
	}
	return k.verificationKey(), nil
}

// unknownKID reports whether t names a key that is not configured.
func (i *Issuer) unknownKID(t *jwt.Token) bool {
	if t == nil {
		return false
	}
	kid, ok := t.Header["kid"]
	if !ok {
		return false
	}
	s, _ := kid.(string)
	return i.keys[s] == nil
}

// verifyError turns a jwt parse error into a message for the client.
func (i *Issuer) verifyError(t *jwt.Token, err error) error {
	alg := ""
	if t != nil {
		alg, _ = t.Header["alg"].(string)
	}
	switch {
	case errors.Is(err, jwt.ErrTokenMalformed):
		return unauthenticated("access token is malformed")
	case errors.Is(err, errCritical):
		return unauthenticated("access token has critical header parameters, which are not supported")
	case errors.Is(err, errUnknownKey) || i.unknownKID(t):
		// Before the algorithm: a token of a removed key whose algorithm no
		// configured key has any more is named for its key.
		return unauthenticated("access token key is unknown")
	case !slices.Contains(i.algs, alg) || errors.Is(err, errKeyAlg):
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
