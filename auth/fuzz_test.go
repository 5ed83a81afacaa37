package auth

import (
	"strings"
	"testing"
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
