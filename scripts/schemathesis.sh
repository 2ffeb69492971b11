#!/usr/bin/env bash
# Property-based API test of a Glassbox build with Schemathesis (run by .ci/run).
#
# Usage: schemathesis.sh GLASSBOX_BINARY VENV_DIR [BASELINE_JSON]
#
#   GLASSBOX_BINARY  a built `glassbox` binary (debug or release)
#   VENV_DIR         where to create/reuse a Python venv with the pinned Schemathesis
#   BASELINE_JSON    optional Schemathesis baseline file: failures recorded there are
#                    accepted, anything else fails the step. It may only hold spec
#                    gaps a schema cannot close (opaque cursors, references that must
#                    exist, either/or rules; see docs/hostile-input.md): an entry of
#                    not_a_server_error or response_schema_conformance refuses the run.
#                    Refresh it with ST_EXTRA_ARGS="--baseline-update".
#
# What it does: starts the binary on a free loopback port with a throwaway SQLite
# database in a temp dir (rate limits off, 24 h access tokens), bootstraps an org
# and admin, logs in, seeds a few records of each kind so path ids can resolve,
# runs `st run` with every check, a fixed seed and enough examples for >= 2,000
# requests, prints the number of requests sent, stops the server, and exits
# non-zero when Schemathesis reports a failure, the server died, or too few
# requests were sent.
#
# Tunables (env): ST_SEED (20261129), ST_MAX_EXAMPLES (25), ST_PHASES
# (examples,coverage,fuzzing,stateful), MIN_REQUESTS (2000), ST_REPORT_DIR
# (./schemathesis-report), ST_EXTRA_ARGS (appended to `st run`).
#
# Exit codes: 0 pass; 1 schemathesis reported failures; 2 setup error;
#             3 fewer than MIN_REQUESTS requests; 4 the server died during the run.
set -euo pipefail

ST_VERSION=4.32.5

BIN=${1:?usage: $0 GLASSBOX_BINARY VENV_DIR [BASELINE_JSON]}
VENV=${2:?usage: $0 GLASSBOX_BINARY VENV_DIR [BASELINE_JSON]}
BASELINE=${3:-}
ST_SEED=${ST_SEED:-20261129}
ST_MAX_EXAMPLES=${ST_MAX_EXAMPLES:-25}
ST_PHASES=${ST_PHASES:-examples,coverage,fuzzing,stateful}
MIN_REQUESTS=${MIN_REQUESTS:-2000}
ST_REPORT_DIR=${ST_REPORT_DIR:-$PWD/schemathesis-report}

die() { echo "schemathesis.sh: $*" >&2; exit 2; }
[[ -x $BIN ]] || die "not an executable: $BIN"
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
[[ -z $BASELINE ]] || BASELINE=$(cd "$(dirname "$BASELINE")" && pwd)/$(basename "$BASELINE")
mkdir -p "$ST_REPORT_DIR"; ST_REPORT_DIR=$(cd "$ST_REPORT_DIR" && pwd)
if [[ -n $BASELINE && -f $BASELINE ]] && grep -qE '"check": "(not_a_server_error|response_schema_conformance)"' "$BASELINE"; then
  die "$BASELINE accepts a 5xx or a schema-violating response; fix the server instead"
fi

# --- Schemathesis, pinned -------------------------------------------------------
if [[ ! -x $VENV/bin/st ]] || [[ $("$VENV/bin/st" --version 2>/dev/null) != *"$ST_VERSION"* ]]; then
  python3 -m venv "$VENV" || die "cannot create venv $VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$ST_VERSION" \
    || die "pip install schemathesis==$ST_VERSION failed"
fi
VENV=$(cd "$VENV" && pwd)   # absolute: the run below happens from a scratch directory
echo "== $("$VENV/bin/st" --version)"

# --- Throwaway server -------------------------------------------------------------
WORK=$(mktemp -d -t glassbox-st.XXXXXX)
SERVER_PID=
cleanup() {
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
BASE=http://127.0.0.1:$PORT
ADMIN_EMAIL=admin@example.test
ADMIN_PASSWORD=$(python3 -c 'import secrets; print("St-" + secrets.token_urlsafe(18))')

export GLASSBOX_BIND=127.0.0.1:$PORT
export GLASSBOX_DATABASE_URL="sqlite://$WORK/glassbox.db?mode=rwc"
export GLASSBOX_RATE_LIMIT_PER_MINUTE=0
export GLASSBOX_LOGIN_ATTEMPTS_PER_MINUTE=0
export GLASSBOX_ACCESS_TOKEN_TTL=86400
export GLASSBOX_ADMIN_PASSWORD=$ADMIN_PASSWORD
export RUST_LOG=${RUST_LOG:-warn}

cd "$WORK"   # the JWT secret file, .hypothesis/ and .schemathesis/ land here too
"$BIN" bootstrap --org "Schemathesis Org" --admin-email "$ADMIN_EMAIL" > bootstrap.log 2>&1 \
  || { cat bootstrap.log >&2; die "bootstrap failed"; }
"$BIN" serve > server.log 2>&1 &
SERVER_PID=$!
for _ in $(seq 150); do
  curl -sf "$BASE/readyz" > /dev/null 2>&1 && break
  kill -0 "$SERVER_PID" 2>/dev/null || { tail -50 server.log >&2; die "server exited during start-up"; }
  sleep 0.2
done
curl -sf "$BASE/readyz" > /dev/null || { tail -50 server.log >&2; die "server not ready on $BASE"; }
echo "== glassbox pid $SERVER_PID on $BASE (db in $WORK)"

TOKEN=$(curl -sf -X POST "$BASE/api/v1/auth/token" -H 'Content-Type: application/json' \
  -d "{\"email\":\"$ADMIN_EMAIL\",\"password\":\"$ADMIN_PASSWORD\"}" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])') || die "login failed"

# --- Seed a few records so that {id} parameters can resolve -----------------------
python3 - "$BASE" "$TOKEN" <<'PY' || die "seeding failed"
import json, sys, urllib.request, urllib.error
BASE, TOKEN = sys.argv[1], sys.argv[2]
def call(method, path, body=None):
    req = urllib.request.Request(BASE + path, method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": "Bearer " + TOKEN, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req) as r:
            raw = r.read(); return json.loads(raw) if raw else None
    except urllib.error.HTTPError as e:
        sys.exit(f"seed: {method} {path} -> {e.code} {e.read()[:300]!r}")
pipe = call("GET", "/api/v1/pipelines")["data"][0]; stages = pipe["stages"]
rep = call("POST", "/api/v1/users", {"name": "Rita Rep", "email": "rita@example.test", "role": "rep", "password": "Rep-Passw0rd-123"})
call("POST", "/api/v1/users", {"name": "Sam Rep", "email": "sam@example.test", "role": "rep", "password": "Rep-Passw0rd-456"})
team = call("POST", "/api/v1/teams", {"name": "Presales", "kind": "presales", "member_user_ids": [rep["id"]]})
steam = call("POST", "/api/v1/teams", {"name": "Sales", "kind": "sales"})
acc = call("POST", "/api/v1/accounts", {"name": "Initech", "industry": "software", "employees": 120, "website": "https://initech.example"})
call("POST", "/api/v1/accounts", {"name": "Globex"})
call("POST", "/api/v1/contacts", {"name": "Peter Gibbons", "account_id": acc["id"], "email": "peter@initech.example"})
prod = call("POST", "/api/v1/products", {"name": "GTX Basic", "code": "GTXB", "currency": "USD", "list_price": "550.00"})
opps = [call("POST", "/api/v1/opportunities", {"name": f"Deal {i}", "account_id": acc["id"], "amount": f"{1000 * (i + 1)}.00",
        "currency": "USD", "close_date": "2027-03-31", "stage_id": st["id"], "pipeline_id": pipe["id"], "product_id": prod["id"]})
        for i, st in enumerate(stages[:5])]
call("PATCH", f"/api/v1/opportunities/{opps[0]['id']}", {"stage_id": stages[1]["id"]})
for o in opps[:2]:
    call("POST", "/api/v1/activities", {"type": "call", "subject": "Intro call", "occurred_at": "2026-11-01T10:00:00Z", "opportunity_id": o["id"]})
call("POST", "/api/v1/activities", {"type": "meeting", "subject": "Kickoff", "due_at": "2026-12-10T10:00:00Z", "account_id": acc["id"]})
for o in opps[:3]:
    call("POST", "/api/v1/handoff-tasks", {"opportunity_id": o["id"], "task_type": "demo", "title": f"Demo for {o['name']}", "assignee_team_id": team["id"]})
call("POST", "/api/v1/handoff-rules", {"pipeline_id": pipe["id"], "stage_id": stages[2]["id"], "task_type": "demo",
     "title_template": "Demo for {account}: {opportunity}", "assignee_team_id": team["id"], "response_sla_minutes": 60, "completion_sla_minutes": 2880})
call("POST", "/api/v1/quotas", {"period": "2027-Q1", "amount": "250000.00", "user_id": rep["id"]})
call("POST", "/api/v1/quotas", {"period": "2027", "amount": "900000.00", "team_id": steam["id"]})
call("POST", "/api/v1/forecast-adjustments", {"period": "2027-Q1", "category": "commit", "amount": "180000.00", "note": "seed", "team_id": steam["id"]})
call("POST", "/api/v1/exchange-rates", {"currency": "EUR", "rate_to_base": "1.08", "valid_from": "2026-01-01"})
call("POST", "/api/v1/api-keys", {"name": "seed key", "scopes": ["opportunities:read"]})
print(f"== seeded {len(opps)} opportunities and one record of every other kind")
PY

# --- Schemathesis ---------------------------------------------------------------------
NDJSON=$ST_REPORT_DIR/events.ndjson
ST_ARGS=(run "$BASE/openapi.json"
  --checks all
  -H "Authorization: Bearer $TOKEN"
  --seed "$ST_SEED"
  --max-examples "$ST_MAX_EXAMPLES"
  --phases "$ST_PHASES"
  --continue-on-failure
  --generation-database none
  --request-timeout 10
  --no-color
  --report junit,ndjson
  --report-junit-path "$ST_REPORT_DIR/junit.xml"
  --report-ndjson-path "$NDJSON")
[[ -z $BASELINE ]] || ST_ARGS+=(--baseline "$BASELINE")
# shellcheck disable=SC2206
[[ -z ${ST_EXTRA_ARGS:-} ]] || ST_ARGS+=($ST_EXTRA_ARGS)

echo "== st ${ST_ARGS[*]}" | sed "s/$TOKEN/\$TOKEN/"
START=$(date +%s)
set +e
"$VENV/bin/st" "${ST_ARGS[@]}"
ST_RC=$?
set -e
echo "== schemathesis exit code $ST_RC after $(( $(date +%s) - START ))s"

SERVER_ALIVE=1
kill -0 "$SERVER_PID" 2>/dev/null || SERVER_ALIVE=0

# Every request Schemathesis sent (including the extra ones its checks make) is one
# recorded interaction in the NDJSON event stream.
REQUESTS=$(python3 - "$NDJSON" <<'PY'
import json, sys, collections
reqs = 0; status = collections.Counter()
for line in open(sys.argv[1]):
    sf = json.loads(line).get("ScenarioFinished")
    if not sf:
        continue
    for it in sf["recorder"].get("interactions", {}).values():
        reqs += 1
        status[(it.get("response") or {}).get("status_code")] += 1
srv = sum(n for s, n in status.items() if isinstance(s, int) and s >= 500)
print(f"== responses by status: {dict(sorted(status.items(), key=lambda kv: str(kv[0])))}", file=sys.stderr)
print(f"== 5xx responses: {srv}", file=sys.stderr)
print(reqs)
PY
)
echo "== requests sent by schemathesis: $REQUESTS"
if grep -qiE 'panicked|request failed' server.log; then
  echo "== server log mentions panics or 5xx:"; grep -iE 'panicked|request failed' server.log | tail -20
fi

if (( SERVER_ALIVE == 0 )); then
  echo "== FAIL: the glassbox server died during the run; last log lines:" >&2
  tail -50 server.log >&2
  exit 4
fi
if (( ST_RC != 0 )); then
  echo "== FAIL: schemathesis reported failures (reports in $ST_REPORT_DIR)" >&2
  exit 1
fi
if (( REQUESTS < MIN_REQUESTS )); then
  echo "== FAIL: only $REQUESTS requests sent (< $MIN_REQUESTS)" >&2
  exit 3
fi
echo "== PASS"
