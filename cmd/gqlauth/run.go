package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"gqlauth/auth"
	"gqlauth/graph"
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
	origins, err := cfg.origins()
	if err != nil {
		return err
	}
	proxies, err := cfg.proxies()
	if err != nil {
		return err
	}
	svc.SetLimits(cfg.loginLimits)
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler: newHandler(site{
			db: db, client: client, svc: svc, issuer: issuer, logger: logger,
			graphql: graph.Options{
				Limits:        cfg.gqlLimits,
				Introspection: cfg.introspection,
				APQCacheSize:  cfg.apqCacheSize,
			},
			publicURL:      publicURL,
			corsOrigins:    origins,
			trustedProxies: proxies,
			maxBodyBytes:   int64(cfg.maxBodyBytes),
			requestTimeout: cfg.requestTimeout,
		}),
		// A slow or stalled client cannot hold a connection for long; the
		// write timeout leaves the request deadline room to answer.
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      cfg.requestTimeout + 20*time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
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
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.shutdownTimeout)
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
	svc, closeDB, err := cfg.cliService(ctx, stderr)
	if err != nil {
		return err
	}
	defer closeDB()
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
	svc, closeDB, err := cfg.cliService(ctx, stderr)
	if err != nil {
		return err
	}
	defer closeDB()
	n, err := svc.RevokeUserSessions(auth.AsSystem(ctx), *username)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "revoked %d sessions of user %s\n", n, *username)
	return nil
}

// cliService opens the service for a one-shot command, logging only errors
// (the command's own output is what the operator reads).
func (cfg *config) cliService(ctx context.Context, stderr io.Writer) (*auth.Service, func() error, error) {
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	issuer, err := cfg.newIssuer(logger)
	if err != nil {
		return nil, nil, err
	}
	svc, _, db, err := cfg.openService(ctx, issuer)
	if err != nil {
		return nil, nil, err
	}
	return svc, db.Close, nil
}
