#!/usr/bin/env python3
"""Benchmark of the process analytics (issue: seeing the process).

Seeds a fresh org with N opportunities (default 1,000,000) on the default
pipeline and their stage history (~4.7 rows per deal: 3–5 open stages, then
won or lost for two deals in three), created one minute apart from
2016-01-01. Starts the release binary and times, one request at a time:
org-wide funnel, org-wide stage conversion, one rep's funnel, stalled deals
and the pipeline waterfall of one month; then, with the server's clock at
2017-12-01, forecasts of 2017-Q4 (the first after start, which fits the
model; then org-wide, per owner, one rep's, and as of 2017-09-30 from
history);
and, on PostgreSQL, hand-written SQL baselines (deals reaching each stage
of the cohort; open pipeline and won per owner and category) with EXPLAIN
ANALYZE. Seeding is plain SQL, so it then runs `glassbox
rebuild-rollups` (timed). Funnel and stage conversion with a day `as_of`
read the rollups; an instant `as_of` reads stage history (shown for
comparison). Prints p50/p95/max per endpoint (endpoints that read stage
history run at most 3 requests).

Usage: scripts/bench_analytics.py --db postgres|sqlite [--rows N] [--requests R]
Needs: a release build (cargo build --release -p glassbox-api); psql for
PostgreSQL (trust auth on 127.0.0.1:5432). Creates and drops its own database.
"""
import argparse, re, sqlite3, statistics, time, uuid

from benchkit import as_uuid, bench, http, psql

WINDOW = "from=2016-01-01&to=2017-12-31&as_of=2018-01-01"


# Per deal g: k = 3 + g % 3 open stages entered, one every (1 + g % 10)
# days; then won when (g / 3) % 3 = 0, lost when 1, still open when 2.
PG_SEED = """
create temp table g as select g, gen_random_uuid() as id, timestamptz '2016-01-01' + g * interval '1 minute' as created,
  3 + g % 3 as k, (g / 3) % 3 as fate, (1 + g % 10) * interval '1 day' as step, 1 + g % 20 as owner
  from generate_series(1, {rows}) g;
insert into opportunities (id, org_id, name, owner_id, pipeline_id, stage_id, status, amount_minor, currency,
    forecast_category, closed_at, stage_entered_at, version, created_at, updated_at)
  select id, '{org}', 'Deal ' || g, ({owners})[owner], '{pipeline}',
    case fate when 0 then ({stages})[6] when 1 then ({stages})[7] else ({stages})[k] end,
    case fate when 0 then 'won' when 1 then 'lost' else 'open' end,
    (g::bigint * 7919) % 100000000, 'USD', case fate when 0 then 'closed' when 1 then 'omitted' else 'pipeline' end,
    case when fate < 2 then created + k * step end, created + (k - case when fate < 2 then 0 else 1 end) * step,
    1, created, created
  from g;
insert into opportunity_stage_history (id, org_id, opportunity_id, from_stage_id, to_stage_id, entered_at, exited_at, actor_id)
  select gen_random_uuid(), '{org}', g.id, case when i = 1 then null else ({stages})[i - 1] end, ({stages})[i],
    created + (i - 1) * step, case when i < k or fate < 2 then created + i * step end, null
  from g cross join generate_series(1, 5) i where i <= k;
insert into opportunity_stage_history (id, org_id, opportunity_id, from_stage_id, to_stage_id, entered_at, exited_at, actor_id)
  select gen_random_uuid(), '{org}', id, ({stages})[k], ({stages})[6 + fate], created + k * step, null, null
  from g where fate < 2;
analyze;
"""


def seed_postgres(url, rows):
    org = psql(url, "select id from orgs limit 1")
    pipeline = psql(url, "select id from pipelines limit 1")
    stages = psql(url, f"select id from stages where pipeline_id='{pipeline}' order by position").split()
    admin = psql(url, "select id from users limit 1")
    psql(url, f"""insert into users (id, org_id, name, email, password_hash, role, active, version, created_at, updated_at)
        select gen_random_uuid(), '{org}', 'Rep ' || g, 'rep' || g || '@bench.test', 'x', 'rep', true, 1, now(), now()
        from generate_series(1, 19) g""")
    owners = [admin] + psql(url, "select id from users where email like 'rep%' order by email").split()
    arr = lambda xs: "ARRAY[" + ",".join(f"'{x}'::uuid" for x in xs) + "]"
    psql(url, PG_SEED.format(rows=rows, org=org, pipeline=pipeline, stages=arr(stages), owners=arr(owners)))
    return owners[1]


def seed_sqlite(path, rows):
    db = sqlite3.connect(path)
    org = db.execute("select id from orgs limit 1").fetchone()[0]
    pipeline = db.execute("select id from pipelines limit 1").fetchone()[0]
    stages = [r[0] for r in db.execute("select id from stages where pipeline_id=? order by position", (pipeline,))]
    owners = [db.execute("select id from users limit 1").fetchone()[0]]
    now = "2026-11-29T00:00:00+00:00"
    for n in range(1, 20):
        uid = uuid.uuid4().bytes
        owners.append(uid)
        db.execute("insert into users (id, org_id, name, email, password_hash, role, active, version, created_at, updated_at) values (?,?,?,?,?,?,?,?,?,?)",
                   (uid, org, f"Rep {n}", f"rep{n}@bench.test", "x", "rep", 1, 1, now, now))
    base = 1451606400  # 2016-01-01T00:00:00Z
    ts = lambda s: time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(s))
    opps, hist = [], []
    def flush():
        db.executemany("""insert into opportunities (id, org_id, name, owner_id, pipeline_id, stage_id, status, amount_minor, currency,
            forecast_category, closed_at, stage_entered_at, version, created_at, updated_at) values (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""", opps)
        db.executemany("""insert into opportunity_stage_history (id, org_id, opportunity_id, from_stage_id, to_stage_id, entered_at, exited_at, actor_id)
            values (?,?,?,?,?,?,?,?)""", hist)
        opps.clear(); hist.clear()
    for g in range(1, rows + 1):
        oid, created, k, fate, step = uuid.uuid4().bytes, base + 60 * g, 3 + g % 3, (g // 3) % 3, 86400 * (1 + g % 10)
        final = stages[5 + fate] if fate < 2 else stages[k - 1]
        closed = ts(created + k * step) if fate < 2 else None
        entered = created + (k if fate < 2 else k - 1) * step
        opps.append((oid, org, f"Deal {g}", owners[g % 20], pipeline, final, ["won", "lost", "open"][fate], (g * 7919) % 100000000, "USD",
                     ["closed", "omitted", "pipeline"][fate], closed, ts(entered), 1, ts(created), ts(created)))
        for i in range(1, k + 1):
            exited = ts(created + i * step) if i < k or fate < 2 else None
            hist.append((uuid.uuid4().bytes, org, oid, stages[i - 2] if i > 1 else None, stages[i - 1], ts(created + (i - 1) * step), exited, None))
        if fate < 2:
            hist.append((uuid.uuid4().bytes, org, oid, stages[k - 1], stages[5 + fate], ts(created + k * step), None, None))
        if len(opps) >= 20000:
            flush()
    flush()
    db.commit()
    db.execute("analyze")
    db.close()
    return owners[1]


def baseline_postgres(url, owner=None):
    who = f" and o.owner_id = '{owner}'" if owner else ""
    sql = f"""explain analyze select h.to_stage_id, count(distinct h.opportunity_id) from opportunity_stage_history h
        join opportunities o on o.id = h.opportunity_id where o.created_at >= '2016-01-01' and o.created_at < '2018-01-01'
        and h.entered_at <= '2018-01-02'{who} group by h.to_stage_id"""
    return float(re.search(r"Execution Time: ([0-9.]+) ms", psql(url, sql)).group(1))


def forecast_baseline_postgres(url, owner=None):
    who = f" and o.owner_id = '{owner}'" if owner else ""
    sql = f"""explain analyze select o.owner_id, o.forecast_category, s.kind, sum(o.amount_minor),
        sum(o.amount_minor * s.probability) from opportunities o join stages s on s.id = o.stage_id
        where o.deleted_at is null{who} group by o.owner_id, o.forecast_category, s.kind"""
    return float(re.search(r"Execution Time: ([0-9.]+) ms", psql(url, sql)).group(1))


FORECAST_NOW = "2017-12-01T12:00:00Z"
# The server's start-up jobs (compacting rollups, fitting the day's
# forecast models) run for a few seconds; timing starts after them.
SETTLE_SECONDS = 30


def rep_login(b, db, owner):
    """A token of the rep owning `owner`'s deals: the rep gets the admin's
    password hash (argon2 strings are portable)."""
    sql = ("update users set password_hash = (select password_hash from users where email = 'admin@bench.test') "
           f"where id = '{owner}'")
    if db == "postgres":
        psql(b.target, sql)
        email = psql(b.target, f"select email from users where id = '{owner}'")
    else:
        con = sqlite3.connect(b.target)
        oid = uuid.UUID(owner).bytes
        con.execute("update users set password_hash = (select password_hash from users where email = 'admin@bench.test') where id = ?", (oid,))
        con.commit()
        email = con.execute("select email from users where id = ?", (oid,)).fetchone()[0]
        con.close()
    return b.login(email)


def timed(base, path, token, requests):
    http("GET", base + path, token=token)  # warm-up
    samples = []
    for _ in range(requests):
        t = time.perf_counter()
        http("GET", base + path, token=token)
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, int(round(0.95 * (len(samples) - 1))))]
    return f"p50 {statistics.median(samples):8.1f} ms   p95 {p95:8.1f} ms   max {samples[-1]:8.1f} ms"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", choices=["sqlite", "postgres"], required=True)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--requests", type=int, default=10)
    ap.add_argument("--keep", action="store_true", help="keep the seeded database and print its URL")
    args = ap.parse_args()
    with bench(args.db, keep=args.keep) as b:
        t = time.time()
        owner = as_uuid((seed_postgres if args.db == "postgres" else seed_sqlite)(b.target, args.rows))
        print(f"seeded {args.rows} opportunities with their stage history in {time.time() - t:.1f} s")
        if args.db == "postgres":
            print(f"stage-history rows: {psql(b.target, 'select count(*) from opportunity_stage_history')}")
            print(f"hand-written SQL, deals reaching each stage (EXPLAIN ANALYZE): {baseline_postgres(b.target):.1f} ms")
            print(f"hand-written SQL, the same for one rep: {baseline_postgres(b.target, owner):.1f} ms")
            print(f"hand-written SQL, open pipeline and won per owner and category: {forecast_baseline_postgres(b.target):.1f} ms")
            print(f"hand-written SQL, the same for one rep: {forecast_baseline_postgres(b.target, owner):.1f} ms")
        # Plain SQL loads bypass the writes that keep rollups current.
        t = time.time()
        print(f"{b.run('rebuild-rollups')} (wall {time.time() - t:.1f} s)")
        token = b.serve()
        time.sleep(SETTLE_SECONDS)
        slow = ("stalled", "waterfall", "from history")
        for name, path in [
            ("funnel, org-wide", f"/api/v1/analytics/funnel?{WINDOW}"),
            ("stage conversion, org-wide", f"/api/v1/analytics/stage-conversion?{WINDOW}"),
            ("funnel, one rep", f"/api/v1/analytics/funnel?{WINDOW}&owner_id={owner}"),
            ("stage conversion, one rep", f"/api/v1/analytics/stage-conversion?{WINDOW}&owner_id={owner}"),
            ("conversion, Q1 2017 at mid-year", "/api/v1/analytics/stage-conversion?from=2017-01-01&to=2017-03-31&as_of=2017-06-30"),
            ("funnel, from history (instant)", f"/api/v1/analytics/funnel?{WINDOW.replace('2018-01-01', '2018-01-01T00:00:00Z')}"),
            ("stalled deals, first page", "/api/v1/analytics/stalled-opportunities?as_of=2018-01-01"),
            ("waterfall, one month", "/api/v1/analytics/pipeline-changes?from=2017-03-01&to=2017-03-31"),
        ]:
            n = min(args.requests, 3) if any(w in name for w in slow) else args.requests
            print(f"{args.db:8} {name:34} {timed(b.base, path, token, n)}  ({n} requests)", flush=True)
        # Forecasts of the current quarter, with the clock inside the data
        # (the trailing year then holds ~350,000 closed deals). The model is
        # fitted once a day per period and kept: at start the server's
        # hourly job fits the current month, quarter and year; the first
        # forecast, timed apart, fits (or waits for) the quarter's. Timing
        # starts once the job is done.
        token = b.serve(fake_now=FORECAST_NOW)
        rep = rep_login(b, args.db, owner)
        t = time.perf_counter()
        http("GET", b.base + "/api/v1/forecasts?period=2017-Q4", token=token)
        print(f"{args.db:8} {'forecast, first after start (fit)':34} {(time.perf_counter() - t) * 1000:8.1f} ms", flush=True)
        time.sleep(SETTLE_SECONDS)
        for name, path, who in [
            ("forecast, org-wide, now", "/api/v1/forecasts?period=2017-Q4", token),
            ("forecast, per owner, now", "/api/v1/forecasts?period=2017-Q4&group_by=owner", token),
            ("forecast, one rep (own deals)", "/api/v1/forecasts?period=2017-Q4", rep),
            ("forecast, org-wide, from history", "/api/v1/forecasts?period=2017-Q4&as_of=2017-09-30", token),
        ]:
            n = min(args.requests, 3) if any(w in name for w in slow) else args.requests
            print(f"{args.db:8} {name:34} {timed(b.base, path, who, n)}  ({n} requests)", flush=True)


if __name__ == "__main__":
    main()
