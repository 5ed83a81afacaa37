package auth

import (
	"context"
	"crypto/sha256"
	"fmt"
	"slices"
	"strings"

	"gqlauth/ent"
	"gqlauth/ent/refreshtoken"
	"gqlauth/ent/session"
)

// Refresh token failures. Each is an ErrUnauthenticated.
var (
	ErrRefreshTokenInvalid = unauthenticated("refresh token is invalid")
	ErrRefreshTokenExpired = unauthenticated("refresh token has expired")
	ErrRefreshTokenRevoked = unauthenticated("refresh token has been revoked")
	// ErrRefreshTokenRotated answers the token rotated last, presented again
	// within the grace window: the session lives on.
	ErrRefreshTokenRotated = unauthenticated("refresh token was already rotated: use the newest one")
	// ErrRefreshTokenReused answers any other rotated token: the session has
	// been revoked, since one of its tokens is in someone else's hands.
	ErrRefreshTokenReused = unauthenticated("refresh token was reused: the session has been revoked")
)

// hashToken is how a refresh token is stored: SHA-256 is enough for 256
// random bits, which no dictionary holds.
func hashToken(raw string) []byte {
	h := sha256.Sum256([]byte(raw))
	return h[:]
}

// grant starts a session for u carrying scopes and returns its first tokens.
func (s *Service) grant(ctx context.Context, u *ent.User, scopes []string) (*Grant, error) {
	now := s.now()
	var g *Grant
	err := s.inTx(ctx, func(ctx context.Context, tx *ent.Tx) error {
		sess, err := tx.Session.Create().
			SetUserID(u.ID).
			SetScopes(scopes).
			SetCreatedAt(now).
			SetLastUsedAt(now).
			SetExpiresAt(now.Add(s.sessions.TTL)).
			Save(ctx)
		if err != nil {
			return fmt.Errorf("create session: %w", err)
		}
		g, err = s.issue(ctx, tx, u, sess, scopes)
		return err
	})
	return g, err
}

// issue stores a new refresh token for sess and signs an access token.
func (s *Service) issue(ctx context.Context, tx *ent.Tx, u *ent.User, sess *ent.Session, scopes []string) (*Grant, error) {
	refresh := randomString(32) // 256 bits
	err := tx.RefreshToken.Create().
		SetSessionID(sess.ID).
		SetTokenHash(hashToken(refresh)).
		SetCreatedAt(s.now()).
		Exec(ctx)
	if err != nil {
		return nil, fmt.Errorf("store refresh token: %w", err)
	}
	access, _, err := s.issuer.Sign(u.ID, sess.ID, scopes)
	if err != nil {
		return nil, err
	}
	return &Grant{
		AccessToken:  access,
		ExpiresIn:    int(s.issuer.TTL().Seconds()),
		RefreshToken: refresh,
		Scopes:       scopes,
		User:         u,
	}, nil
}

// Refresh exchanges a refresh token for a new access token, carrying the
// session's scopes (less any the user has lost since), and a new refresh
// token; the presented one stops working. Presenting a token already
// rotated revokes the session (RFC 9700 §4.14), except for the token
// rotated last, presented again within the grace window: single-page apps
// fire parallel refreshes, and that is not theft.
//
// It runs in one database transaction that takes the write lock when it
// begins, and the rotation is a compare-and-swap on rotated_at, so
// concurrent refreshes of one token, even from several processes sharing the
// database, yield at most one successor.
func (s *Service) Refresh(ctx context.Context, raw string) (*Grant, error) {
	ctx = system(ctx)
	var (
		g      *Grant
		reused bool
	)
	err := s.inTx(ctx, func(ctx context.Context, tx *ent.Tx) error {
		rt, err := tx.RefreshToken.Query().
			Where(refreshtoken.TokenHash(hashToken(raw))).
			WithSession(func(q *ent.SessionQuery) { q.WithUser() }).
			Only(ctx)
		if ent.IsNotFound(err) {
			return ErrRefreshTokenInvalid
		} else if err != nil {
			return fmt.Errorf("refresh: find token: %w", err)
		}
		sess, now := rt.Edges.Session, s.now()
		switch {
		case sess.RevokedAt != nil:
			return ErrRefreshTokenRevoked
		case !now.Before(sess.ExpiresAt):
			return ErrRefreshTokenExpired
		}
		if rt.RotatedAt != nil {
			// The token rotated last has exactly one newer token: the current one.
			newer, err := tx.RefreshToken.Query().
				Where(refreshtoken.SessionID(sess.ID), refreshtoken.IDGT(rt.ID)).
				Count(ctx)
			if err != nil {
				return fmt.Errorf("refresh: count successors: %w", err)
			}
			if newer == 1 && now.Sub(*rt.RotatedAt) <= s.sessions.ReuseGrace {
				return ErrRefreshTokenRotated
			}
			reused = true
			return tx.Session.UpdateOne(sess).SetRevokedAt(now).Exec(ctx)
		}
		u := sess.Edges.User
		if u.Disabled {
			return ErrUserDisabled
		}
		n, err := tx.RefreshToken.Update().
			Where(refreshtoken.ID(rt.ID), refreshtoken.RotatedAtIsNil()).
			SetRotatedAt(now).
			Save(ctx)
		if err != nil {
			return fmt.Errorf("refresh: rotate: %w", err)
		}
		if n != 1 {
			return ErrRefreshTokenRotated // another refresh won the race
		}
		if err := tx.Session.UpdateOne(sess).SetLastUsedAt(now).Exec(ctx); err != nil {
			return fmt.Errorf("refresh: touch session: %w", err)
		}
		scopes := slices.DeleteFunc(slices.Clone(sess.Scopes), func(sc string) bool { return !slices.Contains(u.Scopes, sc) })
		g, err = s.issue(ctx, tx, u, sess, scopes)
		return err
	})
	if err == nil && reused {
		err = ErrRefreshTokenReused
	}
	return g, err
}

// Logout revokes the session of a refresh token. An unknown token is not an
// error: the answer says nothing about which tokens exist.
func (s *Service) Logout(ctx context.Context, raw string) error {
	ctx = system(ctx)
	_, err := s.client.Session.Update().
		Where(session.HasTokensWith(refreshtoken.TokenHash(hashToken(raw))), session.RevokedAtIsNil()).
		SetRevokedAt(s.now()).
		Save(ctx)
	if err != nil {
		return fmt.Errorf("logout: %w", err)
	}
	return nil
}

// LogoutAll revokes every live session of the viewer and returns how many.
func (s *Service) LogoutAll(ctx context.Context, v *Viewer) (int, error) {
	return s.revokeSessions(system(ctx), s.client.Session, v.User.ID, 0)
}

// revokeSessions revokes userID's live sessions but keep (0: none).
func (s *Service) revokeSessions(ctx context.Context, sessions *ent.SessionClient, userID, keep int) (int, error) {
	now := s.now()
	n, err := sessions.Update().
		Where(session.UserID(userID), session.RevokedAtIsNil(), session.ExpiresAtGT(now), session.IDNEQ(keep)).
		SetRevokedAt(now).
		Save(ctx)
	if err != nil {
		return 0, fmt.Errorf("revoke sessions: %w", err)
	}
	return n, nil
}

// ChangePassword replaces the viewer's password after checking the current
// one (wrong guesses count towards the username's login limit), and revokes every session but the one the viewer's token belongs to,
// in one transaction. It returns how many sessions were revoked.
func (s *Service) ChangePassword(ctx context.Context, v *Viewer, current, next string) (int, error) {
	u, err := s.client.User.Get(system(ctx), v.User.ID)
	if err != nil {
		return 0, fmt.Errorf("change password: load user: %w", err)
	}
	// Wrong current passwords count with failed logins: a stolen access
	// token must not become an unthrottled password oracle.
	userKey, now := strings.ToLower(u.Username), s.now()
	if err := s.userFails.check(userKey, now); err != nil {
		return 0, err
	}
	ok, err := s.match(ctx, u.PasswordHash, current)
	if err != nil {
		return 0, err
	}
	if !ok {
		s.userFails.fail(userKey, now)
		return 0, invalidInput("current password is incorrect")
	}
	hash, err := s.hash(ctx, next)
	if err != nil {
		return 0, err
	}
	var n int
	err = s.inTx(ctx, func(ctx context.Context, tx *ent.Tx) error {
		if err := tx.User.UpdateOne(u).SetPasswordHash(hash).Exec(ctx); err != nil {
			return fmt.Errorf("change password: %w", err)
		}
		n, err = s.revokeSessions(ctx, tx.Session, u.ID, v.Claims.SessionID)
		return err
	})
	return n, err
}

// RevokeUserSessions revokes every live session of the user named username,
// as the system (the CLI), and returns how many.
func (s *Service) RevokeUserSessions(ctx context.Context, username string) (int, error) {
	id, err := s.userID(ctx, username)
	if err != nil {
		return 0, err
	}
	return s.revokeSessions(system(ctx), s.client.Session, id, 0)
}

// PurgeSessions deletes expired and revoked sessions with their refresh
// tokens, and returns how many sessions went.
func (s *Service) PurgeSessions(ctx context.Context) (int, error) {
	n, err := s.client.Session.Delete().
		Where(session.Or(session.ExpiresAtLTE(s.now()), session.RevokedAtNotNil())).
		Exec(system(ctx))
	if err != nil {
		return 0, fmt.Errorf("purge sessions: %w", err)
	}
	return n, nil
}

// inTx runs fn in a transaction, as the system, committing if it returns nil.
func (s *Service) inTx(ctx context.Context, fn func(context.Context, *ent.Tx) error) error {
	ctx = system(ctx)
	tx, err := s.client.Tx(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(ctx, tx); err != nil {
		tx.Rollback() // fn's error says more than the rollback's
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
