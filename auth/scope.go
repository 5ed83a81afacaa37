package auth

import "slices"

// The scopes gqlauth knows. A user is granted a subset; a token carries a
// subset of its user's grant.
const (
	ScopeMe         = "me"          // Query.me
	ScopeItems      = "items"       // reading User.items
	ScopeItemsWrite = "items:write" // createItem
	ScopeUsersRead  = "users:read"  // reading other users and their items
	ScopeUsersWrite = "users:write" // createUser and user administration
)

// Scopes lists every known scope, in the order the README documents them.
var Scopes = []string{ScopeMe, ScopeItems, ScopeItemsWrite, ScopeUsersRead, ScopeUsersWrite}

// HasScopes reports whether granted satisfies required with the semantics
// of @requiresScopes: the outer list is OR, each inner list is AND. An empty
// outer list is satisfied by nothing, so a typo in a directive denies
// rather than allows.
func HasScopes(granted []string, required [][]string) bool {
	for _, all := range required {
		if len(all) == 0 {
			continue
		}
		ok := true
		for _, s := range all {
			if !slices.Contains(granted, s) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// checkKnown returns the scopes without duplicates, or an ErrInvalidInput
// naming the first one gqlauth does not know.
func checkKnown(scopes []string) ([]string, error) {
	out := make([]string, 0, len(scopes))
	for _, s := range scopes {
		if !slices.Contains(Scopes, s) {
			return nil, invalidInput("unknown scope %q (known: %v)", s, Scopes)
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out, nil
}
