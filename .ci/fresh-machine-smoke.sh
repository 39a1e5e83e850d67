#!/usr/bin/env bash
# The README's first command as a new user meets it: `./mule up` with an empty temp dir (nothing extracted by an
# earlier test, e.g. zonky's PostgreSQL binaries) and an empty data dir, then the README's sync curl, then Ctrl-C,
# which must end every process. Run from the repository root after the jars are built (`mvn verify` builds them).
set -euo pipefail
cd "$(dirname "$0")/.."

port=${MULE_SMOKE_HTTP_PORT:-28080}
work=$(mktemp -d)
export MULE_HOME="$work/home" MULE_HTTP_PORT=$port MULE_KAFKA_PORT=29092 MULE_KAFKA_CONTROLLER_PORT=29093 MULE_PG_PORT=25432
export JAVA_TOOL_OPTIONS="-Djava.io.tmpdir=$work/tmp"
mkdir -p "$work/tmp"
started=$(date +%s)

fail() {
  echo "fresh-machine smoke: FAILED: $*" >&2
  echo "--- ./mule up output:" >&2; tail -n 60 "$work/up.log" >&2 || true
  for f in "$MULE_HOME"/logs/*.log; do [ -f "$f" ] && { echo "--- $f:" >&2; tail -n 30 "$f" >&2; }; done
  [ -n "${up:-}" ] && kill -KILL -- "-$up" 2>/dev/null || true
  exit 1
}

# job control: the background job gets its own process group and keeps SIGINT (a non-interactive shell would
# otherwise start it with SIGINT ignored), so that `kill -INT -<group>` is what Ctrl-C in a terminal sends
set -m
./mule up > "$work/up.log" 2>&1 &
up=$!
set +m

for _ in $(seq 1 300); do
  grep -q "mule: Ctrl-C stops everything" "$work/up.log" && break
  kill -0 "$up" 2>/dev/null || fail "./mule up exited before it was ready"
  sleep 1
done
grep -q "mule: Ctrl-C stops everything" "$work/up.log" || fail "./mule up was not ready within 300 s"
ready=$(date +%s)

answer=$(curl -s --max-time 30 "http://127.0.0.1:$port/v1/chat/completions" -H 'Content-Type: application/json' \
  -d '{"model":"workflow/hello","messages":[{"role":"user","content":"World"}]}') || fail "the sync curl failed"
echo "$answer" | grep -q '"content":"HELLO, WORLD!"' || fail "the sync curl answered: $answer"

kill -INT -- "-$up"
for _ in $(seq 1 60); do
  kill -0 "$up" 2>/dev/null || break
  sleep 1
done
kill -0 "$up" 2>/dev/null && fail "./mule up still runs 60 s after Ctrl-C"
left=$(pgrep -g "$up" || true)
[ -z "$left" ] || fail "processes left after Ctrl-C: $(ps -o pid,args -p "$(echo $left | tr ' ' ,)")"
grep -q "mule: stopped" "$work/up.log" || fail "./mule up did not say it stopped"

echo "fresh-machine smoke: ready in $((ready - started)) s (build included if jars were stale), sync call answered HELLO, WORLD!, Ctrl-C ended every process ($(($(date +%s) - started)) s in all)"
rm -rf "$work"
