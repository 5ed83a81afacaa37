package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"gqlauth/auth"
	"gqlauth/ent"
	"gqlauth/store"
)

const usage = `usage:
  gqlauth serve [--demo] [flags]       run the server (gqlauth serve -h lists flags)
  gqlauth user create --username U [--email E] [--full-name N] [--scopes me,items] [--disabled]
                                       create a user; the password is read from standard input
  gqlauth user disable --username U    a disabled user cannot log in, and their tokens stop working
  gqlauth user enable --username U
  gqlauth sessions revoke --user U     end every session of a user (their refresh tokens stop working)
  gqlauth keys generate --alg EdDSA|RS256 --out DIR
                                       write a new signing key pair to DIR/<kid>.pem and DIR/<kid>.pub.pem`

// run is the whole program: main only hands it the process's environment.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) < 2 {
		return errors.New(usage)
	}
	switch cmd, rest := args[1], args[2:]; cmd {
	case "serve":
		return serve(ctx, rest, getenv, stdout, stderr)
	case "user":
		if len(rest) == 0 {
			return errors.New(usage)
		}
		return userCommand(ctx, rest[0], rest[1:], getenv, stdin, stdout, stderr)
	case "sessions":
		if len(rest) == 0 || rest[0] != "revoke" {
			return errors.New(usage)
		}
		return revokeSessions(ctx, rest[1:], getenv, stdout, stderr)
	case "keys":
		if len(rest) == 0 || rest[0] != "generate" {
			return errors.New(usage)
		}
		return generateKeys(rest[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	default:
		return fmt.Errorf("unknown command %q\n%s", cmd, usage)
	}
}

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
	cost := auth.DefaultCost
	if v := getenv("GQLAUTH_BCRYPT_COST"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			errs["bcrypt-cost"] = fmt.Errorf("$GQLAUTH_BCRYPT_COST=%q: want a whole number", v)
		}
		cost = n
	}
	fs.IntVar(&cfg.bcryptCost, "bcrypt-cost", cost, "bcrypt cost of new password hashes ($GQLAUTH_BCRYPT_COST)")
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

// serve runs the server until ctx is done, then drains in-flight requests.
func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var cfg config
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	envErrs := cfg.register(fs, getenv)
	fs.BoolVar(&cfg.demo, "demo", false, "seed the tutorial's demo users and print how to log in")
	if err := parseFlags(fs, args, envErrs); err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	publicURL, err := checkPublicURL(cfg.publicURL)
	if err != nil {
		return err
	}
	issuer, err := cfg.newIssuer(logger)
	if err != nil {
		return err
	}
	svc, client, db, err := cfg.openService(ctx, issuer)
	if err != nil {
		return err
	}
	defer db.Close()
	if cfg.demo {
		if err := seedDemo(ctx, svc, stdout); err != nil {
			return err
		}
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           newHandler(db, client, svc, issuer, publicURL, logger),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	go purgeSessions(ctx, svc, logger, time.Hour)
	signing := issuer.SigningKey()
	logger.Info("signing access tokens", "alg", signing.Alg(), "kid", signing.ID(), "accepted_keys", len(issuer.Keys()))
	logger.Info("serving", "addr", ln.Addr().String(), "playground", "http://"+localURL(ln.Addr())+"/")
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down: draining in-flight requests")
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// localURL is addr as a browser on this machine reaches it.
func localURL(addr net.Addr) string {
	if tcp, ok := addr.(*net.TCPAddr); ok && tcp.IP.IsUnspecified() {
		return "localhost:" + strconv.Itoa(tcp.Port)
	}
	return addr.String()
}

// userCommand runs gqlauth user create|disable|enable, as the system.
func userCommand(ctx context.Context, cmd string, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	switch cmd {
	case "create", "disable", "enable":
	default:
		return fmt.Errorf("unknown command \"user %s\"\n%s", cmd, usage)
	}
	var cfg config
	fs := flag.NewFlagSet("user "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	envErrs := cfg.register(fs, getenv)
	var u auth.NewUser
	var email, fullName, scopes string
	fs.StringVar(&u.Username, "username", "", "the user's login name (required)")
	if cmd == "create" {
		fs.StringVar(&email, "email", "", "email address")
		fs.StringVar(&fullName, "full-name", "", "full name")
		fs.StringVar(&scopes, "scopes", "", "comma-separated scopes to grant, from: "+strings.Join(auth.Scopes, ","))
		fs.BoolVar(&u.Disabled, "disabled", false, "create the user disabled")
	}
	if err := parseFlags(fs, args, envErrs); err != nil {
		return err
	}
	if u.Username == "" {
		return fmt.Errorf("user %s: --username is required", cmd)
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	issuer, err := cfg.newIssuer(logger)
	if err != nil {
		return err
	}
	svc, _, db, err := cfg.openService(ctx, issuer)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx = auth.AsSystem(ctx)
	switch cmd {
	case "create":
		pw, err := io.ReadAll(io.LimitReader(stdin, 4096))
		if err != nil {
			return fmt.Errorf("read password from standard input: %w", err)
		}
		u.Password = string(bytes.TrimSuffix(bytes.TrimSuffix(pw, []byte("\n")), []byte("\r")))
		if email != "" {
			u.Email = &email
		}
		if fullName != "" {
			u.FullName = &fullName
		}
		u.Scopes = []string{}
		if scopes != "" {
			u.Scopes = strings.Split(scopes, ",")
		}
		created, err := svc.CreateUser(ctx, u)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "created user %s (id %d) with scopes [%s]\n", created.Username, created.ID, strings.Join(created.Scopes, " "))
	default: // disable, enable
		if err := svc.SetDisabled(ctx, u.Username, cmd == "disable"); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%sd user %s\n", cmd, u.Username)
	}
	return nil
}

// purgeSessions deletes expired and revoked sessions now and every period
// until ctx is done. It runs beside the server: a request never waits for it.
func purgeSessions(ctx context.Context, svc *auth.Service, logger *slog.Logger, period time.Duration) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		if n, err := svc.PurgeSessions(ctx); err != nil && ctx.Err() == nil {
			logger.Error("purge sessions", "err", err)
		} else if n > 0 {
			logger.Info("purged expired and revoked sessions", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// revokeSessions runs gqlauth sessions revoke --user U, as the system.
func revokeSessions(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var cfg config
	fs := flag.NewFlagSet("sessions revoke", flag.ContinueOnError)
	fs.SetOutput(stderr)
	envErrs := cfg.register(fs, getenv)
	username := fs.String("user", "", "the user whose sessions end (required)")
	if err := parseFlags(fs, args, envErrs); err != nil {
		return err
	}
	if *username == "" {
		return errors.New("sessions revoke: --user is required")
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	issuer, err := cfg.newIssuer(logger)
	if err != nil {
		return err
	}
	svc, _, db, err := cfg.openService(ctx, issuer)
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := svc.RevokeUserSessions(auth.AsSystem(ctx), *username)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "revoked %d sessions of user %s\n", n, *username)
	return nil
}
