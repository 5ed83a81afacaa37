package auth_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"gqlauth/auth"
)

// Test key pairs, generated once for the package: RSA generation is slow.
var (
	keyEd25519A = sync.OnceValue(func() ed25519.PrivateKey { _, k, _ := ed25519.GenerateKey(rand.Reader); return k })
	keyEd25519B = sync.OnceValue(func() ed25519.PrivateKey { _, k, _ := ed25519.GenerateKey(rand.Reader); return k })
	keyRSA      = sync.OnceValue(func() *rsa.PrivateKey { k, _ := rsa.GenerateKey(rand.Reader, 2048); return k })
)

// pkcs8PEM is key as a PKCS #8 "PRIVATE KEY" PEM block.
func pkcs8PEM(t *testing.T, key any) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatalf("MarshalPKCS8PrivateKey(%T): %v", key, err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// pkixPEM is pub as a PKIX "PUBLIC KEY" PEM block.
func pkixPEM(t *testing.T, pub any) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatalf("MarshalPKIXPublicKey(%T): %v", pub, err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// parseKey is auth.ParseKeyPEM that must succeed.
func parseKey(t *testing.T, pemBytes []byte) *auth.Key {
	t.Helper()
	k, err := auth.ParseKeyPEM(pemBytes)
	if err != nil {
		t.Fatalf("ParseKeyPEM() = %v", err)
	}
	return k
}

// hmacKey is auth.NewHMACKey(testSecret).
func hmacKey(t *testing.T) *auth.Key {
	t.Helper()
	k, err := auth.NewHMACKey(testSecret)
	if err != nil {
		t.Fatalf("NewHMACKey() = %v", err)
	}
	return k
}

// keyedIssuer returns an Issuer with the test settings that signs with
// signing and also accepts verification.
func keyedIssuer(t *testing.T, signing *auth.Key, verification ...*auth.Key) *auth.Issuer {
	t.Helper()
	iss, err := auth.NewIssuer(auth.TokenConfig{Signing: signing, Verification: verification, Issuer: testIssuer, Audience: testAudience, TTL: testTTL})
	if err != nil {
		t.Fatalf("NewIssuer(signing %v, verification %v) = %v", signing, verification, err)
	}
	return iss
}

// signWithHeader signs validClaims("42") with method and key, with header
// typ at+jwt plus header (a nil value deletes the member).
func signWithHeader(t *testing.T, method jwt.SigningMethod, key any, header map[string]any) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, validClaims("42"))
	tok.Header["typ"] = "at+jwt"
	for k, v := range header {
		if v == nil {
			delete(tok.Header, k)
		} else {
			tok.Header[k] = v
		}
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatalf("sign %s token: %v", method.Alg(), err)
	}
	return s
}

// getJSON serves GET path through h and decodes the JSON body into a map,
// checking the headers every discovery document has.
func getJSON(t *testing.T, h http.Handler, req *http.Request) (map[string]any, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s = %d, want 200; body %s", req.URL, rec.Code, rec.Body)
	}
	if got := rec.Header().Get("Content-Type"); got != "application/json" {
		t.Errorf("GET %s Content-Type = %q, want application/json", req.URL, got)
	}
	if got := rec.Header().Get("Cache-Control"); got != "public, max-age=300" {
		t.Errorf("GET %s Cache-Control = %q, want public, max-age=300", req.URL, got)
	}
	var m map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		t.Fatalf("GET %s: decode %s: %v", req.URL, rec.Body, err)
	}
	return m, rec.Body.String()
}

// jwksOf is the JWKS document iss publishes, as raw JSON.
func jwksOf(t *testing.T, iss *auth.Issuer) []byte {
	t.Helper()
	_, body := getJSON(t, auth.JWKSHandler(iss), httptest.NewRequest(http.MethodGet, "/.well-known/jwks.json", nil))
	return []byte(body)
}

func TestParseKeyPEM(t *testing.T) {
	t.Parallel()
	ed := keyEd25519A()
	rk := keyRSA()
	weak, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	edPriv, edPub := pkcs8PEM(t, ed), pkixPEM(t, ed.Public())
	rsaPriv, rsaPub := pkcs8PEM(t, rk), pkixPEM(t, &rk.PublicKey)
	pkcs1Priv := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rk)})
	pkcs1Pub := pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&rk.PublicKey)})
	edKID := parseKey(t, edPriv).ID()
	rsaKID := parseKey(t, rsaPriv).ID()

	tests := []struct {
		name    string
		pem     []byte
		wantAlg string
		wantKID string
		canSign bool
		wantErr string // in the error; "" for success
	}{
		{name: "Ed25519 PKCS #8 private", pem: edPriv, wantAlg: "EdDSA", wantKID: edKID, canSign: true},
		{name: "Ed25519 PKIX public", pem: edPub, wantAlg: "EdDSA", wantKID: edKID},
		{name: "RSA PKCS #8 private", pem: rsaPriv, wantAlg: "RS256", wantKID: rsaKID, canSign: true},
		{name: "RSA PKIX public", pem: rsaPub, wantAlg: "RS256", wantKID: rsaKID},
		{name: "RSA PKCS #1 private", pem: pkcs1Priv, wantAlg: "RS256", wantKID: rsaKID, canSign: true},
		{name: "RSA PKCS #1 public", pem: pkcs1Pub, wantAlg: "RS256", wantKID: rsaKID},
		{name: "text around the block", pem: append(append([]byte("# signing key\n"), edPriv...), "\n"...), wantAlg: "EdDSA", wantKID: edKID, canSign: true},
		{name: "RSA 1024 private", pem: pkcs8PEM(t, weak), wantErr: "RSA key is 1024 bits: it must be at least 2048"},
		{name: "RSA 1024 public", pem: pkixPEM(t, &weak.PublicKey), wantErr: "RSA key is 1024 bits: it must be at least 2048"},
		{name: "ECDSA private", pem: pkcs8PEM(t, ec), wantErr: "ECDSA keys are not supported"},
		{name: "ECDSA public", pem: pkixPEM(t, &ec.PublicKey), wantErr: "ECDSA keys are not supported"},
		{name: "garbage", pem: []byte("this is not a key"), wantErr: "no PEM block"},
		{name: "empty", pem: nil, wantErr: "no PEM block"},
		{name: "garbage in a PEM block", pem: pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte("garbage")}), wantErr: "invalid PRIVATE KEY"},
		{name: "certificate", pem: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("x")}), wantErr: `PEM block "CERTIFICATE" is not a key`},
		{name: "encrypted PKCS #8", pem: pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: []byte("x")}), wantErr: "encrypted"},
		{name: "encrypted PKCS #1", pem: pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Headers: map[string]string{"Proc-Type": "4,ENCRYPTED"}, Bytes: []byte("x")}), wantErr: "encrypted"},
		{name: "two keys", pem: append(append([]byte{}, edPriv...), rsaPriv...), wantErr: "more than one PEM block"},
		{name: "HMAC secret", pem: testSecret, wantErr: "no PEM block"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			k, err := auth.ParseKeyPEM(tt.pem)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseKeyPEM() = %v, %v; want an error containing %q", k, err, tt.wantErr)
				}
				if k != nil {
					t.Errorf("ParseKeyPEM() = %v with an error, want nil", k)
				}
				// An error never quotes the file.
				if block, _ := pem.Decode(tt.pem); block != nil && len(block.Bytes) >= 8 {
					if b64 := base64.StdEncoding.EncodeToString(block.Bytes)[:8]; strings.Contains(err.Error(), b64) {
						t.Errorf("ParseKeyPEM() error %q quotes the key", err)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseKeyPEM() = %v, want nil", err)
			}
			if k.Alg() != tt.wantAlg || k.ID() != tt.wantKID || k.CanSign() != tt.canSign {
				t.Errorf("ParseKeyPEM() = alg %s, kid %s, CanSign %v; want %s, %s, %v", k.Alg(), k.ID(), k.CanSign(), tt.wantAlg, tt.wantKID, tt.canSign)
			}
		})
	}
	if edKID == rsaKID || len(edKID) != 43 || len(rsaKID) != 43 {
		t.Errorf("kids %q and %q: want two distinct 43-character thumbprints", edKID, rsaKID)
	}
}

// TestKeyIDKnownAnswers checks kids against the JWK thumbprints of the
// RFCs' own examples.
func TestKeyIDKnownAnswers(t *testing.T) {
	t.Parallel()
	decode := func(s string) []byte {
		b, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil {
			t.Fatalf("decode %q: %v", s, err)
		}
		return b
	}
	// RFC 7638 §3.1: the RSA key of RFC 7517 Appendix A.1.
	const rfc7638N = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
	// RFC 8037 Appendix A.3: the Ed25519 key of Appendix A.2.
	const rfc8037X = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
	tests := []struct {
		name    string
		pub     any
		wantKID string
		wantJWK auth.JWK
	}{
		{"RFC 7638 RSA", &rsa.PublicKey{N: new(big.Int).SetBytes(decode(rfc7638N)), E: 65537}, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs",
			auth.JWK{Kty: "RSA", Use: "sig", Alg: "RS256", Kid: "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs", N: rfc7638N, E: "AQAB"}},
		{"RFC 8037 Ed25519", ed25519.PublicKey(decode(rfc8037X)), "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k",
			auth.JWK{Kty: "OKP", Use: "sig", Alg: "EdDSA", Kid: "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k", Crv: "Ed25519", X: rfc8037X}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			k := parseKey(t, pkixPEM(t, tt.pub))
			if got := k.ID(); got != tt.wantKID {
				t.Errorf("ID() = %q, want %q", got, tt.wantKID)
			}
			jwk, ok := k.PublicJWK()
			if !ok || jwk != tt.wantJWK {
				t.Errorf("PublicJWK() = %+v, %v; want %+v, true", jwk, ok, tt.wantJWK)
			}
		})
	}
}

func TestNewHMACKey(t *testing.T) {
	t.Parallel()
	k := hmacKey(t)
	if k.Alg() != "HS256" || !k.CanSign() {
		t.Errorf("NewHMACKey() = alg %s, CanSign %v; want HS256, true", k.Alg(), k.CanSign())
	}
	if again := hmacKey(t); again.ID() != k.ID() {
		t.Errorf("kid = %q then %q for one secret, want it stable", k.ID(), again.ID())
	}
	other, err := auth.NewHMACKey([]byte(strings.Repeat("z", 32)))
	if err != nil {
		t.Fatal(err)
	}
	if other.ID() == k.ID() {
		t.Errorf("two secrets share kid %q", k.ID())
	}
	if strings.Contains(k.ID(), string(testSecret[:8])) || strings.Contains(k.ID(), base64.RawURLEncoding.EncodeToString(testSecret)[:8]) {
		t.Errorf("kid %q reveals the secret", k.ID())
	}
	if jwk, ok := k.PublicJWK(); ok {
		t.Errorf("PublicJWK() = %+v, true for an HS256 key, want false", jwk)
	}
	if _, err := k.PrivateKeyPEM(); err == nil {
		t.Error("PrivateKeyPEM() of an HS256 key = nil error, want one")
	}
	for _, n := range []int{0, 1, 31} {
		if _, err := auth.NewHMACKey(testSecret[:n]); err == nil || !strings.Contains(err.Error(), "at least 32") {
			t.Errorf("NewHMACKey(%d bytes) = %v, want an error saying at least 32", n, err)
		}
	}
}

func TestKeyNeverPrintsMaterial(t *testing.T) {
	t.Parallel()
	ed := keyEd25519A()
	keys := []struct {
		key      *auth.Key
		material []byte
	}{
		{hmacKey(t), testSecret},
		{parseKey(t, pkcs8PEM(t, ed)), ed.Seed()},
		{parseKey(t, pkcs8PEM(t, keyRSA())), keyRSA().D.Bytes()},
	}
	for _, k := range keys {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
			out := fmt.Sprintf(verb, k.key)
			for _, enc := range []string{string(k.material), fmt.Sprint(k.material), fmt.Sprintf("%x", k.material), base64.StdEncoding.EncodeToString(k.material)} {
				if strings.Contains(out, enc[:8]) {
					t.Errorf("Sprintf(%q, %s key) = %q: it shows key material", verb, k.key.Alg(), out)
				}
			}
		}
	}
}

func TestGenerateKey(t *testing.T) {
	t.Parallel()
	for _, alg := range []string{"EdDSA", "RS256"} {
		t.Run(alg, func(t *testing.T) {
			t.Parallel()
			k, err := auth.GenerateKey(alg)
			if err != nil {
				t.Fatalf("GenerateKey(%s) = %v", alg, err)
			}
			priv, err := k.PrivateKeyPEM()
			if err != nil {
				t.Fatalf("PrivateKeyPEM() = %v", err)
			}
			pub, err := k.PublicKeyPEM()
			if err != nil {
				t.Fatalf("PublicKeyPEM() = %v", err)
			}
			fromPriv, fromPub := parseKey(t, priv), parseKey(t, pub)
			if fromPriv.ID() != k.ID() || fromPub.ID() != k.ID() || fromPriv.Alg() != alg || !fromPriv.CanSign() || fromPub.CanSign() {
				t.Errorf("round trip: private %v (CanSign %v), public %v (CanSign %v); want both %v, only the private able to sign",
					fromPriv, fromPriv.CanSign(), fromPub, fromPub.CanSign(), k)
			}
			if alg == "RS256" {
				if block, _ := pem.Decode(pub); block != nil {
					p, _ := x509.ParsePKIXPublicKey(block.Bytes)
					if rp, ok := p.(*rsa.PublicKey); !ok || rp.N.BitLen() != auth.RSABits {
						t.Errorf("generated RSA key = %T of %d bits, want %d", p, rp.N.BitLen(), auth.RSABits)
					}
				}
			}
			if _, err := fromPub.PrivateKeyPEM(); err == nil {
				t.Error("PrivateKeyPEM() of a public key = nil error, want one")
			}
		})
	}
	for _, alg := range []string{"HS256", "none", "ES256", "eddsa", ""} {
		if k, err := auth.GenerateKey(alg); err == nil {
			t.Errorf("GenerateKey(%q) = %v, nil; want an error", alg, k)
		}
	}
}

func TestNewIssuerKeys(t *testing.T) {
	t.Parallel()
	edPriv := parseKey(t, pkcs8PEM(t, keyEd25519A()))
	edPub := parseKey(t, pkixPEM(t, keyEd25519A().Public()))
	rsaPub := parseKey(t, pkixPEM(t, &keyRSA().PublicKey))
	base := auth.TokenConfig{Issuer: "i", Audience: "a", TTL: testTTL}
	with := func(edit func(*auth.TokenConfig)) auth.TokenConfig {
		c := base
		edit(&c)
		return c
	}
	tests := []struct {
		name     string
		cfg      auth.TokenConfig
		wantErr  string
		wantKeys int
	}{
		{"Ed25519 signing", with(func(c *auth.TokenConfig) { c.Signing = edPriv }), "", 1},
		{"HMAC signing key", with(func(c *auth.TokenConfig) { c.Signing = hmacKey(t) }), "", 1},
		{"verification keys", with(func(c *auth.TokenConfig) { c.Signing = edPriv; c.Verification = []*auth.Key{rsaPub, hmacKey(t)} }), "", 3},
		{"a key twice", with(func(c *auth.TokenConfig) {
			c.Signing = edPriv
			c.Verification = []*auth.Key{edPub, edPriv, rsaPub, rsaPub}
		}), "", 2},
		{"public signing key", with(func(c *auth.TokenConfig) { c.Signing = edPub }), "signing needs the private key", 0},
		{"signing key and secret", with(func(c *auth.TokenConfig) { c.Signing = edPriv; c.Secret = testSecret }), "set one", 0},
		{"nil verification key", with(func(c *auth.TokenConfig) { c.Signing = edPriv; c.Verification = []*auth.Key{nil} }), "nil verification key", 0},
		{"neither key nor secret", base, "at least 32", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			iss, err := auth.NewIssuer(tt.cfg)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("NewIssuer() = %v, want an error containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("NewIssuer() = %v", err)
			}
			if got := len(iss.Keys()); got != tt.wantKeys {
				t.Errorf("len(Keys()) = %d (%v), want %d", got, iss.Keys(), tt.wantKeys)
			}
			if iss.SigningKey() != tt.cfg.Signing || iss.Keys()[0] != tt.cfg.Signing {
				t.Errorf("SigningKey() = %v, Keys()[0] = %v; want %v", iss.SigningKey(), iss.Keys()[0], tt.cfg.Signing)
			}
		})
	}
}

func TestSignAsymmetricHeader(t *testing.T) {
	t.Parallel()
	for _, k := range []*auth.Key{parseKey(t, pkcs8PEM(t, keyEd25519A())), parseKey(t, pkcs8PEM(t, keyRSA())), hmacKey(t)} {
		t.Run(k.Alg(), func(t *testing.T) {
			t.Parallel()
			iss := keyedIssuer(t, k)
			raw, _, err := iss.Sign(42, 7, []string{"me"})
			if err != nil {
				t.Fatalf("Sign() = %v", err)
			}
			h := decodeSegment(t, raw, 0)
			want := map[string]any{"alg": k.Alg(), "kid": k.ID(), "typ": "at+jwt"}
			if fmt.Sprint(h) != fmt.Sprint(want) {
				t.Errorf("header = %v, want %v", h, want)
			}
			c, err := iss.Verify(raw)
			if err != nil {
				t.Fatalf("Verify(Sign()) = %v", err)
			}
			if c.Subject != "42" || c.SessionID != 7 {
				t.Errorf("Verify() = sub %q, sid %d; want 42, 7", c.Subject, c.SessionID)
			}
		})
	}
}

func TestJWKSHandler(t *testing.T) {
	t.Parallel()
	ed := parseKey(t, pkcs8PEM(t, keyEd25519A()))
	rs := parseKey(t, pkcs8PEM(t, keyRSA()))
	edB := parseKey(t, pkixPEM(t, keyEd25519B().Public()))

	t.Run("asymmetric", func(t *testing.T) {
		t.Parallel()
		iss := keyedIssuer(t, ed, rs, hmacKey(t), edB)
		doc, body := getJSON(t, auth.JWKSHandler(iss), httptest.NewRequest(http.MethodGet, "/.well-known/jwks.json", nil))
		keys, _ := doc["keys"].([]any)
		var kids []string
		for _, raw := range keys {
			jwk, _ := raw.(map[string]any)
			kid, _ := jwk["kid"].(string)
			kids = append(kids, kid)
			// RFC 7518 §6.2.2, §6.3.2, §6.4 and RFC 8037 §2: the private and
			// symmetric members.
			for _, private := range []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"} {
				if _, ok := jwk[private]; ok {
					t.Errorf("JWK %s has private member %q: %s", kid, private, body)
				}
			}
			if jwk["use"] != "sig" {
				t.Errorf("JWK %s use = %v, want sig", kid, jwk["use"])
			}
		}
		if want := []string{ed.ID(), rs.ID(), edB.ID()}; !slices.Equal(kids, want) {
			t.Errorf("JWKS kids = %q, want %q (signing key first, no HS256 key)", kids, want)
		}
		if strings.Contains(body, hmacKey(t).ID()) || strings.Contains(body, `"HS256"`) {
			t.Errorf("JWKS %s mentions the HS256 key", body)
		}
	})

	t.Run("HS256 only", func(t *testing.T) {
		t.Parallel()
		_, body := getJSON(t, auth.JWKSHandler(newIssuer(t, testTTL)), httptest.NewRequest(http.MethodGet, "/.well-known/jwks.json", nil))
		if body != `{"keys":[]}` {
			t.Errorf("JWKS = %s, want {\"keys\":[]}", body)
		}
	})
}

func TestMetadataHandler(t *testing.T) {
	t.Parallel()
	ed := parseKey(t, pkcs8PEM(t, keyEd25519A()))
	tlsReq := httptest.NewRequest(http.MethodGet, "https://auth.example.org/.well-known/oauth-authorization-server", nil)
	tlsReq.TLS = &tls.ConnectionState{}
	tests := []struct {
		name      string
		iss       *auth.Issuer
		publicURL string
		req       *http.Request
		wantBase  string
		wantJWKS  bool
	}{
		{"public URL", keyedIssuer(t, ed), "https://id.example.com/auth/", httptest.NewRequest(http.MethodGet, "http://internal:8080/.well-known/oauth-authorization-server", nil), "https://id.example.com/auth", true},
		{"request host", keyedIssuer(t, ed), "", httptest.NewRequest(http.MethodGet, "http://localhost:8080/.well-known/oauth-authorization-server", nil), "http://localhost:8080", true},
		{"request over TLS", keyedIssuer(t, ed), "", tlsReq, "https://auth.example.org", true},
		{"HS256 only", newIssuer(t, testTTL), "", httptest.NewRequest(http.MethodGet, "http://localhost:8080/.well-known/oauth-authorization-server", nil), "http://localhost:8080", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			md, body := getJSON(t, auth.MetadataHandler(tt.iss, tt.publicURL), tt.req)
			want := map[string]any{
				"issuer":                                testIssuer,
				"token_endpoint":                        tt.wantBase + "/token",
				"grant_types_supported":                 []any{"password", "refresh_token"},
				"scopes_supported":                      []any{"me", "items", "items:write", "users:read", "users:write"},
				"token_endpoint_auth_methods_supported": []any{"none"},
				"response_types_supported":              []any{},
			}
			if tt.wantJWKS {
				want["jwks_uri"] = tt.wantBase + "/.well-known/jwks.json"
			}
			if fmt.Sprint(md) != fmt.Sprint(want) {
				t.Errorf("metadata = %s,\nwant %v", body, want)
			}
		})
	}
}

// jwkByKID finds the JWK named kid in a JWKS document, as any verifier
// would: by nothing but the JSON.
func jwkByKID(t *testing.T, jwks []byte, kid string) map[string]string {
	t.Helper()
	var doc struct {
		Keys []map[string]string `json:"keys"`
	}
	if err := json.Unmarshal(jwks, &doc); err != nil {
		t.Fatalf("decode JWKS %s: %v", jwks, err)
	}
	for _, k := range doc.Keys {
		if k["kid"] == kid {
			return k
		}
	}
	t.Fatalf("JWKS %s has no key %q", jwks, kid)
	return nil
}

// splitJWS decodes a compact JWS: its header, the signing input and the
// signature.
func splitJWS(t *testing.T, token string) (header map[string]string, signingInput, sig []byte) {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d parts, want 3", len(parts))
	}
	h, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(h, &header); err != nil {
		t.Fatalf("decode header %s: %v", h, err)
	}
	if sig, err = base64.RawURLEncoding.DecodeString(parts[2]); err != nil {
		t.Fatal(err)
	}
	return header, []byte(parts[0] + "." + parts[1]), sig
}

// TestEd25519TokenVerifiedThroughJWKS verifies an issued token as an
// independent resource server would: crypto/ed25519 and the published
// JWKS JSON, no JWT library.
func TestEd25519TokenVerifiedThroughJWKS(t *testing.T) {
	t.Parallel()
	iss := keyedIssuer(t, parseKey(t, pkcs8PEM(t, keyEd25519A())))
	raw, _, err := iss.Sign(42, 0, []string{"me"})
	if err != nil {
		t.Fatal(err)
	}
	header, input, sig := splitJWS(t, raw)
	if header["alg"] != "EdDSA" || header["typ"] != "at+jwt" {
		t.Fatalf("header = %v, want alg EdDSA, typ at+jwt", header)
	}
	jwk := jwkByKID(t, jwksOf(t, iss), header["kid"])
	if jwk["kty"] != "OKP" || jwk["crv"] != "Ed25519" || jwk["alg"] != "EdDSA" {
		t.Fatalf("JWK = %v, want kty OKP, crv Ed25519, alg EdDSA", jwk)
	}
	x, err := base64.RawURLEncoding.DecodeString(jwk["x"])
	if err != nil || len(x) != ed25519.PublicKeySize {
		t.Fatalf("JWK x = %q (%v), want %d base64url bytes", jwk["x"], err, ed25519.PublicKeySize)
	}
	if !ed25519.Verify(ed25519.PublicKey(x), input, sig) {
		t.Fatal("ed25519.Verify(JWKS key, token) = false, want true")
	}
	tampered := append([]byte(nil), input...)
	tampered[len(tampered)-1] ^= 1
	if ed25519.Verify(ed25519.PublicKey(x), tampered, sig) {
		t.Error("ed25519.Verify(JWKS key, changed token) = true: the check proves nothing")
	}
}

// TestRS256TokenVerifiedThroughJWKS is the same with crypto/rsa.
func TestRS256TokenVerifiedThroughJWKS(t *testing.T) {
	t.Parallel()
	iss := keyedIssuer(t, parseKey(t, pkcs8PEM(t, keyRSA())))
	raw, _, err := iss.Sign(42, 0, []string{"me"})
	if err != nil {
		t.Fatal(err)
	}
	header, input, sig := splitJWS(t, raw)
	if header["alg"] != "RS256" {
		t.Fatalf("header = %v, want alg RS256", header)
	}
	jwk := jwkByKID(t, jwksOf(t, iss), header["kid"])
	if jwk["kty"] != "RSA" || jwk["alg"] != "RS256" {
		t.Fatalf("JWK = %v, want kty RSA, alg RS256", jwk)
	}
	n, errN := base64.RawURLEncoding.DecodeString(jwk["n"])
	e, errE := base64.RawURLEncoding.DecodeString(jwk["e"])
	if errN != nil || errE != nil {
		t.Fatalf("JWK n, e = %q, %q: %v, %v", jwk["n"], jwk["e"], errN, errE)
	}
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	digest := sha256.Sum256(input)
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig); err != nil {
		t.Fatalf("rsa.VerifyPKCS1v15(JWKS key, token) = %v, want nil", err)
	}
}

// TestKeyRotation: key A signs; then B signs and A is a verification key,
// so A's tokens still work; once A is removed they fail.
func TestKeyRotation(t *testing.T) {
	t.Parallel()
	a := parseKey(t, pkcs8PEM(t, keyEd25519A()))
	aPublic := parseKey(t, pkixPEM(t, keyEd25519A().Public()))
	b := parseKey(t, pkcs8PEM(t, keyRSA()))

	sign := func(iss *auth.Issuer) string {
		t.Helper()
		raw, _, err := iss.Sign(42, 0, []string{"me"})
		if err != nil {
			t.Fatalf("Sign() = %v", err)
		}
		return raw
	}
	byA := sign(keyedIssuer(t, a))
	byB := sign(keyedIssuer(t, b))
	if kid := decodeSegment(t, byB, 0)["kid"]; kid != b.ID() {
		t.Fatalf("B's token kid = %v, want %s", kid, b.ID())
	}

	const unknown = "access token key is unknown"
	tests := []struct {
		name         string
		iss          *auth.Issuer
		wantA, wantB string // "" accepted, else the error
		wantJWKS     []string
	}{
		{"A signs", keyedIssuer(t, a), "", unknown, []string{a.ID()}},
		{"B signs, A verifies", keyedIssuer(t, b, a), "", "", []string{b.ID(), a.ID()}},
		{"B signs, A's public key verifies", keyedIssuer(t, b, aPublic), "", "", []string{b.ID(), a.ID()}},
		{"A removed", keyedIssuer(t, b), unknown, "", []string{b.ID()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, c := range []struct{ who, token, want string }{{"A", byA, tt.wantA}, {"B", byB, tt.wantB}} {
				_, err := tt.iss.Verify(c.token)
				switch {
				case c.want == "" && err != nil:
					t.Errorf("Verify(token by %s) = %v, want nil", c.who, err)
				case c.want != "" && (err == nil || err.Error() != c.want || !errors.Is(err, auth.ErrUnauthenticated)):
					t.Errorf("Verify(token by %s) = %v, want ErrUnauthenticated %q", c.who, err, c.want)
				}
			}
			// A new token is signed by the newest key and verifies.
			fresh := sign(tt.iss)
			if kid := decodeSegment(t, fresh, 0)["kid"]; kid != tt.iss.SigningKey().ID() {
				t.Errorf("new token kid = %v, want the signing key's %s", kid, tt.iss.SigningKey().ID())
			}
			var kids []string
			for _, jwk := range tt.iss.PublicJWKs() {
				kids = append(kids, jwk.Kid)
			}
			if !slices.Equal(kids, tt.wantJWKS) {
				t.Errorf("JWKS kids = %q, want %q", kids, tt.wantJWKS)
			}
		})
	}
}

// TestKeyConfusion: tokens that try to make the verifier pick the wrong
// algorithm or key are refused.
func TestKeyConfusion(t *testing.T) {
	t.Parallel()
	edPriv := keyEd25519A()
	edPub := edPriv.Public().(ed25519.PublicKey)
	ed := parseKey(t, pkcs8PEM(t, edPriv))
	rs := parseKey(t, pkcs8PEM(t, keyRSA()))
	hs := hmacKey(t)
	attacker := keyEd25519B()
	attackerKID := parseKey(t, pkcs8PEM(t, attacker)).ID()
	attackerJWK, _ := parseKey(t, pkixPEM(t, attacker.Public())).PublicJWK()

	edOnly := keyedIssuer(t, ed)
	edAndHS := keyedIssuer(t, ed, hs)
	rsAndEd := keyedIssuer(t, rs, ed)

	notAccepted := func(alg string) string { return fmt.Sprintf("access token algorithm %q is not accepted", alg) }
	const (
		unknown = "access token key is unknown"
		badSig  = "access token signature is invalid"
	)
	tests := []struct {
		name    string
		iss     *auth.Issuer
		token   string
		wantMsg string
	}{
		{"HS256 with the Ed25519 public key bytes and its kid", edOnly,
			signWithHeader(t, jwt.SigningMethodHS256, []byte(edPub), map[string]any{"kid": ed.ID()}), notAccepted("HS256")},
		{"HS256 with the Ed25519 public key PEM and its kid", edOnly,
			signWithHeader(t, jwt.SigningMethodHS256, pkixPEM(t, edPub), map[string]any{"kid": ed.ID()}), notAccepted("HS256")},
		{"HS256 with the Ed25519 public key bytes, no kid", edOnly,
			signWithHeader(t, jwt.SigningMethodHS256, []byte(edPub), nil), notAccepted("HS256")},
		{"HS256 with the Ed25519 public key bytes and its kid, HS256 configured", edAndHS,
			signWithHeader(t, jwt.SigningMethodHS256, []byte(edPub), map[string]any{"kid": ed.ID()}), notAccepted("HS256")},
		{"HS256 with the Ed25519 public key bytes and the HMAC kid", edAndHS,
			signWithHeader(t, jwt.SigningMethodHS256, []byte(edPub), map[string]any{"kid": hs.ID()}), badSig},
		{"HS256 with the RSA public key PEM and its kid", rsAndEd,
			signWithHeader(t, jwt.SigningMethodHS256, pkixPEM(t, &keyRSA().PublicKey), map[string]any{"kid": rs.ID()}), notAccepted("HS256")},
		{"alg none with kid", edOnly,
			signWithHeader(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, map[string]any{"kid": ed.ID()}), notAccepted("none")},
		{"alg none without kid", edAndHS,
			signWithHeader(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, nil), notAccepted("none")},
		{"unknown kid", edOnly,
			signWithHeader(t, jwt.SigningMethodEdDSA, attacker, map[string]any{"kid": attackerKID}), unknown},
		{"empty kid", edOnly,
			signWithHeader(t, jwt.SigningMethodEdDSA, edPriv, map[string]any{"kid": ""}), unknown},
		{"kid not a string", edOnly,
			signWithHeader(t, jwt.SigningMethodEdDSA, edPriv, map[string]any{"kid": 1}), unknown},
		{"no kid, signed by another key", edOnly,
			signWithHeader(t, jwt.SigningMethodEdDSA, attacker, nil), badSig},
		{"jku and x5u pointing elsewhere, attacker's kid", edOnly,
			signWithHeader(t, jwt.SigningMethodEdDSA, attacker, map[string]any{"kid": attackerKID, "jku": "https://attacker.example/jwks.json", "x5u": "https://attacker.example/cert.pem"}), unknown},
		{"jku pointing elsewhere, our kid", edOnly,
			signWithHeader(t, jwt.SigningMethodEdDSA, attacker, map[string]any{"kid": ed.ID(), "jku": "https://attacker.example/jwks.json"}), badSig},
		{"embedded jwk of the attacker, our kid", edOnly,
			signWithHeader(t, jwt.SigningMethodEdDSA, attacker, map[string]any{"kid": ed.ID(), "jwk": attackerJWK}), badSig},
		{"embedded jwk of the attacker, its kid", edOnly,
			signWithHeader(t, jwt.SigningMethodEdDSA, attacker, map[string]any{"kid": attackerKID, "jwk": attackerJWK}), unknown},
		{"RSA kid with alg EdDSA", rsAndEd,
			signWithHeader(t, jwt.SigningMethodEdDSA, edPriv, map[string]any{"kid": rs.ID()}), notAccepted("EdDSA")},
		{"Ed25519 kid with alg RS256", rsAndEd,
			signWithHeader(t, jwt.SigningMethodRS256, keyRSA(), map[string]any{"kid": ed.ID()}), notAccepted("RS256")},
		{"no kid, verification key's alg", rsAndEd,
			signWithHeader(t, jwt.SigningMethodEdDSA, edPriv, nil), notAccepted("EdDSA")},
		{"HMAC kid with alg EdDSA", edAndHS,
			signWithHeader(t, jwt.SigningMethodEdDSA, edPriv, map[string]any{"kid": hs.ID()}), notAccepted("EdDSA")},
		{"critical header", edOnly,
			signWithHeader(t, jwt.SigningMethodEdDSA, edPriv, map[string]any{"kid": ed.ID(), "crit": []string{"b64"}, "b64": false}),
			"access token has critical header parameters, which are not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := tt.iss.Verify(tt.token)
			if err == nil || c != nil {
				t.Fatalf("Verify(%q) = %+v, %v; want error %q", tt.token, c, err, tt.wantMsg)
			}
			if !errors.Is(err, auth.ErrUnauthenticated) || err.Error() != tt.wantMsg {
				t.Errorf("Verify() = %q, want ErrUnauthenticated %q", err, tt.wantMsg)
			}
		})
	}

	// The same headers on a token our key signed are ignored, not obeyed.
	t.Run("jku and x5u on a genuine token", func(t *testing.T) {
		t.Parallel()
		tok := signWithHeader(t, jwt.SigningMethodEdDSA, edPriv, map[string]any{"kid": ed.ID(), "jku": "https://attacker.example/jwks.json", "x5u": "https://attacker.example/c.pem"})
		if _, err := edOnly.Verify(tok); err != nil {
			t.Errorf("Verify(genuine token with jku, x5u) = %v, want nil", err)
		}
	})
}
