"""Shared plumbing of the benchmark scripts: a throwaway database (PostgreSQL
or SQLite), the release binary bootstrapped and served on a free port, JSON
over HTTP, psql. Nothing here measures; each bench_*.py does.
"""
import contextlib, json, os, shutil, socket, subprocess, tempfile, time, urllib.request, uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "glassbox")
PASSWORD = "benchmark passphrase"
PG_ADMIN = os.environ.get("GLASSBOX_BENCH_PG", "postgres://postgres@127.0.0.1:5432/test")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(method, url, body=None, token=None):
    req = urllib.request.Request(url, method=method, data=json.dumps(body).encode() if body else None)
    req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=600) as r:
        return json.loads(r.read() or b"null")


def psql(url, sql):
    return subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-Atqc", sql], check=True, capture_output=True, text=True).stdout.strip()


def as_uuid(value):
    """A UUID as text, from SQLite's 16 bytes or PostgreSQL's text."""
    return str(uuid.UUID(bytes=value)) if isinstance(value, bytes) else value


class Bench:
    """A fresh database with one bootstrapped org; `target` is the
    PostgreSQL URL or the SQLite file path that seeding writes to."""

    def __init__(self, db, work):
        self.db, self.pg_db, self.server = db, None, None
        if db == "postgres":
            self.pg_db = f"gbx_bench_{uuid.uuid4().hex[:12]}"
            psql(PG_ADMIN, f'create database "{self.pg_db}"')
            self.target = self.url = PG_ADMIN.rsplit("/", 1)[0] + "/" + self.pg_db
        else:
            self.target = os.path.join(work, "bench.db")
            self.url = f"sqlite://{self.target}?mode=rwc"
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = dict(os.environ, DATABASE_URL=self.url, GLASSBOX_BIND=f"127.0.0.1:{self.port}", GLASSBOX_LOG="warn",
                        GLASSBOX_RATE_LIMIT_PER_MINUTE="0", GLASSBOX_JWT_SECRET="bench-secret-" + "x" * 40,
                        GLASSBOX_ADMIN_PASSWORD=PASSWORD, GLASSBOX_ACCESS_TOKEN_TTL="86400")
        self.run("bootstrap", "--org", "Bench", "--admin-email", "admin@bench.test")

    def run(self, *args):
        """Runs a `glassbox` subcommand on the bench database; its stdout."""
        return subprocess.run([BIN, *args], env=self.env, check=True, capture_output=True, text=True).stdout.strip()

    def serve(self, fake_now=None):
        """Starts the server (stopping one already running), waits until it
        is ready, returns an admin token. With `fake_now` (RFC 3339) the
        server's clock stands at that instant (GLASSBOX_ENV=test)."""
        self.stop()
        env = dict(self.env, GLASSBOX_ENV="test", GLASSBOX_FAKE_NOW=fake_now) if fake_now else self.env
        self.server = subprocess.Popen([BIN, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                http("GET", self.base + "/readyz")
                break
            except Exception:
                time.sleep(0.1)
        return self.login("admin@bench.test")

    def login(self, email):
        """An access token of `email` (who has the bench password)."""
        return http("POST", self.base + "/api/v1/auth/token", {"email": email, "password": PASSWORD})["access_token"]

    def stop(self):
        """Stops the server, if one runs."""
        if self.server:
            self.server.terminate()
            self.server.wait(timeout=40)
            self.server = None


@contextlib.contextmanager
def bench(db, keep=False, needs=()):
    """A `Bench` that is stopped and dropped afterwards (unless `keep`)."""
    missing = [n for n in needs if not shutil.which(n)]
    if not os.path.exists(BIN) or missing:
        raise SystemExit("needs target/release/glassbox (cargo build --release -p glassbox-api)"
                         + "".join(f" and {n}" for n in missing))
    work = tempfile.mkdtemp(prefix="gbx-bench-")
    b = None
    try:
        b = Bench(db, work)
        yield b
    finally:
        if b:
            b.stop()
        if keep and b:
            print(f"kept: {b.url}")
        else:
            if b and b.pg_db:
                psql(PG_ADMIN, f'drop database if exists "{b.pg_db}" with (force)')
            shutil.rmtree(work, ignore_errors=True)
