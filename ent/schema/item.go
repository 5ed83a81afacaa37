package schema

import (
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"gqlauth/ent/privacy"
)

// Item is something a user owns.
type Item struct {
	ent.Schema
}

// Fields of the Item.
func (Item) Fields() []ent.Field {
	return []ent.Field{
		field.String("title").
			NotEmpty(),
		field.String("description").
			Optional().
			Nillable(),
		field.Int("owner_id").
			Immutable().
			Annotations(entgql.Skip()),
	}
}

// Edges of the Item.
func (Item) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("owner", User.Type).
			Ref("items").
			Field("owner_id").
			Unique().
			Required().
			Immutable(),
	}
}

// Policy of the Item: see privacy.go.
func (Item) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{itemQueryRule},
		Mutation: privacy.MutationPolicy{itemMutationRule},
	}
}
