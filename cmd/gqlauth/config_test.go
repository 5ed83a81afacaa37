package main

import (
	"flag"
	"io"
	"testing"
	"time"
)

// With no configuration, the settings are the contract's defaults.
func TestConfigDefaults(t *testing.T) {
	t.Parallel()
	var cfg config
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if err := parseFlags(fs, nil, cfg.register(fs, func(string) string { return "" })); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		got, want any
	}{
		{"GQLAUTH_ADDR", cfg.addr, ":8080"},
		{"GQLAUTH_DATABASE_URL", cfg.databaseURL, "sqlite://gqlauth.db"},
		{"GQLAUTH_JWT_SECRET", cfg.jwtSecret, ""},
		{"GQLAUTH_ACCESS_TOKEN_TTL", cfg.accessTTL, 15 * time.Minute},
		{"GQLAUTH_REFRESH_TOKEN_TTL", cfg.refreshTTL, 720 * time.Hour},
		{"GQLAUTH_REFRESH_REUSE_GRACE", cfg.reuseGrace, 10 * time.Second},
		{"GQLAUTH_ISSUER", cfg.issuer, "gqlauth"},
		{"GQLAUTH_AUDIENCE", cfg.audience, "gqlauth"},
		{"GQLAUTH_BCRYPT_COST", cfg.bcryptCost, 12},
		{"GQLAUTH_INTROSPECTION", cfg.introspection, true},
		{"GQLAUTH_MAX_QUERY_DEPTH", cfg.gqlLimits.MaxDepth, 15},
		{"GQLAUTH_MAX_BODY_BYTES", cfg.maxBodyBytes, 1 << 20},
		{"GQLAUTH_LOGIN_FAILURES_PER_USER", cfg.loginLimits.FailuresPerUser, 5},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s default = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}
