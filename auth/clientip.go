package auth

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

type clientIPKey struct{}

// ClientIP returns middleware that records the client's IP address, which
// login throttling counts per. It is the immediate peer, unless that peer
// is one of the trusted proxies: then it is the rightmost address of
// X-Forwarded-For that is not itself a trusted proxy (the leftmost ones are
// whatever the client chose to send). With no trusted proxies the header
// is ignored.
func ClientIP(trusted []netip.Prefix) func(http.Handler) http.Handler {
	isTrusted := func(a netip.Addr) bool {
		for _, p := range trusted {
			if p.Contains(a.Unmap()) {
				return true
			}
		}
		return false
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ip := peerIP(r.RemoteAddr)
			if ip.IsValid() && isTrusted(ip) {
				hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
				for i := len(hops) - 1; i >= 0; i-- {
					a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
					if err != nil {
						break // garbage: stop at the last address we could trust
					}
					ip = a
					if !isTrusted(a) {
						break
					}
				}
			}
			if ip.IsValid() {
				r = r.WithContext(context.WithValue(r.Context(), clientIPKey{}, ip.Unmap().String()))
			}
			next.ServeHTTP(w, r)
		})
	}
}

// peerIP parses the address of an http.Request's RemoteAddr.
func peerIP(remote string) netip.Addr {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	a, _ := netip.ParseAddr(host)
	return a
}

// clientIP returns the address ClientIP recorded, or "".
func clientIP(ctx context.Context) string {
	ip, _ := ctx.Value(clientIPKey{}).(string)
	return ip
}
