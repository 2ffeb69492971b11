#!/usr/bin/env python3
"""Load benchmark of the opportunity list endpoint (issue: sales core).

Seeds ORG data with N opportunities (default 1,000,000) spread over 20 owners
and the 5 open stages of the default pipeline, starts the release binary,
and drives `GET /api/v1/opportunities?owner_id=…&stage_id=…&limit=50` with wrk
on loopback for a bounded time. Prints requests/s and latency percentiles,
plus the cost of the same keyset query as raw SQL.

Usage: scripts/bench_list.py --db sqlite|postgres [--rows N] [--duration S] [--connections C] [--perf FILE]
Needs: a release build (cargo build --release -p glassbox-api), wrk, psql for
PostgreSQL (trust auth on 127.0.0.1:5432). Creates and drops its own database.
"""
import argparse, re, sqlite3, subprocess, time, uuid

from benchkit import as_uuid, bench, http, psql


def seed_postgres(url, rows):
    org = psql(url, "select id from orgs limit 1")
    admin = psql(url, "select id from users limit 1")
    pipeline = psql(url, "select id from pipelines limit 1")
    stages = psql(url, f"select id from stages where pipeline_id='{pipeline}' and kind='open' order by position").split()
    psql(url, f"""insert into users (id, org_id, name, email, password_hash, role, active, version, created_at, updated_at)
        select gen_random_uuid(), '{org}', 'Rep ' || g, 'rep' || g || '@bench.test', 'x', 'rep', true, 1, now(), now()
        from generate_series(1, 19) g""")
    owners = [admin] + psql(url, "select id from users where email like 'rep%' order by email").split()
    o_arr = "ARRAY[" + ",".join(f"'{o}'::uuid" for o in owners) + "]"
    s_arr = "ARRAY[" + ",".join(f"'{s}'::uuid" for s in stages) + "]"
    psql(url, f"""insert into opportunities (id, org_id, name, owner_id, pipeline_id, stage_id, status, amount_minor, currency,
            forecast_category, stage_entered_at, version, created_at, updated_at)
        select gen_random_uuid(), '{org}', 'Deal ' || g, ({o_arr})[1 + g % 20], '{pipeline}', ({s_arr})[1 + (g / 20) % 5], 'open',
            (g::bigint * 7919) % 100000000, 'USD', 'pipeline', now(), 1,
            timestamptz '2016-01-01' + g * interval '1 second', now()
        from generate_series(1, {rows}) g""")
    psql(url, "analyze")
    return org, owners[1], stages[2]


def seed_sqlite(path, rows):
    db = sqlite3.connect(path)
    org = db.execute("select id from orgs limit 1").fetchone()[0]
    admin = db.execute("select id from users limit 1").fetchone()[0]
    pipeline = db.execute("select id from pipelines limit 1").fetchone()[0]
    stages = [r[0] for r in db.execute("select id from stages where pipeline_id=? and kind='open' order by position", (pipeline,))]
    now = "2026-11-29T00:00:00.000000+00:00"
    owners = [admin]
    for g in range(1, 20):
        uid = uuid.uuid4().bytes
        owners.append(uid)
        db.execute("insert into users (id, org_id, name, email, password_hash, role, active, version, created_at, updated_at) values (?,?,?,?,?,?,?,?,?,?)",
                   (uid, org, f"Rep {g}", f"rep{g}@bench.test", "x", "rep", 1, 1, now, now))
    base = time.mktime(time.strptime("2016-01-01", "%Y-%m-%d"))
    def gen():
        for g in range(1, rows + 1):
            created = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(base + g)) + ".000000+00:00"
            yield (uuid.uuid4().bytes, org, f"Deal {g}", owners[g % 20], pipeline, stages[(g // 20) % 5], "open",
                   (g * 7919) % 100000000, "USD", "pipeline", now, 1, created, now)
    db.executemany("""insert into opportunities (id, org_id, name, owner_id, pipeline_id, stage_id, status, amount_minor, currency,
        forecast_category, stage_entered_at, version, created_at, updated_at) values (?,?,?,?,?,?,?,?,?,?,?,?,?,?)""", gen())
    db.commit()
    db.execute("analyze")
    db.close()
    return org, owners[1], stages[2]


def raw_sql_cost(kind, target, org, owner, stage):
    if kind == "postgres":
        plan = psql(target, f"""explain analyze select * from opportunities where org_id='{org}' and owner_id='{owner}' and stage_id='{stage}'
            and deleted_at is null order by created_at, id limit 51""")
        return re.search(r"Execution Time: ([0-9.]+) ms", plan).group(1) + " ms (EXPLAIN ANALYZE)"
    db = sqlite3.connect(target)
    sql = "select * from opportunities where org_id=? and owner_id=? and stage_id=? and deleted_at is null order by created_at, id limit 51"
    t = time.perf_counter()
    for _ in range(200):
        db.execute(sql, (org, owner, stage)).fetchall()
    return f"{(time.perf_counter() - t) / 200 * 1000:.3f} ms (mean of 200, Python sqlite3)"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", choices=["sqlite", "postgres"], required=True)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--duration", type=int, default=15)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--perf", metavar="FILE", help="also record a perf profile of the server during the load into FILE")
    args = ap.parse_args()
    with bench(args.db, needs=("wrk",)) as b:
        t = time.time()
        org, owner, stage = (seed_postgres if args.db == "postgres" else seed_sqlite)(b.target, args.rows)
        print(f"seeded {args.rows} opportunities in {time.time() - t:.1f} s")
        token = b.serve()
        base = b.base
        owner_id, stage_id = as_uuid(owner), as_uuid(stage)
        path = f"/api/v1/opportunities?owner_id={owner_id}&stage_id={stage_id}&limit=50"
        page = http("GET", base + path, token=token)
        print(f"one page: {len(page['data'])} rows, next_cursor {'set' if page['next_cursor'] else 'null'}")
        print(f"raw SQL keyset page: {raw_sql_cost(args.db, b.target, org, owner, stage)}")
        perf = None
        if args.perf:
            perf = subprocess.Popen(["perf", "record", "-F", "499", "-g", "-p", str(b.server.pid), "-o", args.perf, "--", "sleep", str(args.duration)],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        out = subprocess.run(["wrk", "-t2", f"-c{args.connections}", f"-d{args.duration}s", "--latency", "-H", f"Authorization: Bearer {token}", base + path],
                             check=True, capture_output=True, text=True).stdout
        if perf:
            perf.wait()
        rps = re.search(r"Requests/sec:\s+([0-9.]+)", out).group(1)
        lat = dict(re.findall(r"\s+(50|75|90|99)%\s+([0-9.]+\w+)", out))
        errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        print(f"{args.db}: {rps} requests/s, p50 {lat.get('50')}, p90 {lat.get('90')}, p99 {lat.get('99')}, "
              f"non-2xx {errors.group(1) if errors else 0} ({args.connections} connections, {args.duration} s, wrk -t2)")


if __name__ == "__main__":
    main()
