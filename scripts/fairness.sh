#!/usr/bin/env bash
# CPU fairness under a login flood, on loopback only: starts `serve --demo`
# with the production bcrypt cost and login throttling off (so that every
# bad login really runs bcrypt), keeps 20 clients sending failing logins,
# and measures { me { username } } latency from 4 more clients. The bcrypt
# gate should keep me's p99 well under 250 ms on a 2-core machine.
#
#   scripts/fairness.sh [seconds, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"
secs=${1:-10}
dir=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$dir"' EXIT

go build -o "$dir/gqlauth" ./cmd/gqlauth
go build -o "$dir/gqlauth-load" ./cmd/gqlauth-load
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

GQLAUTH_ADDR="127.0.0.1:$port" GQLAUTH_DATABASE_URL="sqlite://$dir/fair.db" \
  GQLAUTH_JWT_SECRET="fairness-test-secret-0123456789abcdef" \
  GQLAUTH_LOGIN_FAILURES_PER_USER=-1 GQLAUTH_LOGIN_FAILURES_PER_IP=-1 \
  "$dir/gqlauth" serve --demo >"$dir/out.log" 2>"$dir/err.log" &
pid=$!
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break
  sleep 0.1
done

echo "--- { me { username } } alone"
"$dir/gqlauth-load" -url "http://127.0.0.1:$port/graphql" -c 4 -d "${secs}s" -pid "$pid"
echo "--- { me { username } } with 20 clients sending bad logins"
"$dir/gqlauth-load" -url "http://127.0.0.1:$port/graphql" -c 4 -d "${secs}s" -bad-logins 20 -pid "$pid"
