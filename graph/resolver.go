// Package graph is gqlauth's GraphQL layer: the executable schema, its
// directives, thin resolvers and the one error presenter.
package graph

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"

	"gqlauth/auth"
	"gqlauth/ent"
	_ "gqlauth/ent/runtime" // registers ent's privacy policies: without it, none run
	"gqlauth/graph/generated"
)

// Resolver holds what the resolvers need; it is built once per server.
type Resolver struct {
	client *ent.Client
	auth   *auth.Service
}

// NewSchema returns gqlauth's executable schema, with its directives and
// list-weighted complexity.
func NewSchema(client *ent.Client, svc *auth.Service) graphql.ExecutableSchema {
	cfg := generated.Config{
		Resolvers: &Resolver{client: client, auth: svc},
		Directives: generated.DirectiveRoot{
			Authenticated:  authenticated,
			RequiresScopes: requiresScopes,
		},
	}
	setComplexity(&cfg.Complexity)
	return generated.NewExecutableSchema(cfg)
}

// Options configure the /graphql handler. The zero value is the defaults
// with introspection and persisted queries off.
type Options struct {
	Limits        Limits
	Introspection bool
	APQCacheSize  int // automatic persisted queries kept; 0: off
}

// NewHandler returns the /graphql handler: POST and GET transports, a
// parsed-query cache (a repeated query is not parsed or validated again),
// Apollo's automatic persisted queries, query limits, optional
// introspection, and the error presenter. It expects auth.Middleware in
// front of it.
func NewHandler(client *ent.Client, svc *auth.Service, logger *slog.Logger, opts Options) http.Handler {
	srv := handler.New(NewSchema(client, svc))
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	if opts.Introspection {
		srv.Use(extension.Introspection{})
	}
	if opts.APQCacheSize > 0 {
		srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](opts.APQCacheSize)})
	}
	srv.Use(&limitExtension{limits: opts.Limits.withDefaults(), introspection: opts.Introspection})
	srv.SetErrorPresenter(presentError(logger))
	srv.SetRecoverFunc(recoverPanic(logger))
	return deadlineGuard(srv)
}

// formatTime writes a token timestamp for TokenInfo.
func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }
