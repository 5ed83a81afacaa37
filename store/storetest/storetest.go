// Package storetest gives each test a database of its own. By default it
// is SQLite; with GQLAUTH_TEST_POSTGRES_URL set (a PostgreSQL URL whose role
// may create schemas), every test gets a fresh schema in that database
// instead, dropped when the test ends, so the same suites prove both.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/lib/pq" // the postgres driver
)

// PostgresEnv names the variable that switches the tests to PostgreSQL.
const PostgresEnv = "GQLAUTH_TEST_POSTGRES_URL"

// URL returns a database URL private to t: in-memory SQLite, or a new
// PostgreSQL schema. Each store.Open of an in-memory URL is a new database.
func URL(t testing.TB) string {
	if pg := postgres(t); pg != "" {
		return pg
	}
	return "sqlite://:memory:"
}

// FileURL is URL for a database that several store.Open calls share, as
// several server processes would: a SQLite file, or a PostgreSQL schema.
func FileURL(t testing.TB) string {
	if pg := postgres(t); pg != "" {
		return pg
	}
	return "sqlite://" + filepath.Join(t.TempDir(), "db.sqlite")
}

// postgres creates a schema for t in GQLAUTH_TEST_POSTGRES_URL's database
// and returns a URL that uses it, or "" when the variable is unset.
func postgres(t testing.TB) string {
	t.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		return ""
	}
	db, err := sql.Open("postgres", base)
	if err != nil {
		t.Fatalf("%s: %v", PostgresEnv, err)
	}
	schema := "t_" + strings.ToLower(rand.Text()[:16])
	if _, err := db.ExecContext(context.Background(), "CREATE SCHEMA "+schema); err != nil {
		db.Close()
		t.Fatalf("%s: create schema: %v", PostgresEnv, err)
	}
	t.Cleanup(func() {
		db.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		db.Close()
	})
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + schema
}
