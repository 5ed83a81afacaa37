#!/usr/bin/env bash
# Sustained load on a real gqlauth server, on loopback only: builds the
# server and gqlauth-load, starts `serve --demo` on a temporary database,
# gives johndoe 20 items, then loads { me { username } } and
# { me { username items { title } } } and prints throughput, latency
# percentiles and the server's resident memory (VmHWM is the peak).
#
#   scripts/load.sh [seconds per query, default 10] [clients, default 8]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
clients=${2:-8}
. scripts/serve.sh

gql() { curl -fs "$url" -H 'Content-Type: application/json' ${2:+-H "Authorization: Bearer $2"} -d "$1"; }
token=$(gql '{"query":"mutation { login(username: \"johndoe\", password: \"johndoe-secret\") { accessToken } }"}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["login"]["accessToken"])')
for i in $(seq 20); do
  gql "{\"query\":\"mutation { createItem(input: {title: \\\"item $i\\\"}) { id } }\"}" "$token" >/dev/null
done

for q in '{ me { username } }' '{ me { username items { title } } }'; do
  echo "---"
  "$dir/gqlauth-load" -url "$url" -query "$q" -c "$clients" -d "${secs}s" -pid "$pid"
done
