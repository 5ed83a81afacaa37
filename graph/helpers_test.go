package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"gqlauth/auth"
	"gqlauth/ent"
	"gqlauth/graph"
	"gqlauth/store"
	"gqlauth/store/storetest"
)

// testSecret signs every token of these tests.
var testSecret = []byte("graph-tests-secret-0123456789abcdef")

// env is one gqlauth GraphQL endpoint on a private in-memory database,
// served through the real middleware.
type env struct {
	handler http.Handler
	svc     *auth.Service
	client  *ent.Client
	issuer  *auth.Issuer
	closeDB func() error
	logs    *bytes.Buffer
}

func newEnv(t testing.TB) *env {
	t.Helper()
	return newEnvWith(t, graph.Options{Introspection: true, APQCacheSize: 100})
}

// newEnvWith is newEnv with the handler built from opts.
func newEnvWith(t testing.TB, opts graph.Options) *env {
	t.Helper()
	ctx := context.Background()
	client, db, err := store.Open(ctx, storetest.URL(t))
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	passwords, err := auth.NewPasswords(bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	issuer, err := auth.NewIssuer(auth.TokenConfig{Secret: testSecret, Issuer: "gqlauth", Audience: "gqlauth", TTL: 15 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	svc := auth.NewService(client, passwords, issuer, auth.SessionConfig{TTL: time.Hour, ReuseGrace: 10 * time.Second})
	logs := new(bytes.Buffer)
	logger := slog.New(slog.NewTextHandler(logs, nil))
	return &env{
		handler: auth.Middleware(svc)(graph.NewHandler(client, svc, logger, opts)),
		svc:     svc,
		client:  client,
		issuer:  issuer,
		closeDB: db.Close,
		logs:    logs,
	}
}

// password is every test user's password.
const password = "a-good-password"

// user creates a user holding scopes.
func (e *env) user(t testing.TB, name string, scopes ...string) *ent.User {
	t.Helper()
	u, err := e.svc.CreateUser(auth.AsSystem(context.Background()), auth.NewUser{Username: name, Password: password, Scopes: scopes})
	if err != nil {
		t.Fatalf("CreateUser(%s): %v", name, err)
	}
	return u
}

// token logs name in with scopes (nil: all granted) and returns the access token.
func (e *env) token(t testing.TB, name string, scopes []string) string {
	t.Helper()
	g, err := e.svc.Login(context.Background(), name, password, scopes)
	if err != nil {
		t.Fatalf("Login(%s, %v): %v", name, scopes, err)
	}
	return g.AccessToken
}

// item creates an item owned by owner.
func (e *env) item(t testing.TB, owner *ent.User, title string) *ent.Item {
	t.Helper()
	it, err := e.client.Item.Create().SetTitle(title).SetOwnerID(owner.ID).Save(auth.AsSystem(context.Background()))
	if err != nil {
		t.Fatalf("create item: %v", err)
	}
	return it
}

type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

type response struct {
	status  int
	header  http.Header
	Data    map[string]any `json:"data"`
	Errors  []gqlError     `json:"errors"`
	rawBody string
}

// code returns the extensions.code of the only error, failing otherwise.
func (r *response) code(t testing.TB) string {
	t.Helper()
	if len(r.Errors) != 1 {
		t.Fatalf("got %d errors, want 1: %s", len(r.Errors), r.rawBody)
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// do POSTs a GraphQL request; token "" sends no Authorization header.
func (e *env) do(t testing.TB, token, query string, vars map[string]any) *response {
	t.Helper()
	return e.post(t, token, map[string]any{"query": query, "variables": vars})
}

// doExt POSTs a request with extensions (persisted queries); query "" is
// left out.
func (e *env) doExt(t testing.TB, token, query string, ext map[string]any) *response {
	t.Helper()
	req := map[string]any{"extensions": ext}
	if query != "" {
		req["query"] = query
	}
	return e.post(t, token, req)
}

func (e *env) post(t testing.TB, token string, payload map[string]any) *response {
	t.Helper()
	body, _ := json.Marshal(payload)
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	e.handler.ServeHTTP(rec, req)
	raw, _ := io.ReadAll(rec.Body)
	r := &response{status: rec.Code, header: rec.Header(), rawBody: string(raw)}
	if err := json.Unmarshal(raw, r); err != nil {
		t.Fatalf("decode response %q: %v", raw, err)
	}
	if r.status != http.StatusOK {
		t.Fatalf("status %d, want 200: %s", r.status, raw)
	}
	return r
}

// get walks data along keys and indexes.
func get(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			s, _ := v.([]any)
			if k >= len(s) {
				return nil
			}
			v = s[k]
		}
	}
	return v
}
