# Sourced by the load scripts: builds gqlauth and gqlauth-load into a
# temporary folder and starts `serve --demo` on a loopback port with a fresh
# SQLite file, passing on the caller's GQLAUTH_* settings. Sets dir, port,
# url and pid, waits for /healthz, and stops the server on exit.
export PATH="/usr/local/go/bin:$PATH"
dir=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$dir"' EXIT

go build -o "$dir/gqlauth" ./cmd/gqlauth
go build -o "$dir/gqlauth-load" ./cmd/gqlauth-load
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
url="http://127.0.0.1:$port/graphql"

GQLAUTH_ADDR="127.0.0.1:$port" GQLAUTH_DATABASE_URL="sqlite://$dir/db.sqlite" \
  GQLAUTH_JWT_SECRET="load-test-secret-0123456789abcdef" \
  "$dir/gqlauth" serve --demo >"$dir/out.log" 2>"$dir/err.log" &
pid=$!
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break
  sleep 0.1
done
