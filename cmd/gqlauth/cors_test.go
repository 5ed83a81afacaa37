package main

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestCORS(t *testing.T) {
	t.Parallel()
	next := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok")) })
	h := cors([]string{"https://app.example.com"})(next)
	tests := []struct {
		name, method, origin, reqMethod string
		wantStatus                      int
		wantAllowOrigin                 string
		wantMaxAge                      string
	}{
		{"no origin", http.MethodPost, "", "", 200, "", ""},
		{"allowed origin", http.MethodPost, "https://app.example.com", "", 200, "https://app.example.com", ""},
		{"refused origin", http.MethodPost, "https://evil.example", "", 200, "", ""},
		{"allowed preflight", http.MethodOptions, "https://app.example.com", "POST", 204, "https://app.example.com", "600"},
		{"refused preflight", http.MethodOptions, "https://evil.example", "POST", 403, "", ""},
		{"lookalike origin", http.MethodOptions, "https://app.example.com.evil.example", "POST", 403, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequest(tt.method, "/graphql", nil)
			if tt.origin != "" {
				req.Header.Set("Origin", tt.origin)
			}
			if tt.reqMethod != "" {
				req.Header.Set("Access-Control-Request-Method", tt.reqMethod)
				req.Header.Set("Access-Control-Request-Headers", "authorization, content-type")
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.wantStatus {
				t.Errorf("status = %d, want %d", rec.Code, tt.wantStatus)
			}
			got := rec.Header()
			if got.Get("Access-Control-Allow-Origin") != tt.wantAllowOrigin {
				t.Errorf("Allow-Origin = %q, want %q", got.Get("Access-Control-Allow-Origin"), tt.wantAllowOrigin)
			}
			if tt.wantAllowOrigin != "" && got.Get("Access-Control-Allow-Credentials") != "true" {
				t.Error("credentials not allowed for an allowed origin")
			}
			if tt.wantAllowOrigin == "" && got.Get("Access-Control-Allow-Credentials") != "" {
				t.Error("credentials allowed for a refused origin")
			}
			if got.Get("Access-Control-Max-Age") != tt.wantMaxAge {
				t.Errorf("Max-Age = %q, want %q", got.Get("Access-Control-Max-Age"), tt.wantMaxAge)
			}
			if tt.wantMaxAge != "" && got.Get("Access-Control-Allow-Headers") == "" {
				t.Error("preflight without Allow-Headers")
			}
		})
	}
}
