// Package store opens gqlauth's database: it turns GQLAUTH_DATABASE_URL into
// an ent client with the settings gqlauth relies on, and migrates it.
package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	_ "github.com/lib/pq"           // the postgres driver
	_ "github.com/mattn/go-sqlite3" // the sqlite3 driver

	"gqlauth/ent"
	"gqlauth/ent/migrate"
	_ "gqlauth/ent/runtime" // registers ent's privacy policies: without it, none run
)

// maxConns bounds a SQLite file's connection pool.
const maxConns = 4

// migrateMu serializes migrations: parallel tests open many databases.
var migrateMu sync.Mutex

// Open connects to url and migrates the schema. Supported:
//
//   - sqlite://PATH: a SQLite file, with foreign keys on, WAL journaling and
//     synchronous=FULL (a write acknowledged to a client has reached the
//     disk), a busy timeout so concurrent writers wait instead of failing,
//     and write transactions that take the lock when they begin.
//   - sqlite://:memory: a private in-memory database (tests, demos).
//   - postgres://… or postgresql://…: PostgreSQL through lib/pq (any libpq
//     URL parameter, e.g. sslmode or search_path, is passed on).
//
// The *sql.DB is for health checks; close it (not the client) when done.
func Open(ctx context.Context, url string) (*ent.Client, *sql.DB, error) {
	db, dialectName, err := openDB(url)
	if err != nil {
		return nil, nil, err
	}
	client := ent.NewClient(ent.Driver(entsql.OpenDB(dialectName, db)))
	client.Use(utcTimes)
	migrateMu.Lock() // ent's migration writes to the package-level table definitions
	err = client.Schema.Create(ctx, migrate.WithGlobalUniqueID(true))
	migrateMu.Unlock()
	if err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("migrate %s: %w", redact(url), err)
	}
	return client, db, nil
}

// openDB opens the database/sql pool for url and names its ent dialect.
func openDB(url string) (*sql.DB, string, error) {
	if strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://") {
		db, err := sql.Open("postgres", url)
		if err != nil {
			return nil, "", fmt.Errorf("open %s: %w", redact(url), err)
		}
		db.SetMaxOpenConns(16)
		db.SetMaxIdleConns(16)
		return db, dialect.Postgres, nil
	}
	path, ok := strings.CutPrefix(url, "sqlite://")
	if !ok {
		return nil, "", fmt.Errorf("database URL %q: want sqlite://PATH or postgres://…", redact(url))
	}
	if path == "" {
		return nil, "", fmt.Errorf("database URL %q: no path", url)
	}
	memory := path == ":memory:"
	dsn := "file:" + path + "?_fk=1&_journal_mode=WAL&_synchronous=FULL&_busy_timeout=10000&_txlock=immediate"
	if memory {
		dsn = "file:mem-" + rand.Text() + "?mode=memory&cache=shared&_fk=1"
	}
	db, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, "", fmt.Errorf("open %s: %w", url, err)
	}
	if memory {
		// One connection that never closes: the database lives as long as it.
		db.SetMaxOpenConns(1)
	} else {
		// A small pool kept open: opening a SQLite connection (and running its
		// pragmas) per request costs more than the query, each connection has
		// its own page cache, and two cores gain nothing from more readers.
		db.SetMaxOpenConns(maxConns)
		db.SetMaxIdleConns(maxConns)
	}
	return db, dialect.SQLite, nil
}

// redact hides a password in a URL given back in an error.
func redact(url string) string {
	scheme, rest, ok := strings.Cut(url, "://")
	if at := strings.LastIndex(rest, "@"); ok && at >= 0 {
		return scheme + "://***@" + rest[at+1:]
	}
	return url
}

// utcTimes stores every time in UTC. SQLite keeps times as text, so rows
// written in different zones would compare wrongly (expiry, purge); one
// zone makes text order time order.
func utcTimes(next ent.Mutator) ent.Mutator {
	return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
		for _, name := range m.Fields() {
			if v, _ := m.Field(name); v != nil {
				if t, ok := v.(time.Time); ok && t.Location() != time.UTC {
					if err := m.SetField(name, t.UTC()); err != nil {
						return nil, err
					}
				}
			}
		}
		return next.Mutate(ctx, m)
	})
}
