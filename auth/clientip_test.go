package auth

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestClientIP(t *testing.T) {
	t.Parallel()
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	tests := []struct {
		name    string
		trusted []netip.Prefix
		remote  string
		xff     []string
		want    string
	}{
		{"peer only", nil, "192.0.2.7:5000", nil, "192.0.2.7"},
		{"header ignored without trusted proxies", nil, "192.0.2.7:5000", []string{"203.0.113.9"}, "192.0.2.7"},
		{"header ignored from an untrusted peer", proxies, "192.0.2.7:5000", []string{"203.0.113.9"}, "192.0.2.7"},
		{"trusted proxy", proxies, "10.1.2.3:5000", []string{"203.0.113.9"}, "203.0.113.9"},
		{"client-chosen leftmost entries ignored", proxies, "10.1.2.3:5000", []string{"1.1.1.1, 203.0.113.9"}, "203.0.113.9"},
		{"chain of trusted proxies", proxies, "10.1.2.3:5000", []string{"203.0.113.9, 10.9.9.9"}, "203.0.113.9"},
		{"several headers", proxies, "10.1.2.3:5000", []string{"1.1.1.1", "203.0.113.9"}, "203.0.113.9"},
		{"garbage stops the walk", proxies, "10.1.2.3:5000", []string{"203.0.113.9, junk"}, "10.1.2.3"},
		{"IPv6 loopback proxy", proxies, "[::1]:5000", []string{"2001:db8::5"}, "2001:db8::5"},
		{"IPv4-mapped peer", nil, "[::ffff:192.0.2.7]:5000", nil, "192.0.2.7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got string
			h := ClientIP(tt.trusted)(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
				got = clientIP(r.Context())
			}))
			req := httptest.NewRequest(http.MethodPost, "/graphql", nil)
			req.RemoteAddr = tt.remote
			for _, v := range tt.xff {
				req.Header.Add("X-Forwarded-For", v)
			}
			h.ServeHTTP(httptest.NewRecorder(), req)
			if got != tt.want {
				t.Errorf("client IP = %q, want %q", got, tt.want)
			}
		})
	}
}
