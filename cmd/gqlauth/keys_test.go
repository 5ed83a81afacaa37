package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"gqlauth/auth"
)

// generatedKey is what gqlauth keys generate reported.
type generatedKey struct {
	kid, private, public string // kid and the two file paths
}

var generatedRE = regexp.MustCompile(`^generated (EdDSA|RS256) key ([A-Za-z0-9_-]{43})\n`)

// generateKey runs gqlauth keys generate --alg alg --out dir.
func generateKey(t *testing.T, alg, dir string) generatedKey {
	t.Helper()
	out, err := runCLI(t, nil, "", "keys", "generate", "--alg", alg, "--out", dir)
	if err != nil {
		t.Fatalf("keys generate --alg %s: %v", alg, err)
	}
	m := generatedRE.FindStringSubmatch(out)
	if m == nil || m[1] != alg {
		t.Fatalf("keys generate --alg %s: stdout %q, want it to start with \"generated %s key <kid>\"", alg, out, alg)
	}
	g := generatedKey{kid: m[2], private: filepath.Join(dir, m[2]+".pem"), public: filepath.Join(dir, m[2]+".pub.pem")}
	for _, want := range []string{"GQLAUTH_SIGNING_KEY=" + g.private, "GQLAUTH_VERIFICATION_KEYS=" + g.public} {
		if !strings.Contains(out, want) {
			t.Errorf("keys generate: stdout %q, want it to contain %q", out, want)
		}
	}
	return g
}

// fileMode is path's permission bits.
func fileMode(t *testing.T, path string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatalf("stat: %v", err)
	}
	return fi.Mode().Perm()
}

func TestKeysGenerate(t *testing.T) {
	for _, alg := range []string{"EdDSA", "RS256"} {
		t.Run(alg, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "keys", "new") // created, parents too
			g := generateKey(t, alg, dir)
			if got := fileMode(t, dir); got != 0o700 {
				t.Errorf("mode of %s = %v, want 0700", dir, got)
			}
			if got := fileMode(t, g.private); got != 0o600 {
				t.Errorf("mode of %s = %v, want 0600", g.private, got)
			}
			if got := fileMode(t, g.public); got != 0o644 {
				t.Errorf("mode of %s = %v, want 0644", g.public, got)
			}
			for _, f := range []struct {
				path, pemType string
				private       bool
			}{{g.private, "PRIVATE KEY", true}, {g.public, "PUBLIC KEY", false}} {
				raw, err := os.ReadFile(f.path)
				if err != nil {
					t.Fatal(err)
				}
				if block, _ := pem.Decode(raw); block == nil || block.Type != f.pemType {
					t.Errorf("%s: want one %s PEM block", f.path, f.pemType)
				}
				k, err := auth.ParseKeyPEM(raw)
				if err != nil {
					t.Fatalf("ParseKeyPEM(%s) = %v", f.path, err)
				}
				if k.ID() != g.kid || k.Alg() != alg || k.CanSign() != f.private {
					t.Errorf("%s = %v (CanSign %v), want %s key %s (CanSign %v)", f.path, k, k.CanSign(), alg, g.kid, f.private)
				}
			}

			// A second run into the same folder adds a pair and keeps the first.
			before, _ := os.ReadFile(g.private)
			g2 := generateKey(t, alg, dir)
			if g2.kid == g.kid {
				t.Errorf("two runs generated the same kid %s", g.kid)
			}
			if after, _ := os.ReadFile(g.private); string(after) != string(before) {
				t.Errorf("%s changed on the second run", g.private)
			}
		})
	}

	t.Run("never overwrites", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "k.pem")
		if err := os.WriteFile(path, []byte("keep me"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := writeNewFile(path, []byte("new key"), 0o600); err == nil {
			t.Errorf("writeNewFile(existing %s) = nil, want an error", path)
		}
		if got, _ := os.ReadFile(path); string(got) != "keep me" {
			t.Errorf("%s = %q after writeNewFile, want it untouched", path, got)
		}
	})

	t.Run("errors", func(t *testing.T) {
		dir := t.TempDir()
		tests := []struct {
			name string
			args []string
			want string // in the error
		}{
			{"HS256", []string{"keys", "generate", "--alg", "HS256", "--out", dir}, `--alg "HS256"`},
			{"none", []string{"keys", "generate", "--alg", "none", "--out", dir}, `--alg "none"`},
			{"lower case", []string{"keys", "generate", "--alg", "eddsa", "--out", dir}, `--alg "eddsa"`},
			{"no --out", []string{"keys", "generate", "--alg", "EdDSA"}, "--out is required"},
			{"extra argument", []string{"keys", "generate", "--out", dir, "now"}, `unexpected argument "now"`},
			{"no subcommand", []string{"keys"}, "usage"},
			{"unknown subcommand", []string{"keys", "rotate"}, "usage"},
			{"out is a file", []string{"keys", "generate", "--out", filepath.Join(dir, "file")}, "file"},
		}
		if err := os.WriteFile(filepath.Join(dir, "file"), nil, 0o600); err != nil {
			t.Fatal(err)
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				out, err := runCLI(t, nil, "", tt.args...)
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("run(%q) = %q, %v; want an error containing %q", tt.args, out, err, tt.want)
				}
			})
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 1 {
			t.Errorf("%s holds %d entries after failed runs, want only the test's file", dir, len(entries))
		}
	})
}

// getDiscovery GETs url and decodes its JSON body, checking the headers
// of a public discovery document.
func getDiscovery(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d, want 200; body %s", url, resp.StatusCode, body)
	}
	if got := resp.Header.Get("Content-Type"); got != "application/json" {
		t.Errorf("GET %s: Content-Type = %q, want application/json", url, got)
	}
	if got := resp.Header.Get("Cache-Control"); got != "public, max-age=300" {
		t.Errorf("GET %s: Cache-Control = %q, want public, max-age=300", url, got)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: decode %s: %v", url, body, err)
	}
}

// metadataDoc is the part of the RFC 8414 document the tests read.
type metadataDoc struct {
	Issuer        string   `json:"issuer"`
	TokenEndpoint string   `json:"token_endpoint"`
	JWKSURI       *string  `json:"jwks_uri"`
	GrantTypes    []string `json:"grant_types_supported"`
	Scopes        []string `json:"scopes_supported"`
	AuthMethods   []string `json:"token_endpoint_auth_methods_supported"`
}

type jwksDoc struct {
	Keys []map[string]string `json:"keys"`
}

// TestServeWithSigningKey runs serve with an Ed25519 key from keys
// generate: tokens carry its kid, the JWKS publishes it, the metadata
// points at the JWKS and the token endpoint, and a token verifies with
// nothing but the published key.
func TestServeWithSigningKey(t *testing.T) {
	g := generateKey(t, "EdDSA", filepath.Join(t.TempDir(), "keys"))
	env := testEnv(t)
	delete(env, "GQLAUTH_JWT_SECRET")
	env["GQLAUTH_SIGNING_KEY"] = g.private
	s := startServer(t, env, "--demo")
	if log := s.stderr.String(); !strings.Contains(log, "kid="+g.kid) || strings.Contains(log, "GQLAUTH_JWT_SECRET") {
		t.Errorf("stderr = %q, want the signing kid and no warning about GQLAUTH_JWT_SECRET", log)
	}

	token, _ := login(t, s.url, "johndoe", "johndoe-secret", nil)
	if got := meUsername(t, s.url, token); got != "johndoe" {
		t.Errorf("me.username = %q, want johndoe", got)
	}

	var md metadataDoc
	getDiscovery(t, s.url+"/.well-known/oauth-authorization-server", &md)
	if md.Issuer != "gqlauth" || md.TokenEndpoint != s.url+"/token" || md.JWKSURI == nil || *md.JWKSURI != s.url+"/.well-known/jwks.json" {
		t.Errorf("metadata = %+v, want issuer gqlauth, token_endpoint %s/token, jwks_uri %s/.well-known/jwks.json", md, s.url, s.url)
	}
	if strings.Join(md.GrantTypes, " ") != "password refresh_token" || strings.Join(md.Scopes, " ") != strings.Join(auth.Scopes, " ") ||
		strings.Join(md.AuthMethods, " ") != "none" {
		t.Errorf("metadata = %+v, want grants password refresh_token, scopes %q, auth methods none", md, auth.Scopes)
	}

	// The token endpoint the metadata names works.
	resp, err := http.PostForm(md.TokenEndpoint, url.Values{"grant_type": {"password"}, "username": {"johndoe"}, "password": {"johndoe-secret"}})
	if err != nil {
		t.Fatalf("POST %s: %v", md.TokenEndpoint, err)
	}
	var grant struct {
		AccessToken string `json:"access_token"`
	}
	json.NewDecoder(resp.Body).Decode(&grant)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || grant.AccessToken == "" {
		t.Fatalf("POST %s = %d, access_token %q; want 200 and a token", md.TokenEndpoint, resp.StatusCode, grant.AccessToken)
	}

	var jwks jwksDoc
	getDiscovery(t, *md.JWKSURI, &jwks)
	if len(jwks.Keys) != 1 || jwks.Keys[0]["kid"] != g.kid || jwks.Keys[0]["kty"] != "OKP" || jwks.Keys[0]["crv"] != "Ed25519" {
		t.Fatalf("JWKS = %v, want the one Ed25519 key %s", jwks.Keys, g.kid)
	}
	if _, ok := jwks.Keys[0]["d"]; ok {
		t.Fatalf("JWKS = %v: it holds the private key", jwks.Keys)
	}
	x, err := base64.RawURLEncoding.DecodeString(jwks.Keys[0]["x"])
	if err != nil || len(x) != ed25519.PublicKeySize {
		t.Fatalf("JWKS x = %q: %v", jwks.Keys[0]["x"], err)
	}
	for _, tok := range []string{token, grant.AccessToken} {
		parts := strings.Split(tok, ".")
		header, _ := base64.RawURLEncoding.DecodeString(parts[0])
		var h map[string]string
		if err := json.Unmarshal(header, &h); err != nil || h["kid"] != g.kid || h["alg"] != "EdDSA" || h["typ"] != "at+jwt" {
			t.Errorf("token header = %s, want alg EdDSA, kid %s, typ at+jwt", header, g.kid)
		}
		sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
		if !ed25519.Verify(ed25519.PublicKey(x), []byte(parts[0]+"."+parts[1]), sig) {
			t.Errorf("token does not verify with the JWKS key %s", g.kid)
		}
	}
}

// TestServeHS256Discovery: with only an HS256 secret the JWKS is empty and
// the metadata has no jwks_uri; GQLAUTH_PUBLIC_URL sets the metadata URLs.
func TestServeHS256Discovery(t *testing.T) {
	env := testEnv(t)
	env["GQLAUTH_PUBLIC_URL"] = "https://auth.example.com/id/"
	s := startServer(t, env)

	var jwks jwksDoc
	getDiscovery(t, s.url+"/.well-known/jwks.json", &jwks)
	if jwks.Keys == nil || len(jwks.Keys) != 0 {
		t.Errorf("JWKS keys = %v, want []", jwks.Keys)
	}
	var md metadataDoc
	getDiscovery(t, s.url+"/.well-known/oauth-authorization-server", &md)
	if md.TokenEndpoint != "https://auth.example.com/id/token" || md.JWKSURI != nil {
		t.Errorf("metadata = %+v, want token_endpoint https://auth.example.com/id/token and no jwks_uri", md)
	}
}

// TestServeKeyRotation rotates from key A to key B across restarts, as the
// README tells an operator to: A's tokens keep working while A is a
// verification key, and stop once it is removed.
func TestServeKeyRotation(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	a := generateKey(t, "EdDSA", dir)
	b := generateKey(t, "EdDSA", dir)
	env := testEnv(t)
	delete(env, "GQLAUTH_JWT_SECRET")

	env["GQLAUTH_SIGNING_KEY"] = a.private
	s := startServer(t, env, "--demo")
	tokenA, _ := login(t, s.url, "johndoe", "johndoe-secret", nil)
	if err := s.stop(t); err != nil {
		t.Fatalf("stop: %v", err)
	}

	env["GQLAUTH_SIGNING_KEY"] = b.private
	env["GQLAUTH_VERIFICATION_KEYS"] = a.public
	s = startServer(t, env)
	if got := meUsername(t, s.url, tokenA); got != "johndoe" {
		t.Errorf("me with A's token while A verifies = %q, want johndoe", got)
	}
	tokenB, _ := login(t, s.url, "johndoe", "johndoe-secret", nil)
	var jwks jwksDoc
	getDiscovery(t, s.url+"/.well-known/jwks.json", &jwks)
	if len(jwks.Keys) != 2 || jwks.Keys[0]["kid"] != b.kid || jwks.Keys[1]["kid"] != a.kid {
		t.Errorf("JWKS during rotation = %v, want B (%s) then A (%s)", jwks.Keys, b.kid, a.kid)
	}
	if err := s.stop(t); err != nil {
		t.Fatalf("stop: %v", err)
	}

	delete(env, "GQLAUTH_VERIFICATION_KEYS")
	s = startServer(t, env)
	r, _ := postGraphQL(t, s.url, tokenA, meQuery, nil)
	wantError(t, "me with A's token after A is removed", r, "UNAUTHENTICATED", "access token key is unknown")
	if got := meUsername(t, s.url, tokenB); got != "johndoe" {
		t.Errorf("me with B's token = %q, want johndoe", got)
	}
}

func TestKeyConfigErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	weak, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(weak)
	if err != nil {
		t.Fatal(err)
	}
	weakPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	weakPath := write("weak.pem", weakPEM)
	garbage := write("garbage.pem", []byte("hunter2 is not a key"))
	good := generateKey(t, "EdDSA", filepath.Join(dir, "good"))
	missing := filepath.Join(dir, "missing.pem")

	tests := []struct {
		name    string
		env     map[string]string // merged over testEnv
		args    []string          // after "serve"
		want    []string          // all in the error
		notWant string            // never in the error
	}{
		{name: "missing signing key", env: map[string]string{"GQLAUTH_SIGNING_KEY": missing}, want: []string{"GQLAUTH_SIGNING_KEY", missing, "no such file"}},
		{name: "missing signing key flag", args: []string{"--signing-key", missing}, want: []string{missing}},
		{name: "weak signing key", env: map[string]string{"GQLAUTH_SIGNING_KEY": weakPath}, want: []string{weakPath, "1024 bits", "at least 2048"}, notWant: string(weakPEM[30:60])},
		{name: "garbage signing key", env: map[string]string{"GQLAUTH_SIGNING_KEY": garbage}, want: []string{garbage, "no PEM block"}, notWant: "hunter2"},
		{name: "public signing key", env: map[string]string{"GQLAUTH_SIGNING_KEY": good.public}, want: []string{good.public, "public key"}},
		{name: "folder as signing key", env: map[string]string{"GQLAUTH_SIGNING_KEY": dir}, want: []string{"GQLAUTH_SIGNING_KEY", dir}},
		{name: "missing verification key", env: map[string]string{"GQLAUTH_SIGNING_KEY": good.private, "GQLAUTH_VERIFICATION_KEYS": good.public + "," + missing}, want: []string{"GQLAUTH_VERIFICATION_KEYS", missing}},
		{name: "weak verification key", env: map[string]string{"GQLAUTH_VERIFICATION_KEYS": weakPath}, want: []string{"GQLAUTH_VERIFICATION_KEYS", weakPath, "at least 2048"}},
		{name: "short secret beside a signing key", env: map[string]string{"GQLAUTH_SIGNING_KEY": good.private, "GQLAUTH_JWT_SECRET": "too-short"}, want: []string{"at least 32"}, notWant: "too-short"},
		{name: "public URL not http", env: map[string]string{"GQLAUTH_PUBLIC_URL": "ftp://auth.example.com"}, want: []string{"GQLAUTH_PUBLIC_URL"}},
		{name: "public URL relative", env: map[string]string{"GQLAUTH_PUBLIC_URL": "auth.example.com"}, want: []string{"GQLAUTH_PUBLIC_URL"}},
		{name: "public URL with query", env: map[string]string{"GQLAUTH_PUBLIC_URL": "https://auth.example.com/?x=1"}, want: []string{"GQLAUTH_PUBLIC_URL"}},
		{name: "public URL with credentials", env: map[string]string{"GQLAUTH_PUBLIC_URL": "https://u:hunter2@auth.example.com"}, want: []string{"GQLAUTH_PUBLIC_URL"}, notWant: "hunter2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := testEnv(t)
			for k, v := range tt.env {
				env[k] = v
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			var stdout, stderr syncBuffer
			args := append([]string{"gqlauth", "serve"}, tt.args...)
			err := run(ctx, args, getenv(env), strings.NewReader(""), &stdout, &stderr)
			if err == nil {
				t.Fatalf("run(%q) = nil, want an error containing %q; stderr:\n%s", args, tt.want, stderr.String())
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("run(%q) = %q, want it to contain %q", args, err, w)
				}
			}
			if tt.notWant != "" && (strings.Contains(err.Error(), tt.notWant) || strings.Contains(stderr.String(), tt.notWant)) {
				t.Errorf("run(%q) = %q: it reveals %q", args, err, tt.notWant)
			}
			if strings.Contains(stderr.String(), "serving") {
				t.Errorf("run(%q) started serving; stderr:\n%s", args, stderr.String())
			}
		})
	}
}
