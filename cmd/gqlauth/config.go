package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"gqlauth/auth"
	"gqlauth/ent"
	"gqlauth/graph"
	"gqlauth/store"
)

// config is gqlauth's configuration: each setting has an environment
// variable and a flag; a flag given on the command line wins.
type config struct {
	addr        string
	databaseURL string
	jwtSecret   string
	signingKey  string // PEM file
	verifyKeys  string // comma-separated PEM files
	publicURL   string
	issuer      string
	audience    string
	accessTTL   time.Duration
	refreshTTL  time.Duration
	reuseGrace  time.Duration
	bcryptCost  int
	demo        bool

	// Abuse resistance (README: Security and limits).
	introspection   bool
	gqlLimits       graph.Limits
	apqCacheSize    int
	maxBodyBytes    int
	requestTimeout  time.Duration
	shutdownTimeout time.Duration
	corsOrigins     string // comma-separated
	trustedProxies  string // comma-separated IPs or CIDRs
	loginLimits     auth.Limits
}

// register adds cfg's flags to fs, with defaults taken from getenv, and
// returns what is wrong with the environment's values, by flag name.
func (cfg *config) register(fs *flag.FlagSet, getenv func(string) string) map[string]error {
	errs := map[string]error{}
	str := func(p *string, name, env, def, help string) {
		if v := getenv(env); v != "" {
			def = v
		}
		fs.StringVar(p, name, def, help+" ($"+env+")")
	}
	dur := func(p *time.Duration, name, env string, def time.Duration, help string) {
		if v := getenv(env); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil || d < 0 {
				errs[name] = fmt.Errorf("$%s=%q: want a Go duration such as 15m", env, v)
			}
			def = d
		}
		fs.DurationVar(p, name, def, help+" ($"+env+")")
	}
	str(&cfg.addr, "addr", "GQLAUTH_ADDR", ":8080", "listen address")
	str(&cfg.databaseURL, "database-url", "GQLAUTH_DATABASE_URL", "sqlite://gqlauth.db", "database: sqlite://PATH")
	str(&cfg.jwtSecret, "jwt-secret", "GQLAUTH_JWT_SECRET", "", "HS256 signing secret, 32 bytes or more; prefer the variable, flags show in ps (default: random per start)")
	str(&cfg.signingKey, "signing-key", "GQLAUTH_SIGNING_KEY", "", "PEM file of the Ed25519 or RSA private key that signs access tokens (default: HS256 with the JWT secret)")
	str(&cfg.verifyKeys, "verification-keys", "GQLAUTH_VERIFICATION_KEYS", "", "comma-separated PEM files (private or public keys) whose tokens are also accepted, for key rotation")
	str(&cfg.publicURL, "public-url", "GQLAUTH_PUBLIC_URL", "", "base URL clients reach the server at, for /.well-known/oauth-authorization-server (default: http://<request host>)")
	str(&cfg.issuer, "issuer", "GQLAUTH_ISSUER", "gqlauth", "iss of issued tokens, and the only one accepted")
	str(&cfg.audience, "audience", "GQLAUTH_AUDIENCE", "gqlauth", "aud of issued tokens, and the only one accepted")
	dur(&cfg.accessTTL, "access-token-ttl", "GQLAUTH_ACCESS_TOKEN_TTL", 15*time.Minute, "access token lifetime")
	dur(&cfg.refreshTTL, "refresh-token-ttl", "GQLAUTH_REFRESH_TOKEN_TTL", 720*time.Hour, "refresh token (session) lifetime")
	dur(&cfg.reuseGrace, "refresh-reuse-grace", "GQLAUTH_REFRESH_REUSE_GRACE", 10*time.Second, "after a rotation, how long presenting the just-rotated refresh token fails without revoking the session")
	num := func(p *int, name, env string, def int, help string) {
		if v := getenv(env); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				errs[name] = fmt.Errorf("$%s=%q: want a whole number", env, v)
			}
			def = n
		}
		fs.IntVar(p, name, def, help+" ($"+env+")")
	}
	num(&cfg.bcryptCost, "bcrypt-cost", "GQLAUTH_BCRYPT_COST", auth.DefaultCost, "bcrypt cost of new password hashes")

	boolean := func(p *bool, name, env string, def bool, help string) {
		if v := getenv(env); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				errs[name] = fmt.Errorf("$%s=%q: want true or false", env, v)
			}
			def = b
		}
		fs.BoolVar(p, name, def, help+" ($"+env+")")
	}
	boolean(&cfg.introspection, "introspection", "GQLAUTH_INTROSPECTION", true, "answer introspection queries (turn off in production if the schema is private)")
	num(&cfg.gqlLimits.MaxDepth, "max-query-depth", "GQLAUTH_MAX_QUERY_DEPTH", 15, "deepest selection nesting a query may have")
	num(&cfg.gqlLimits.MaxComplexity, "max-query-complexity", "GQLAUTH_MAX_QUERY_COMPLEXITY", 500, "highest complexity a query may have (lists weighted by size)")
	num(&cfg.gqlLimits.MaxAliases, "max-aliases", "GQLAUTH_MAX_ALIASES", 30, "most aliased fields a query may have")
	num(&cfg.gqlLimits.MaxRootFields, "max-root-fields", "GQLAUTH_MAX_ROOT_FIELDS", 20, "most top-level fields a query may have")
	num(&cfg.apqCacheSize, "apq-cache-size", "GQLAUTH_APQ_CACHE_SIZE", 1000, "automatic persisted queries kept (LRU)")
	num(&cfg.maxBodyBytes, "max-body-bytes", "GQLAUTH_MAX_BODY_BYTES", 1<<20, "largest request body; larger is 413")
	dur(&cfg.requestTimeout, "request-timeout", "GQLAUTH_REQUEST_TIMEOUT", 10*time.Second, "deadline of one request, database work included")
	dur(&cfg.shutdownTimeout, "shutdown-timeout", "GQLAUTH_SHUTDOWN_TIMEOUT", 15*time.Second, "how long SIGTERM waits for in-flight requests")
	str(&cfg.corsOrigins, "cors-origins", "GQLAUTH_CORS_ORIGINS", "", "comma-separated origins allowed to call the API from a browser, e.g. https://app.example.com")
	str(&cfg.trustedProxies, "trusted-proxies", "GQLAUTH_TRUSTED_PROXIES", "", "comma-separated proxy IPs or CIDRs whose X-Forwarded-For is believed")
	num(&cfg.loginLimits.FailuresPerUser, "login-failures-per-user", "GQLAUTH_LOGIN_FAILURES_PER_USER", 5, "failed logins per username per window (-1: off)")
	num(&cfg.loginLimits.FailuresPerIP, "login-failures-per-ip", "GQLAUTH_LOGIN_FAILURES_PER_IP", 50, "failed logins per client IP per window (-1: off)")
	dur(&cfg.loginLimits.FailureWindow, "login-failure-window", "GQLAUTH_LOGIN_FAILURE_WINDOW", 15*time.Minute, "window of the failed-login counts")
	return errs
}

// parseFlags parses args into fs, then reports the environment's errors
// for the settings no flag overrode.
func parseFlags(fs *flag.FlagSet, args []string, envErrs map[string]error) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))
	}
	fs.Visit(func(f *flag.Flag) { delete(envErrs, f.Name) })
	var errs []error
	for _, err := range envErrs {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// newIssuer builds the access-token issuer: it signs with the key in
// GQLAUTH_SIGNING_KEY when set, else HS256 with GQLAUTH_JWT_SECRET (random
// when unset), and also accepts the keys in GQLAUTH_VERIFICATION_KEYS. Key
// material never reaches a log line or an error.
func (cfg *config) newIssuer(logger *slog.Logger) (*auth.Issuer, error) {
	tc := auth.TokenConfig{Issuer: cfg.issuer, Audience: cfg.audience, TTL: cfg.accessTTL}
	var secret *auth.Key
	if cfg.jwtSecret != "" {
		k, err := auth.NewHMACKey([]byte(cfg.jwtSecret))
		if err != nil {
			return nil, fmt.Errorf("GQLAUTH_JWT_SECRET: %w", err)
		}
		secret = k
	}
	switch {
	case cfg.signingKey != "":
		k, err := loadKey("GQLAUTH_SIGNING_KEY", cfg.signingKey, logger)
		if err != nil {
			return nil, err
		}
		if !k.CanSign() {
			return nil, fmt.Errorf("GQLAUTH_SIGNING_KEY: %s holds a public key: signing needs the private key file", cfg.signingKey)
		}
		tc.Signing = k
		if secret != nil {
			// Moving from HS256 to a key pair logs nobody out while both
			// are set.
			tc.Verification = append(tc.Verification, secret)
			logger.Warn("GQLAUTH_JWT_SECRET is set beside GQLAUTH_SIGNING_KEY: HS256 tokens are still accepted; unset it once the access-token TTL has passed")
		}
	case secret != nil:
		tc.Signing = secret
	default:
		tc.Secret = []byte(rand.Text() + rand.Text())
		logger.Warn("GQLAUTH_JWT_SECRET is not set: signing with a random secret, so every token dies when the process stops")
	}
	for _, path := range strings.Split(cfg.verifyKeys, ",") {
		if path = strings.TrimSpace(path); path == "" {
			continue
		}
		k, err := loadKey("GQLAUTH_VERIFICATION_KEYS", path, logger)
		if err != nil {
			return nil, err
		}
		tc.Verification = append(tc.Verification, k)
	}
	return auth.NewIssuer(tc)
}

// loadKey reads the PEM key file path, named by setting.
func loadKey(setting, path string, logger *slog.Logger) (*auth.Key, error) {
	pemBytes, err := os.ReadFile(path)
	if err != nil {
		if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
			err = pe.Err // the path is in the message already
		}
		return nil, fmt.Errorf("%s: read %s: %w", setting, path, err)
	}
	k, err := auth.ParseKeyPEM(pemBytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %w", setting, path, err)
	}
	if fi, err := os.Stat(path); err == nil && k.CanSign() && fi.Mode().Perm()&0o077 != 0 {
		logger.Warn("private key file is readable by other users: chmod 600 it", "file", path, "mode", fi.Mode().Perm().String())
	}
	return k, nil
}

// checkPublicURL checks GQLAUTH_PUBLIC_URL, "" or an absolute http(s) URL
// without credentials, query or fragment, and drops a trailing slash.
func checkPublicURL(raw string) (string, error) {
	if raw == "" {
		return "", nil
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		// The value is not echoed: it might hold credentials.
		return "", errors.New("GQLAUTH_PUBLIC_URL: want an absolute http or https URL such as https://auth.example.com, without credentials, query or fragment")
	}
	return strings.TrimSuffix(raw, "/"), nil
}

// openService opens the database and builds the auth service on it,
// signing with issuer.
func (cfg *config) openService(ctx context.Context, issuer *auth.Issuer) (*auth.Service, *ent.Client, *sql.DB, error) {
	passwords, err := auth.NewPasswords(cfg.bcryptCost)
	if err != nil {
		return nil, nil, nil, err
	}
	if cfg.refreshTTL <= 0 {
		return nil, nil, nil, fmt.Errorf("refresh token TTL must be positive, got %v", cfg.refreshTTL)
	}
	client, db, err := store.Open(ctx, cfg.databaseURL)
	if err != nil {
		return nil, nil, nil, err
	}
	return auth.NewService(client, passwords, issuer, auth.SessionConfig{TTL: cfg.refreshTTL, ReuseGrace: cfg.reuseGrace}), client, db, nil
}

// origins splits GQLAUTH_CORS_ORIGINS, checking each is a bare origin.
func (cfg *config) origins() ([]string, error) {
	var out []string
	for _, o := range strings.Split(cfg.corsOrigins, ",") {
		if o = strings.TrimSpace(o); o == "" {
			continue
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != "" || u.User != nil || u.RawQuery != "" {
			return nil, fmt.Errorf("GQLAUTH_CORS_ORIGINS: %q is not an origin such as https://app.example.com", o)
		}
		out = append(out, o)
	}
	return out, nil
}

// proxies parses GQLAUTH_TRUSTED_PROXIES: IPs or CIDRs.
func (cfg *config) proxies() ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, p := range strings.Split(cfg.trustedProxies, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		prefix, err := netip.ParsePrefix(p)
		if err != nil {
			a, aerr := netip.ParseAddr(p)
			if aerr != nil {
				return nil, fmt.Errorf("GQLAUTH_TRUSTED_PROXIES: %q is not an IP address or CIDR", p)
			}
			prefix = netip.PrefixFrom(a, a.BitLen())
		}
		out = append(out, prefix.Masked())
	}
	return out, nil
}
