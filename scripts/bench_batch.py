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
import argparse, sqlite3, subprocess, threading, time, uuid

from benchkit import bench, http

BATCH = 500


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
    with bench(args.db) as b:
        token = b.serve()
        base = b.base
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
        b.server.terminate()
        b.server.wait(timeout=40)
        b.server = None
        org, owner = me["org"]["id"], me["user"]["id"]
        if args.db == "postgres":
            raw = raw_postgres(b.target, org, owner, account, args.batches * BATCH)
        else:
            raw = raw_sqlite(b.target, uuid.UUID(org).bytes, uuid.UUID(owner).bytes, uuid.UUID(account).bytes, args.batches * BATCH)
        print(f"{args.db}: API {api:,.0f} rows/s ({args.batches} batches of {BATCH}, {args.clients} clients); "
              f"raw batched upsert {raw:,.0f} rows/s; API/raw {api / raw:.0%}")


if __name__ == "__main__":
    main()
