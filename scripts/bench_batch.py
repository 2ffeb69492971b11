#!/usr/bin/env python3
"""Benchmark of the activity batch upsert (issue: offline-first sync).

Starts the release binary on a fresh database, then sends B batches of 500
new activities (default 40, so 20,000 rows) with C concurrent clients and
prints rows/s through the API; then the same number of rows as a raw batched
upsert (500 rows per INSERT … ON CONFLICT DO UPDATE, one transaction each)
straight into the database, for comparison.

Usage: scripts/bench_batch.py --db sqlite|postgres [--batches B] [--clients C]
Needs: cargo build --release -p glassbox-api; psql for PostgreSQL (trust auth
on 127.0.0.1:5432). Creates and drops its own database.
"""
import argparse, json, os, shutil, socket, sqlite3, subprocess, sys, tempfile, threading, time, urllib.request, uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "glassbox")
PASSWORD = "benchmark passphrase"
PG_ADMIN = os.environ.get("GLASSBOX_BENCH_PG", "postgres://postgres@127.0.0.1:5432/test")
BATCH = 500


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(method, url, body=None, token=None):
    req = urllib.request.Request(url, method=method, data=json.dumps(body).encode() if body is not None else None)
    req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=600) as r:
        return json.loads(r.read() or b"null")


def psql(url, sql):
    return subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-Atqc", sql], check=True, capture_output=True, text=True).stdout.strip()


def items(account):
    return [{"id": str(uuid.uuid4()), "type": "call", "subject": "Call from the road", "occurred_at": "2017-06-29T09:00:00Z",
             "duration_minutes": 15, "outcome": "left a message", "done": True, "account_id": account} for _ in range(BATCH)]


def raw_rows(org, owner, account, n):
    now = "2026-11-29T00:00:00+00:00"
    for _ in range(n):
        yield (uuid.uuid4(), org, "call", "Call from the road", "2017-06-29T09:00:00+00:00", 15, "left a message", True, owner, account, now, 1, now, now)


COLS = "id, org_id, type, subject, occurred_at, duration_minutes, outcome, done, owner_id, account_id, recorded_at, version, created_at, updated_at"
UPSERT = " ON CONFLICT (id) DO UPDATE SET subject = excluded.subject, version = activities.version + 1, updated_at = excluded.updated_at"


def raw_postgres(url, org, owner, account, total):
    script = []
    for _ in range(total // BATCH):
        values = ",".join(f"('{r[0]}','{r[1]}','{r[2]}','{r[3]}','{r[4]}',{r[5]},'{r[6]}',true,'{r[8]}','{r[9]}','{r[10]}',1,'{r[12]}','{r[13]}')"
                          for r in raw_rows(org, owner, account, BATCH))
        script.append(f"begin; insert into activities ({COLS}) values {values}{UPSERT}; commit;")
    # One psql session, one transaction per batch of 500.
    t = time.perf_counter()
    subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-q"], input="\n".join(script), check=True, capture_output=True, text=True)
    return total / (time.perf_counter() - t)


def raw_sqlite(path, org, owner, account, total):
    db = sqlite3.connect(path)
    t = time.perf_counter()
    for _ in range(total // BATCH):
        rows = [(r[0].bytes, r[1], r[2], r[3], r[4], r[5], r[6], 1, r[8], r[9], r[10], 1, r[12], r[13]) for r in raw_rows(org, owner, account, BATCH)]
        with db:
            db.executemany(f"insert into activities ({COLS}) values (?,?,?,?,?,?,?,?,?,?,?,?,?,?){UPSERT}", rows)
    db.close()
    return total / (time.perf_counter() - t)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", choices=["sqlite", "postgres"], required=True)
    ap.add_argument("--batches", type=int, default=40)
    ap.add_argument("--clients", type=int, default=2)
    args = ap.parse_args()
    if not os.path.exists(BIN):
        sys.exit("needs target/release/glassbox (cargo build --release -p glassbox-api)")
    work = tempfile.mkdtemp(prefix="gbx-bench-")
    pg_db = None
    if args.db == "postgres":
        pg_db = f"gbx_bench_{uuid.uuid4().hex[:12]}"
        psql(PG_ADMIN, f'create database "{pg_db}"')
        target = url = PG_ADMIN.rsplit("/", 1)[0] + "/" + pg_db
    else:
        target = os.path.join(work, "bench.db")
        url = f"sqlite://{target}?mode=rwc"
    port = free_port()
    env = dict(os.environ, DATABASE_URL=url, GLASSBOX_BIND=f"127.0.0.1:{port}", GLASSBOX_LOG="warn", GLASSBOX_RATE_LIMIT_PER_MINUTE="0",
               GLASSBOX_JWT_SECRET="bench-secret-" + "x" * 40, GLASSBOX_ADMIN_PASSWORD=PASSWORD, GLASSBOX_ACCESS_TOKEN_TTL="86400")
    server = None
    try:
        subprocess.run([BIN, "bootstrap", "--org", "Bench", "--admin-email", "admin@bench.test"], env=env, check=True, capture_output=True)
        server = subprocess.Popen([BIN, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                http("GET", base + "/readyz")
                break
            except Exception:
                time.sleep(0.1)
        token = http("POST", base + "/api/v1/auth/token", {"email": "admin@bench.test", "password": PASSWORD})["access_token"]
        account = http("POST", base + "/api/v1/accounts", {"name": "Bench account"}, token)["id"]
        me = http("GET", base + "/api/v1/me", token=token)
        payloads = [items(account) for _ in range(args.batches)]
        http("POST", base + "/api/v1/activities/batch", {"items": items(account)}, token)  # warm-up
        queue = list(payloads)
        lock = threading.Lock()
        def client():
            while True:
                with lock:
                    if not queue:
                        return
                    batch = queue.pop()
                answer = http("POST", base + "/api/v1/activities/batch", {"items": batch}, token)
                assert all(r["status"] == "created" for r in answer["results"])
        t = time.perf_counter()
        threads = [threading.Thread(target=client) for _ in range(args.clients)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        api = args.batches * BATCH / (time.perf_counter() - t)
        server.terminate()
        server.wait(timeout=40)
        server = None
        org, owner = me["org"]["id"], me["user"]["id"]
        if args.db == "postgres":
            raw = raw_postgres(target, org, owner, account, args.batches * BATCH)
        else:
            raw = raw_sqlite(target, uuid.UUID(org).bytes, uuid.UUID(owner).bytes, uuid.UUID(account).bytes, args.batches * BATCH)
        print(f"{args.db}: API {api:,.0f} rows/s ({args.batches} batches of {BATCH}, {args.clients} clients); "
              f"raw batched upsert {raw:,.0f} rows/s; API/raw {api / raw:.0%}")
    finally:
        if server:
            server.terminate()
            server.wait(timeout=40)
        if pg_db:
            psql(PG_ADMIN, f'drop database if exists "{pg_db}" with (force)')
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
