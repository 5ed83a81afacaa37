package auth

import (
	"encoding/json"
	"net/http"
	"strings"
)

// Where cmd/gqlauth/routes.go mounts the endpoints the metadata document
// names. Tests follow the published URLs, so a mismatch fails them.
const (
	tokenPath = "/token"
	jwksPath  = "/.well-known/jwks.json"
)

// discoveryCache is how long clients and proxies may keep the JWKS and the
// metadata. A rotation adds the new key as a verification key first (or
// keeps the old one), so a cached JWKS at most this old still verifies.
const discoveryCache = "public, max-age=300"

// JWKSHandler serves the JSON Web Key Set (RFC 7517 §5) of iss's public
// keys, {"keys": [...]}: the signing key and every verification key that
// has a public half. Private members and HS256 secrets are never in it; with
// only HS256 keys the set is empty.
func JWKSHandler(iss *Issuer) http.Handler {
	body, err := json.Marshal(map[string][]JWK{"keys": iss.PublicJWKs()})
	if err != nil {
		panic("auth: encode JWKS: " + err.Error()) // strings only: cannot happen
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeDiscovery(w, body)
	})
}

// Metadata is the RFC 8414 authorization server metadata gqlauth
// publishes.
type Metadata struct {
	Issuer                            string   `json:"issuer"`
	TokenEndpoint                     string   `json:"token_endpoint"`
	JWKSURI                           string   `json:"jwks_uri,omitempty"`
	GrantTypesSupported               []string `json:"grant_types_supported"`
	ScopesSupported                   []string `json:"scopes_supported"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported"`
	ResponseTypesSupported            []string `json:"response_types_supported"`
}

// MetadataHandler serves RFC 8414 metadata describing iss: its issuer
// identifier (the iss claim of its tokens), the token endpoint, the JWKS
// (only when a public key exists to publish), the grants (password and
// refresh_token, for public clients: no client authentication) and the
// scopes. There is no authorization endpoint, so no response types.
//
// URLs start with publicURL (scheme, host and optional path, no trailing
// slash), the address clients reach the server at. Empty publicURL: the
// request's own host, over http, or https when the request came over TLS;
// behind a proxy that terminates TLS, set publicURL.
func MetadataHandler(iss *Issuer, publicURL string) http.Handler {
	hasJWKS := len(iss.PublicJWKs()) > 0
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		base := strings.TrimSuffix(publicURL, "/")
		if base == "" {
			scheme := "http"
			if r.TLS != nil {
				scheme = "https"
			}
			base = scheme + "://" + r.Host
		}
		md := Metadata{
			Issuer:                            iss.cfg.Issuer,
			TokenEndpoint:                     base + tokenPath,
			GrantTypesSupported:               []string{"password", "refresh_token"},
			ScopesSupported:                   Scopes,
			TokenEndpointAuthMethodsSupported: []string{"none"},
			ResponseTypesSupported:            []string{},
		}
		if hasJWKS {
			md.JWKSURI = base + jwksPath
		}
		body, err := json.Marshal(md)
		if err != nil {
			http.Error(w, "internal server error", http.StatusInternalServerError)
			return
		}
		writeDiscovery(w, body)
	})
}

// writeDiscovery answers with a public, cacheable JSON document that any
// web origin may read.
func writeDiscovery(w http.ResponseWriter, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", discoveryCache)
	h.Set("Access-Control-Allow-Origin", "*")
	w.Write(body)
}
