package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"gqlauth/auth"
)

// The demo users of serve --demo: the tutorial's johndoe and alice, with
// passwords that meet the policy.
var demoUsers = []auth.NewUser{
	{Username: "johndoe", Password: "johndoe-secret", Scopes: []string{auth.ScopeMe, auth.ScopeItems, auth.ScopeItemsWrite}},
	{Username: "alice", Password: "alice-secret", Scopes: []string{auth.ScopeMe, auth.ScopeItems}, Disabled: true},
}

// seedDemo creates the demo users that do not exist yet and prints how to
// log in.
func seedDemo(ctx context.Context, svc *auth.Service, stdout io.Writer) error {
	ctx = auth.AsSystem(ctx)
	for _, u := range demoUsers {
		if _, err := svc.CreateUser(ctx, u); err != nil && !errors.Is(err, auth.ErrInvalidInput) {
			return fmt.Errorf("seed demo user %s: %w", u.Username, err)
		}
	}
	fmt.Fprint(stdout, `Demo users:
  johndoe / johndoe-secret   scopes: me items items:write
  alice   / alice-secret     disabled: login fails with UNAUTHENTICATED
Open the playground, run
  mutation { login(username: "johndoe", password: "johndoe-secret") { accessToken } }
and send the token as the header  Authorization: Bearer <accessToken>
`)
	return nil
}
