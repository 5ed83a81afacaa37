package schema

import (
	"time"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"

	"gqlauth/ent/privacy"
)

// RefreshToken is one refresh token of a session, stored only as the
// SHA-256 hash of its value. A session's current token has no rotated_at;
// every token it replaced is kept, so that presenting one again can be
// recognised as reuse (RFC 9700 §4.14) and revoke the session.
type RefreshToken struct {
	ent.Schema
}

// Fields of the RefreshToken.
func (RefreshToken) Fields() []ent.Field {
	return []ent.Field{
		field.Bytes("token_hash").
			Unique().
			Sensitive(),
		field.Time("created_at").
			Immutable().
			Default(time.Now),
		// When it was exchanged for its successor; nil for the current token.
		field.Time("rotated_at").
			Optional().
			Nillable(),
		field.Int("session_id").
			Immutable(),
	}
}

// Edges of the RefreshToken.
func (RefreshToken) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("session", Session.Type).
			Ref("tokens").
			Field("session_id").
			Unique().
			Required().
			Immutable(),
	}
}

// Annotations of the RefreshToken: it never reaches the GraphQL schema.
func (RefreshToken) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.Skip(entgql.SkipAll)}
}

// Policy of the RefreshToken: only the auth service, acting as the system.
func (RefreshToken) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{privacy.AlwaysDenyRule()},
		Mutation: privacy.MutationPolicy{privacy.AlwaysDenyRule()},
	}
}
