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

// NewSchema returns gqlauth's executable schema, with its directives.
func NewSchema(client *ent.Client, svc *auth.Service) graphql.ExecutableSchema {
	return generated.NewExecutableSchema(generated.Config{
		Resolvers: &Resolver{client: client, auth: svc},
		Directives: generated.DirectiveRoot{
			Authenticated:  authenticated,
			RequiresScopes: requiresScopes,
		},
	})
}

// NewHandler returns the /graphql handler: POST and GET transports, a
// parsed-query cache (a repeated query is not parsed or validated again),
// introspection, and the error presenter. It expects auth.Middleware in
// front of it.
func NewHandler(client *ent.Client, svc *auth.Service, logger *slog.Logger) http.Handler {
	srv := handler.New(NewSchema(client, svc))
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	srv.Use(extension.Introspection{})
	srv.SetErrorPresenter(presentError(logger))
	srv.SetRecoverFunc(recoverPanic(logger))
	return srv
}

// formatTime writes a token timestamp for TokenInfo.
func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }
