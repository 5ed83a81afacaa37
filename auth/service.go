package auth

import (
	"context"
	"fmt"
	"net/mail"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"time"

	"entgo.io/ent/privacy"

	"gqlauth/ent"
	"gqlauth/ent/user"
)

// Service holds the rules of gqlauth: login, token verification and user
// administration. The GraphQL resolvers, the /token endpoint and the CLI
// are thin front doors to it.
type Service struct {
	client    *ent.Client
	passwords *Passwords
	issuer    *Issuer
	sessions  SessionConfig
	now       func() time.Time

	userFails *failures // failed logins per username
	ipFails   *failures // failed logins per client IP
	cpu       *gate     // bcrypt work
}

// Limits throttle password guessing and bound bcrypt work. Zero fields take
// their defaults; a negative failure count turns that limit off.
type Limits struct {
	FailuresPerUser   int           // failed logins per username per window (default 5)
	FailuresPerIP     int           // failed logins per client IP per window (default 50)
	FailureWindow     time.Duration // default 15m
	BcryptConcurrency int           // password checks at once (default: the number of CPUs)
	BcryptQueue       int           // password checks waiting at most (default 64)
	BcryptWait        time.Duration // longest wait for a turn (default 2s)
}

// utcNow is the service's clock: stored times are UTC (see store).
func utcNow() time.Time { return time.Now().UTC() }

// SetLimits replaces the login limits (NewService applies the defaults).
func (s *Service) SetLimits(l Limits) {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&l.FailuresPerUser, 5)
	def(&l.FailuresPerIP, 50)
	def(&l.BcryptConcurrency, runtime.NumCPU())
	def(&l.BcryptQueue, 64)
	if l.FailureWindow <= 0 {
		l.FailureWindow = 15 * time.Minute
	}
	if l.BcryptWait <= 0 {
		l.BcryptWait = 2 * time.Second
	}
	s.userFails = newFailures(l.FailuresPerUser, l.FailureWindow)
	s.ipFails = newFailures(l.FailuresPerIP, l.FailureWindow)
	s.cpu = newGate(l.BcryptConcurrency, l.BcryptQueue, l.BcryptWait)
}

// SessionConfig sets how long sessions live.
type SessionConfig struct {
	// TTL is a session's (and so its refresh tokens') lifetime.
	TTL time.Duration
	// ReuseGrace is how long after a rotation presenting the just-rotated
	// token again fails without revoking the session.
	ReuseGrace time.Duration
}

// NewService returns a Service storing users and sessions in client.
func NewService(client *ent.Client, passwords *Passwords, issuer *Issuer, sessions SessionConfig) *Service {
	s := &Service{client: client, passwords: passwords, issuer: issuer, sessions: sessions, now: utcNow}
	s.SetLimits(Limits{})
	return s
}

// system returns ctx with ent's privacy rules lifted: the service reads a
// user by name to log them in before anyone is a viewer.
func system(ctx context.Context) context.Context {
	return privacy.DecisionContext(ctx, privacy.Allow)
}

// Grant is what a successful login returns.
type Grant struct {
	AccessToken  string
	ExpiresIn    int // seconds
	RefreshToken string
	Scopes       []string
	User         *ent.User
}

// TokenType is always "Bearer".
func (*Grant) TokenType() string { return "Bearer" }

// Login checks username and password and returns tokens carrying scopes:
// nil means every scope the user holds, an empty list none. A scope the
// user does not hold is an ErrInvalidInput naming it.
//
// Failed logins are counted per username (known or not, so the limit
// reveals nothing) and per client IP; past either limit the answer is a
// RateLimitError, given before any bcrypt work. A success resets the
// username's count.
func (s *Service) Login(ctx context.Context, username, password string, scopes []string) (*Grant, error) {
	if scopes != nil {
		var err error
		if scopes, err = checkKnown(scopes); err != nil {
			return nil, err
		}
	}
	userKey, ip, now := strings.ToLower(username), clientIP(ctx), s.now()
	if err := s.userFails.check(userKey, now); err != nil {
		return nil, err
	}
	if err := s.ipFails.check(ip, now); ip != "" && err != nil {
		return nil, err
	}
	u, err := s.client.User.Query().Where(user.Username(username)).Only(system(ctx))
	if err != nil && !ent.IsNotFound(err) {
		return nil, fmt.Errorf("login: look up user: %w", err)
	}
	hash := ""
	if u != nil {
		hash = u.PasswordHash
	}
	ok, err := s.match(ctx, hash, password) // unknown user: same cost as a wrong password
	switch {
	case err != nil:
		return nil, err
	case !ok:
		s.userFails.fail(userKey, now)
		if ip != "" {
			s.ipFails.fail(ip, now)
		}
		return nil, ErrInvalidCredentials
	case u.Disabled:
		return nil, ErrUserDisabled
	}
	s.userFails.reset(userKey)
	if scopes == nil {
		scopes = u.Scopes
	}
	for _, sc := range scopes {
		if !slices.Contains(u.Scopes, sc) {
			return nil, invalidInput("scope %q is not granted to this user", sc)
		}
	}
	return s.grant(ctx, u, scopes)
}

// match checks a password under the bcrypt gate.
func (s *Service) match(ctx context.Context, hash, password string) (bool, error) {
	release, err := s.cpu.enter(ctx)
	if err != nil {
		return false, err
	}
	defer release()
	return s.passwords.Match(hash, password), nil
}

// hash hashes a new password under the bcrypt gate.
func (s *Service) hash(ctx context.Context, password string) (string, error) {
	if err := checkPolicy(password); err != nil {
		return "", err // refuse before queueing
	}
	release, err := s.cpu.enter(ctx)
	if err != nil {
		return "", err
	}
	defer release()
	return s.passwords.Hash(password)
}

// Authenticate verifies an access token and loads its user (one
// primary-key lookup). A deleted or disabled user's tokens stop working at
// once.
func (s *Service) Authenticate(ctx context.Context, raw string) (*Viewer, error) {
	claims, err := s.issuer.Verify(raw)
	if err != nil {
		return nil, err
	}
	id, _ := claims.UserID() // checked by Verify
	u, err := s.client.User.Get(system(ctx), id)
	switch {
	case ent.IsNotFound(err):
		return nil, unauthenticated("access token user no longer exists")
	case err != nil:
		return nil, fmt.Errorf("authenticate: load user: %w", err)
	case u.Disabled:
		return nil, ErrUserDisabled
	}
	var scopes []string
	for _, sc := range claims.Scopes() {
		if slices.Contains(u.Scopes, sc) {
			scopes = append(scopes, sc)
		}
	}
	return &Viewer{User: u, Claims: claims, Scopes: scopes}, nil
}

// NewUser is what creating a user takes. Nil Scopes: none.
type NewUser struct {
	Username string
	Password string
	Email    *string
	FullName *string
	Scopes   []string
	Disabled bool
}

var usernamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]{2,63}$`)

// CreateUser checks u and stores it. Called by a viewer (GraphQL), it may
// only grant scopes the viewer's own token carries, so users:write cannot
// be used to mint a more powerful account; the CLI, acting as the system,
// may grant any known scope.
func (s *Service) CreateUser(ctx context.Context, u NewUser) (*ent.User, error) {
	if !usernamePattern.MatchString(u.Username) {
		return nil, invalidInput("username must be 3 to 64 letters, digits or . _ @ -, starting with a letter or digit")
	}
	if u.Email != nil {
		if a, err := mail.ParseAddress(*u.Email); err != nil || a.Address != *u.Email || len(*u.Email) > 254 {
			return nil, invalidInput("email %q is not a valid address", *u.Email)
		}
	}
	if u.FullName != nil && len(*u.FullName) > 200 {
		return nil, invalidInput("full name must be at most 200 bytes")
	}
	scopes, err := checkKnown(u.Scopes)
	if err != nil {
		return nil, err
	}
	if v := ViewerFromContext(ctx); v != nil {
		for _, sc := range scopes {
			if !v.HasScope(sc) {
				return nil, invalidInput("cannot grant scope %q: your token does not carry it", sc)
			}
		}
	}
	hash, err := s.hash(ctx, u.Password)
	if err != nil {
		return nil, err
	}
	created, err := s.client.User.Create().
		SetUsername(u.Username).
		SetNillableEmail(u.Email).
		SetNillableFullName(u.FullName).
		SetPasswordHash(hash).
		SetScopes(scopes).
		SetDisabled(u.Disabled).
		Save(ctx)
	switch {
	case ent.IsConstraintError(err):
		return nil, invalidInput("username %q is already taken", u.Username)
	case err != nil:
		return nil, fmt.Errorf("create user: %w", err)
	}
	return created, nil
}

// userID returns the ID of the user named username, as the system.
func (s *Service) userID(ctx context.Context, username string) (int, error) {
	id, err := s.client.User.Query().Where(user.Username(username)).OnlyID(system(ctx))
	switch {
	case ent.IsNotFound(err):
		return 0, invalidInput("no user named %q", username)
	case err != nil:
		return 0, fmt.Errorf("look up user: %w", err)
	}
	return id, nil
}

// SetDisabled disables or enables the user named username, as the system.
// A disabled user cannot log in, and their tokens stop working at their
// next request.
func (s *Service) SetDisabled(ctx context.Context, username string, disabled bool) error {
	n, err := s.client.User.Update().
		Where(user.Username(username)).
		SetDisabled(disabled).
		Save(system(ctx))
	switch {
	case err != nil:
		return fmt.Errorf("update user: %w", err)
	case n == 0:
		return invalidInput("no user named %q", username)
	}
	return nil
}

// AsSystem returns ctx acting as the system rather than a viewer: ent's
// privacy rules let it read and write any row. For the CLI and the demo
// seed, which run with the operator's authority; never for a request.
func AsSystem(ctx context.Context) context.Context {
	return system(ctx)
}
