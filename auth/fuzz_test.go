package auth

import (
	"strings"
	"testing"
	"time"
)

// FuzzBearerToken: no Authorization header value makes the parser panic,
// and what it accepts is one non-empty token without white space.
func FuzzBearerToken(f *testing.F) {
	for _, seed := range []string{"Bearer abc.def.ghi", "bearer x", "Bearer", "Bearer  ", "Basic dXNlcjpwdw==", "", " Bearer x", "Bearer a b", "BEARER\tx", "Bearer \x00"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, header string) {
		token, err := bearerToken([]string{header})
		if err != nil {
			if token != "" {
				t.Errorf("bearerToken(%q) = %q with error %v", header, token, err)
			}
			return
		}
		if token == "" || strings.ContainsAny(token, " \t") {
			t.Errorf("bearerToken(%q) accepted %q", header, token)
		}
	})
}

// FuzzVerify: no string makes Verify panic or accept claims it did not
// sign. The seeds are a valid token of each algorithm and broken copies.
// (Fuzz workers are separate processes with keys of their own, and base64
// padding bits are malleable, so what is checked is the accepted claims.)
func FuzzVerify(f *testing.F) {
	ed, err := GenerateKey(AlgEdDSA)
	if err != nil {
		f.Fatal(err)
	}
	hs, err := NewHMACKey([]byte("fuzz-secret-0123456789abcdef-0123456789"))
	if err != nil {
		f.Fatal(err)
	}
	iss, err := NewIssuer(TokenConfig{Signing: ed, Verification: []*Key{hs}, Issuer: "gqlauth", Audience: "gqlauth", TTL: time.Hour})
	if err != nil {
		f.Fatal(err)
	}
	hsIss, err := NewIssuer(TokenConfig{Signing: hs, Issuer: "gqlauth", Audience: "gqlauth", TTL: time.Hour})
	if err != nil {
		f.Fatal(err)
	}
	for _, i := range []*Issuer{iss, hsIss} {
		tok, _, err := i.Sign(42, 7, []string{"me"})
		if err != nil {
			f.Fatal(err)
		}
		f.Add(tok)
		f.Add(tok[:len(tok)-2])
		f.Add(strings.Replace(tok, ".", "..", 1))
	}
	for _, s := range []string{"", ".", "..", "a.b.c", "eyJhbGciOiJub25lIn0.e30.", "eyJhbGciOiJIUzI1NiIsImtpZCI6W119.e30.x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		claims, err := iss.Verify(raw)
		if err == nil && (claims.Subject != "42" || claims.SessionID != 7 || claims.Scope != "me") {
			t.Errorf("Verify(%q) accepted claims nobody signed: %+v", raw, claims)
		}
		if err != nil && claims != nil {
			t.Errorf("Verify(%q) returned claims with error %v", raw, err)
		}
	})
}
