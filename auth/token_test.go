package auth_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"gqlauth/auth"
)

// Test token settings shared by every test of the package.
var (
	testSecret   = []byte("0123456789abcdef0123456789abcdef") // exactly auth.MinSecretLen
	testIssuer   = "gqlauth-test"
	testAudience = "gqlauth-test-api"
	testTTL      = 15 * time.Minute
)

// newIssuer returns an Issuer with the test settings and ttl.
func newIssuer(t *testing.T, ttl time.Duration) *auth.Issuer {
	t.Helper()
	iss, err := auth.NewIssuer(auth.TokenConfig{Secret: testSecret, Issuer: testIssuer, Audience: testAudience, TTL: ttl})
	if err != nil {
		t.Fatalf("NewIssuer() = %v, want nil error", err)
	}
	return iss
}

// decodeSegment decodes part i (0 header, 1 payload) of a compact JWT as a
// JSON object.
func decodeSegment(t *testing.T, token string, i int) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token %q has %d segments, want 3", token, len(parts))
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[i])
	if err != nil {
		t.Fatalf("decode segment %d of %q: %v", i, token, err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("unmarshal segment %d (%s): %v", i, raw, err)
	}
	return m
}

// validClaims returns claims the test issuer accepts, for subject sub.
func validClaims(sub string) jwt.MapClaims {
	now := time.Now()
	return jwt.MapClaims{
		"iss":   testIssuer,
		"aud":   []string{testAudience},
		"sub":   sub,
		"iat":   now.Unix(),
		"exp":   now.Add(time.Hour).Unix(),
		"jti":   "test-jti",
		"scope": "me items",
	}
}

// signToken signs claims with method and key, with header typ unless typ is
// nil (no typ header at all).
func signToken(t *testing.T, method jwt.SigningMethod, key any, typ any, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, claims)
	if typ == nil {
		delete(tok.Header, "typ")
	} else {
		tok.Header["typ"] = typ
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatalf("sign %s token: %v", method.Alg(), err)
	}
	return s
}

func TestNewIssuer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		cfg     auth.TokenConfig
		wantErr bool
	}{
		{"valid", auth.TokenConfig{Secret: testSecret, Issuer: "i", Audience: "a", TTL: time.Minute}, false},
		{"secret 31 bytes", auth.TokenConfig{Secret: testSecret[:31], Issuer: "i", Audience: "a", TTL: time.Minute}, true},
		{"secret empty", auth.TokenConfig{Secret: nil, Issuer: "i", Audience: "a", TTL: time.Minute}, true},
		{"secret 64 bytes", auth.TokenConfig{Secret: append(append([]byte{}, testSecret...), testSecret...), Issuer: "i", Audience: "a", TTL: time.Minute}, false},
		{"empty issuer", auth.TokenConfig{Secret: testSecret, Issuer: "", Audience: "a", TTL: time.Minute}, true},
		{"empty audience", auth.TokenConfig{Secret: testSecret, Issuer: "i", Audience: "", TTL: time.Minute}, true},
		{"zero TTL", auth.TokenConfig{Secret: testSecret, Issuer: "i", Audience: "a", TTL: 0}, true},
		{"negative TTL", auth.TokenConfig{Secret: testSecret, Issuer: "i", Audience: "a", TTL: -time.Second}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			iss, err := auth.NewIssuer(tt.cfg)
			if gotErr := err != nil; gotErr != tt.wantErr {
				t.Fatalf("NewIssuer(%+v) error = %v, want error: %v", tt.cfg, err, tt.wantErr)
			}
			if !tt.wantErr {
				if iss == nil {
					t.Fatal("NewIssuer() = nil Issuer with nil error")
				}
				if got := iss.TTL(); got != tt.cfg.TTL {
					t.Errorf("TTL() = %v, want %v", got, tt.cfg.TTL)
				}
			} else if iss != nil {
				t.Errorf("NewIssuer(%+v) = %v, want nil Issuer with the error", tt.cfg, iss)
			}
		})
	}
}

func TestSignHeaderAndClaims(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t, testTTL)
	before := time.Now().Unix()
	raw, claims, err := iss.Sign(42, 0, []string{"me", "items:write"})
	after := time.Now().Unix()
	if err != nil {
		t.Fatalf("Sign() = %v", err)
	}

	header := decodeSegment(t, raw, 0)
	if got := header["typ"]; got != "at+jwt" {
		t.Errorf("header typ = %v, want at+jwt", got)
	}
	if got := header["alg"]; got != "HS256" {
		t.Errorf("header alg = %v, want HS256", got)
	}

	p := decodeSegment(t, raw, 1)
	if got := p["iss"]; got != testIssuer {
		t.Errorf("iss = %v, want %q", got, testIssuer)
	}
	// aud may be a string or a one-element array (RFC 7519 §4.1.3).
	switch aud := p["aud"].(type) {
	case string:
		if aud != testAudience {
			t.Errorf("aud = %q, want %q", aud, testAudience)
		}
	case []any:
		if len(aud) != 1 || aud[0] != testAudience {
			t.Errorf("aud = %v, want [%q]", aud, testAudience)
		}
	default:
		t.Errorf("aud = %#v, want %q", p["aud"], testAudience)
	}
	if got := p["sub"]; got != "42" {
		t.Errorf("sub = %#v, want \"42\" (the user ID as a decimal string)", got)
	}
	if got := p["scope"]; got != "me items:write" {
		t.Errorf("scope = %#v, want \"me items:write\"", got)
	}
	iat, ok := p["iat"].(float64)
	if !ok {
		t.Fatalf("iat = %#v, want a number", p["iat"])
	}
	exp, ok := p["exp"].(float64)
	if !ok {
		t.Fatalf("exp = %#v, want a number", p["exp"])
	}
	if int64(iat) < before-1 || int64(iat) > after {
		t.Errorf("iat = %v, want between %d and %d", int64(iat), before-1, after)
	}
	if want := int64(iat) + int64(testTTL/time.Second); int64(exp) != want {
		t.Errorf("exp = %d, want iat + TTL = %d", int64(exp), want)
	}
	jti, _ := p["jti"].(string)
	if len(jti) < 16 {
		t.Errorf("jti = %q, want a random ID of at least 16 characters", jti)
	}
	if len(p) != 7 {
		t.Errorf("payload has %d claims (%v), want exactly iss aud sub iat exp jti scope", len(p), p)
	}

	// The returned claims are the ones signed.
	if claims == nil {
		t.Fatal("Sign() returned nil claims")
	}
	if claims.Subject != "42" || claims.Issuer != testIssuer || claims.ID != jti || claims.Scope != "me items:write" {
		t.Errorf("Sign() claims = %+v, want sub 42, iss %q, jti %q, scope \"me items:write\"", claims, testIssuer, jti)
	}
	if id, err := claims.UserID(); err != nil || id != 42 {
		t.Errorf("claims.UserID() = %d, %v, want 42, nil", id, err)
	}
}

func TestSignScopes(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t, testTTL)
	tests := []struct {
		name   string
		scopes []string
		want   string
	}{
		{"nil", nil, ""},
		{"empty", []string{}, ""},
		{"one", []string{"me"}, "me"},
		{"all", auth.Scopes, "me items items:write users:read users:write"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			raw, _, err := iss.Sign(7, 0, tt.scopes)
			if err != nil {
				t.Fatalf("Sign(7, %q) = %v", tt.scopes, err)
			}
			c, err := iss.Verify(raw)
			if err != nil {
				t.Fatalf("Verify(Sign(7, %q)) = %v, want nil", tt.scopes, err)
			}
			if c.Scope != tt.want {
				t.Errorf("scope claim = %q, want %q", c.Scope, tt.want)
			}
			wantFields := strings.Fields(tt.want)
			if got := c.Scopes(); strings.Join(got, ",") != strings.Join(wantFields, ",") {
				t.Errorf("Scopes() = %q, want %q", got, wantFields)
			}
		})
	}
}

func TestSignJTIUnique(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t, testTTL)
	seen := make(map[string]bool)
	for range 50 {
		_, c, err := iss.Sign(1, 0, []string{"me"})
		if err != nil {
			t.Fatalf("Sign() = %v", err)
		}
		if c.ID == "" {
			t.Fatal("Sign() jti is empty")
		}
		if seen[c.ID] {
			t.Fatalf("Sign() reused jti %q", c.ID)
		}
		seen[c.ID] = true
	}
}

func TestVerifyValid(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t, testTTL)
	raw, signed, err := iss.Sign(4294967297, 0, []string{"me", "items"})
	if err != nil {
		t.Fatalf("Sign() = %v", err)
	}
	c, err := iss.Verify(raw)
	if err != nil {
		t.Fatalf("Verify(%q) = %v, want nil", raw, err)
	}
	if id, err := c.UserID(); err != nil || id != 4294967297 {
		t.Errorf("UserID() = %d, %v, want 4294967297, nil", id, err)
	}
	if c.ID != signed.ID || c.Scope != "me items" || c.Issuer != testIssuer {
		t.Errorf("Verify() claims = %+v, want %+v", c, signed)
	}
	if !c.ExpiresAt.Equal(signed.ExpiresAt.Time) || !c.IssuedAt.Equal(signed.IssuedAt.Time) {
		t.Errorf("Verify() iat/exp = %v/%v, want %v/%v", c.IssuedAt, c.ExpiresAt, signed.IssuedAt, signed.ExpiresAt)
	}

	// typ is compared case-insensitively, and its "application/" form is the
	// same media type (RFC 7515 §4.1.9).
	for _, typ := range []string{"AT+JWT", "application/at+jwt"} {
		tok := signToken(t, jwt.SigningMethodHS256, testSecret, typ, validClaims("5"))
		if _, err := iss.Verify(tok); err != nil {
			t.Errorf("Verify(token with typ %q) = %v, want nil", typ, err)
		}
	}
}

func TestVerifyRejects(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t, testTTL)
	good, _, err := iss.Sign(42, 0, []string{"me"})
	if err != nil {
		t.Fatalf("Sign() = %v", err)
	}
	parts := strings.Split(good, ".")

	// Payload changed (sub 42 → 1), signature kept.
	payload := decodeSegment(t, good, 1)
	payload["sub"] = "1"
	tamperedJSON, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	tamperedPayload := parts[0] + "." + base64.RawURLEncoding.EncodeToString(tamperedJSON) + "." + parts[2]

	// Signature's first character changed (the last one may only carry
	// padding bits).
	sig := []byte(parts[2])
	if sig[0] == 'A' {
		sig[0] = 'B'
	} else {
		sig[0] = 'A'
	}
	tamperedSig := parts[0] + "." + parts[1] + "." + string(sig)

	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	otherSecret := []byte("another-secret-of-32-bytes-long!!")

	with := func(edit func(jwt.MapClaims)) jwt.MapClaims {
		c := validClaims("42")
		edit(c)
		return c
	}
	hs256 := func(typ any, c jwt.MapClaims) string {
		return signToken(t, jwt.SigningMethodHS256, testSecret, typ, c)
	}

	randomBytes := make([]byte, 96)
	rand.Read(randomBytes)

	const (
		malformed = "access token is malformed"
		badSig    = "access token signature is invalid"
		missing   = "access token lacks a required claim"
	)
	tests := []struct {
		name    string
		token   string
		wantMsg string
	}{
		{"tampered payload", tamperedPayload, badSig},
		{"tampered signature", tamperedSig, badSig},
		{"other secret", signToken(t, jwt.SigningMethodHS256, otherSecret, "at+jwt", validClaims("42")), badSig},
		{"expired", hs256("at+jwt", with(func(c jwt.MapClaims) {
			c["iat"] = time.Now().Add(-2 * time.Hour).Unix()
			c["exp"] = time.Now().Add(-time.Hour).Unix()
		})), "access token has expired"},
		{"expired one second ago", hs256("at+jwt", with(func(c jwt.MapClaims) {
			c["exp"] = time.Now().Add(-time.Second).Unix()
		})), "access token has expired"},
		{"HS384 same secret", signToken(t, jwt.SigningMethodHS384, testSecret, "at+jwt", validClaims("42")), `access token algorithm "HS384" is not accepted`},
		{"HS512 same secret", signToken(t, jwt.SigningMethodHS512, testSecret, "at+jwt", validClaims("42")), `access token algorithm "HS512" is not accepted`},
		{"RS256", signToken(t, jwt.SigningMethodRS256, rsaKey, "at+jwt", validClaims("42")), `access token algorithm "RS256" is not accepted`},
		{"ES256", signToken(t, jwt.SigningMethodES256, ecKey, "at+jwt", validClaims("42")), `access token algorithm "ES256" is not accepted`},
		{"alg none", signToken(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, "at+jwt", validClaims("42")), `access token algorithm "none" is not accepted`},
		{"wrong issuer", hs256("at+jwt", with(func(c jwt.MapClaims) { c["iss"] = "someone-else" })), "access token issuer is not accepted"},
		{"missing issuer", hs256("at+jwt", with(func(c jwt.MapClaims) { delete(c, "iss") })), missing},
		{"wrong audience", hs256("at+jwt", with(func(c jwt.MapClaims) { c["aud"] = []string{"other-api"} })), "access token audience is not accepted"},
		{"missing audience", hs256("at+jwt", with(func(c jwt.MapClaims) { delete(c, "aud") })), missing},
		{"missing exp", hs256("at+jwt", with(func(c jwt.MapClaims) { delete(c, "exp") })), missing},
		{"missing iat", hs256("at+jwt", with(func(c jwt.MapClaims) { delete(c, "iat") })), "access token lacks a required claim (iat)"},
		{"issued in the future", hs256("at+jwt", with(func(c jwt.MapClaims) { c["iat"] = time.Now().Add(time.Hour).Unix() })), "access token is not valid yet"},
		{"not before in the future", hs256("at+jwt", with(func(c jwt.MapClaims) { c["nbf"] = time.Now().Add(time.Hour).Unix() })), "access token is not valid yet"},
		{"typ JWT", hs256("JWT", validClaims("42")), `access token has type "JWT", want "at+jwt"`},
		{"typ missing", hs256(nil, validClaims("42")), `access token has type "", want "at+jwt"`},
		{"typ not a string", hs256(1, validClaims("42")), `access token has type "", want "at+jwt"`},
		{"sub username", hs256("at+jwt", validClaims("alice")), "access token subject is not a user ID"},
		{"sub empty", hs256("at+jwt", validClaims("")), "access token subject is not a user ID"},
		{"sub missing", hs256("at+jwt", with(func(c jwt.MapClaims) { delete(c, "sub") })), "access token subject is not a user ID"},
		{"sub decimal fraction", hs256("at+jwt", validClaims("4.2")), "access token subject is not a user ID"},
		{"empty string", "", malformed},
		{"one word", "abc", malformed},
		{"a.b.c", "a.b.c", malformed},
		{"two segments", parts[0] + "." + parts[1], malformed},
		{"four segments", good + ".x", malformed},
		{"random base64", base64.RawURLEncoding.EncodeToString(randomBytes), malformed},
		{"random base64 segments", base64.RawURLEncoding.EncodeToString(randomBytes[:32]) + "." +
			base64.RawURLEncoding.EncodeToString(randomBytes[32:64]) + "." +
			base64.RawURLEncoding.EncodeToString(randomBytes[64:]), malformed},
		{"Bearer prefix kept", "Bearer " + good, malformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := iss.Verify(tt.token)
			if err == nil {
				t.Fatalf("Verify(%q) = %+v, nil, want error %q", tt.token, c, tt.wantMsg)
			}
			if c != nil {
				t.Errorf("Verify(%q) claims = %+v, want nil", tt.token, c)
			}
			if !errors.Is(err, auth.ErrUnauthenticated) {
				t.Errorf("Verify(%q) = %v, want errors.Is(err, ErrUnauthenticated)", tt.token, err)
			}
			if got := err.Error(); got != tt.wantMsg {
				t.Errorf("Verify(%q) = %q, want %q", tt.token, got, tt.wantMsg)
			}
			if tt.token != "" && strings.Contains(err.Error(), tt.token) {
				t.Errorf("Verify() error %q echoes the token", err)
			}
		})
	}
}

func TestVerifyExpiredIsErrTokenExpired(t *testing.T) {
	t.Parallel()
	iss := newIssuer(t, testTTL)
	c := validClaims("42")
	c["exp"] = time.Now().Add(-time.Minute).Unix()
	_, err := iss.Verify(signToken(t, jwt.SigningMethodHS256, testSecret, "at+jwt", c))
	if !errors.Is(err, auth.ErrTokenExpired) {
		t.Errorf("Verify(expired) = %v, want %v", err, auth.ErrTokenExpired)
	}
}

func TestVerifyOtherIssuerConfig(t *testing.T) {
	t.Parallel()
	// A token from a server with the same secret but another issuer or
	// audience configured is refused.
	raw, _, err := newIssuer(t, testTTL).Sign(1, 0, []string{"me"})
	if err != nil {
		t.Fatalf("Sign() = %v", err)
	}
	tests := []struct {
		name     string
		cfg      auth.TokenConfig
		wantMsg  string
		wantPass bool
	}{
		{"same", auth.TokenConfig{Secret: testSecret, Issuer: testIssuer, Audience: testAudience, TTL: time.Minute}, "", true},
		{"other issuer", auth.TokenConfig{Secret: testSecret, Issuer: "other", Audience: testAudience, TTL: time.Minute}, "access token issuer is not accepted", false},
		{"other audience", auth.TokenConfig{Secret: testSecret, Issuer: testIssuer, Audience: "other", TTL: time.Minute}, "access token audience is not accepted", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v, err := auth.NewIssuer(tt.cfg)
			if err != nil {
				t.Fatalf("NewIssuer() = %v", err)
			}
			_, err = v.Verify(raw)
			if tt.wantPass {
				if err != nil {
					t.Errorf("Verify() = %v, want nil", err)
				}
				return
			}
			if err == nil || !errors.Is(err, auth.ErrUnauthenticated) || err.Error() != tt.wantMsg {
				t.Errorf("Verify() = %v, want ErrUnauthenticated %q", err, tt.wantMsg)
			}
		})
	}
}
