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
secs=${1:-10}
# Throttling off: every bad login really runs bcrypt.
export GQLAUTH_LOGIN_FAILURES_PER_USER=-1 GQLAUTH_LOGIN_FAILURES_PER_IP=-1
. scripts/serve.sh

echo "--- { me { username } } alone"
"$dir/gqlauth-load" -url "$url" -c 4 -d "${secs}s" -pid "$pid"
echo "--- { me { username } } with 20 clients sending bad logins"
"$dir/gqlauth-load" -url "$url" -c 4 -d "${secs}s" -bad-logins 20 -pid "$pid"
