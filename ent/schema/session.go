package schema

import (
	"entgo.io/ent/dialect/entsql"
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"gqlauth/ent/privacy"
)

// Session is one login, continued by rotating refresh tokens (see
// RefreshToken). Revoking it ends every token of that login.
type Session struct {
	ent.Schema
}

// Fields of the Session.
func (Session) Fields() []ent.Field {
	return []ent.Field{
		// Scopes granted at login: a refreshed access token never carries more.
		field.Strings("scopes").
			Default([]string{}),
		field.Time("created_at").
			Immutable().
			Default(time.Now),
		field.Time("last_used_at").
			Default(time.Now),
		field.Time("expires_at"),
		field.Time("revoked_at").
			Optional().
			Nillable(),
		field.Int("user_id").
			Immutable(),
	}
}

// Edges of the Session.
func (Session) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("tokens", RefreshToken.Type).
			Annotations(entsql.OnDelete(entsql.Cascade)),
		edge.From("user", User.Type).
			Ref("sessions").
			Field("user_id").
			Unique().
			Required().
			Immutable(),
	}
}

// Annotations of the Session: it never reaches the GraphQL schema.
func (Session) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// Policy of the Session: only the auth service, acting as the system, reads
// or writes sessions.
func (Session) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{privacy.AlwaysDenyRule()},
		Mutation: privacy.MutationPolicy{privacy.AlwaysDenyRule()},
	}
}
