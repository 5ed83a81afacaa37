package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"gqlauth/ent/privacy"
)

// User is an account that can log in with a password.
type User struct {
	ent.Schema
}

// Fields of the User.
func (User) Fields() []ent.Field {
	return []ent.Field{
		field.String("username").
			Unique().
			NotEmpty(),
		field.String("email").
			Optional().
			Nillable(),
		field.String("full_name").
			Optional().
			Nillable(),
		field.Bool("disabled").
			Default(false),
		// The bcrypt hash. Sensitive keeps it out of String(), JSON and the
		// GraphQL schema.
		field.String("password_hash").
			Sensitive(),
		// Scopes granted to the user: the most any of their tokens may carry.
		field.Strings("scopes").
			Default([]string{}).
			Annotations(entgql.Type("[String!]")),
	}
}

// Edges of the User.
func (User) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("items", Item.Type).
			Annotations(entgql.Directives(requiresScopes([][]string{{"items"}}))),
		edge.To("sessions", Session.Type).
			Annotations(entgql.Skip(), entsql.OnDelete(entsql.Cascade)),
	}
}

// Policy of the User: see privacy.go.
func (User) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{userQueryRule},
		Mutation: privacy.MutationPolicy{userMutationRule},
	}
}
