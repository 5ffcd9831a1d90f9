#!/usr/bin/env python3
"""Sextant benchmark driver (python3 standard library only).

    bench/run.sh quick      100,000 customers, 3 s of load per run; report to bench/out/,
                            exit status 1 when a gate fails (half the target throughput ratios, or a failed request)
    bench/run.sh full       1,000,000 customers + 1,000,000 contacts, 10 s per run;
                            report to docs/BENCHMARKS.md

Everything happens in a temporary folder that is removed at the end, also on Ctrl-C or SIGTERM;
every process started here (sextant, nginx, wrk, pgbench, PostgreSQL) is stopped by its own id.

Environment overrides (all optional):
    BENCH_CUSTOMERS   customers generated and loaded into SQLite
    BENCH_CONTACTS    contacts generated and loaded into SQLite
    BENCH_OPPORTUNITIES  opportunities generated and loaded into SQLite (T6's funnel)
    BENCH_ACTIVITIES  activities written into SQLite by one SQL statement (T7's report)
    BENCH_DURATION    seconds per wrk run
    BENCH_HTTP_ROWS   rows of the HTTP import (T9), into a fresh database
    BENCH_DRY_ROWS    rows of the import's dry run with the duplicate check (T9), against the loaded base
    BENCH_PG          0: skip the PostgreSQL part (T11)
    BENCH_PG_ROWS     customers loaded into PostgreSQL
    BENCH_PG_IMPORT_TIMEOUT  seconds before the PostgreSQL import is declared stuck (default rows/2000, ≥ 60)
    BENCH_SEED        generator seed (default 7)
    BENCH_OUT         report file (default: bench/out/BENCHMARKS-quick.md or docs/BENCHMARKS.md)
    BENCH_GATE        0: quick mode reports but never fails
    BENCH_KEEP        1: keep the temporary folder (its path is printed)
    BENCH_WORKERS     --workers for sextant serve (default: the server's own default)
"""
import base64
import contextlib
import datetime
import hashlib
import http.client
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "bench")
SEXTANT = os.path.join(ROOT, "build", "sextant")
WRK_LUA = os.path.join(BENCH, "wrk.lua")
PG_TEMP = os.path.join(ROOT, "tools", "pg-temp.sh")
PASSWORD = "bench-password-1234"

MODES = {
    "quick": dict(customers=100_000, contacts=0, opportunities=20_000, activities=200_000, duration=3, http_rows=100_000,
                  pg_rows=100_000, dry_rows=2_000, cold_runs=5),
    "full": dict(customers=1_000_000, contacts=1_000_000, opportunities=1_000_000, activities=10_000_000, duration=10,
                 http_rows=100_000, pg_rows=200_000, dry_rows=10_000, cold_runs=5),
}

# T5: two-character queries from the generator's vocabulary (src/demo/gen.c): brand syllable pairs
# (rare: about 1 row in 1,600), city names (common: 1 in 23), trade words, roads and people's names.
SEARCH_TERMS = ["海韵", "蓝湾", "远航", "金帆", "星辰", "碧海", "鸿运", "澜庭", "云帆", "天港",
                "深圳", "厦门", "青岛", "三亚", "大连", "游艇", "船舶", "海景", "王芳", "陈静"]

# T2 is a list view: one filter, a sort on an indexed field, the columns a list shows, and no
# total (the first page's total is T4's concern, measured as the difference below).
LIST_FIELDS = "name,phone,city,level,region,industry,owner_id,updated_at"
LIST_BASE = "/api/v1/customers?level=b&sort=-updated_at&limit=50"
T2_QUERY = LIST_BASE + "&fields=" + LIST_FIELDS + "&total=none"
# Lists as the people who use them most: a salesperson sees own customers, a regional manager
# the subsidiary's (both 1 % of the table here), each with the default sort.
SCOPED_BASE = "/api/v1/customers?sort=-updated_at&limit=50&fields=" + LIST_FIELDS
SCOPED_SHARE = 100  # one customer in this many belongs to the salesperson's department
FUNNEL_REPS = 100  # salespeople the opportunities are spread over, ten to a team (T6)
FUNNEL_TEAMS = 10
# T7: the activities span two UTC years; the report asks for the second, by kind and month.
ACTIVITY_YEARS = ("2024", "2025")
ACTIVITY_REPORT = "/api/v1/activities/report?from=2025-01&to=2025-12"
# Kinds of follow-up as a sales team has them (schema/activities.json), with their share in %.
ACTIVITY_KINDS = (("call", 30), ("wechat", 20), ("visit", 15), ("email", 10), ("meeting", 8),
                  ("quotation", 6), ("product_intro", 4), ("sea_trial", 3), ("boat_show", 2), ("other", 2))
T2_WITH_TOTAL = LIST_BASE + "&fields=" + LIST_FIELDS


class Interrupted(Exception):
    pass


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def env_int(name, default):
    v = os.environ.get(name)
    return int(v) if v not in (None, "") else default


class Bench:
    def __init__(self, mode):
        self.mode = mode
        cfg = dict(MODES[mode])
        cfg["customers"] = env_int("BENCH_CUSTOMERS", cfg["customers"])
        cfg["contacts"] = env_int("BENCH_CONTACTS", cfg["contacts"])
        cfg["opportunities"] = env_int("BENCH_OPPORTUNITIES", cfg["opportunities"])
        cfg["activities"] = env_int("BENCH_ACTIVITIES", cfg["activities"])
        cfg["duration"] = env_int("BENCH_DURATION", cfg["duration"])
        cfg["http_rows"] = env_int("BENCH_HTTP_ROWS", cfg["http_rows"])
        cfg["dry_rows"] = env_int("BENCH_DRY_ROWS", cfg["dry_rows"])
        cfg["pg_rows"] = env_int("BENCH_PG_ROWS", cfg["pg_rows"])
        cfg["pg"] = os.environ.get("BENCH_PG", "1") != "0"
        cfg["seed"] = env_int("BENCH_SEED", 7)
        cfg["workers"] = os.environ.get("BENCH_WORKERS") or None
        self.cfg = cfg
        self.sextant = SEXTANT   # replaced by a private copy once the temporary folder exists
        self.procs = []          # Popen objects still to stop
        self.pg_dir = None
        self.work = None
        self.results = {"mode": mode, "config": cfg, "runs": {}, "metrics": {}, "commands": [],
                        "problems": [], "notes": []}

    # ---------- bookkeeping ----------

    def cmd_text(self, argv, env=None, stdin=None, stdout=None):
        def quote(a):
            return a if re.fullmatch(r"[\w@%+=:,./$-]+", a) else "'" + a + "'"

        def short(a):
            a = str(a)
            if a == self.sextant:
                return "build/sextant"
            if self.work:
                a = a.replace(self.work, "$WORK")
            return a.replace(ROOT + "/", "")
        parts = []
        for k, v in (env or {}).items():
            if k == "BENCH_COOKIE":
                v = "sextant_session=…"
            elif k == "BENCH_CSRF":
                v = "…"
            parts.append(f"{k}={quote(short(v))}")
        parts += [quote(short(a)) for a in argv]
        s = " ".join(parts)
        if stdin:
            s += f" < {short(stdin)}"
        if stdout:
            s += f" > {short(stdout)}"
        return s

    def record(self, what, argv, env=None, stdin=None, stdout=None):
        self.results["commands"].append({"what": what, "cmd": self.cmd_text(argv, env, stdin, stdout)})

    def problem(self, text):
        log("PROBLEM: " + text)
        self.results["problems"].append(text)

    def note(self, text):
        self.results["notes"].append(text)

    def run(self, argv, what=None, env=None, stdin_file=None, stdout_file=None, input_text=None,
            timeout=3600, check=True):
        if what:
            self.record(what, argv, env, stdin_file, stdout_file)
        kw = {"env": dict(os.environ, **(env or {})), "stderr": subprocess.PIPE, "timeout": timeout}
        fin = open(stdin_file, "rb") if stdin_file else None
        fout = open(stdout_file, "wb") if stdout_file else subprocess.PIPE
        if input_text is not None:
            kw["input"] = input_text.encode()
        else:
            kw["stdin"] = fin or subprocess.DEVNULL
        try:
            p = subprocess.run(argv, stdout=fout, **kw)
        finally:
            if fin:
                fin.close()
            if stdout_file:
                fout.close()
        if check and p.returncode != 0:
            lines = [ln for ln in p.stderr.decode(errors="replace").splitlines() if " info " not in ln]
            err = " / ".join(lines[-5:])[-800:]
            raise RuntimeError(f"command failed ({p.returncode}): {self.cmd_text(argv)}: {err}")
        return p

    def start(self, argv, logname, env=None):
        logf = open(os.path.join(self.work, logname), "ab")
        p = subprocess.Popen(argv, stdout=logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                             env=dict(os.environ, **(env or {})))
        logf.close()
        p.logname = logname
        self.procs.append(p)
        return p

    def stop(self, p, sig=signal.SIGTERM, wait=15):
        if p.poll() is None:
            try:
                p.send_signal(sig)
                p.wait(timeout=wait)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        if p in self.procs:
            self.procs.remove(p)

    def log_tail(self, logname, n=2000):
        try:
            with open(os.path.join(self.work, logname), "rb") as f:
                return f.read()[-n:].decode(errors="replace")
        except OSError:
            return ""

    def cleanup(self):
        for p in list(self.procs):
            try:
                self.stop(p, wait=10)
            except Exception as e:  # keep cleaning up
                print(f"bench: cannot stop pid {p.pid}: {e}", file=sys.stderr)
        if self.pg_dir:
            subprocess.run([PG_TEMP, "stop", self.pg_dir], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
            self.pg_dir = None
        if self.work and os.path.isdir(self.work):
            if os.environ.get("BENCH_KEEP") == "1":
                print(f"bench: kept {self.work}", file=sys.stderr)
            else:
                shutil.rmtree(self.work, ignore_errors=True)

    # ---------- HTTP ----------

    def http(self, port, method, path, body=None, headers=None, timeout=60):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            data = r.read()
            return r.status, r, data
        finally:
            c.close()

    def login(self, port, username="bench"):
        st, r, data = self.http(port, "POST", "/api/v1/auth/login",
                                json.dumps({"username": username, "password": PASSWORD}),
                                {"Content-Type": "application/json"})
        if st != 200:
            raise RuntimeError(f"login failed: {st} {data[:300]!r}")
        cookie = None
        for k, v in r.getheaders():
            if k.lower() == "set-cookie" and v.startswith("sextant_session="):
                cookie = v.split(";", 1)[0]
        csrf = json.loads(data)["csrf_token"]
        if not cookie:
            raise RuntimeError("login: no session cookie")
        return cookie, csrf

    def wait_healthy(self, p, port, timeout=120):
        t_end = time.monotonic() + timeout
        while time.monotonic() < t_end:
            if p.poll() is not None:
                raise RuntimeError(f"{p.logname}: exited with {p.returncode}\n{self.log_tail(p.logname)}")
            try:
                st, _, _ = self.http(port, "GET", "/healthz", timeout=2)
                if st == 200:
                    return
            except OSError:
                pass
            time.sleep(0.02)
        raise RuntimeError(f"{p.logname}: not healthy after {timeout} s\n{self.log_tail(p.logname)}")

    def serve(self, data_dir, logname, db_url=None, record_as=None):
        port = free_port()
        argv = [self.sextant, "serve", "--data", data_dir, "--listen", f"127.0.0.1:{port}", "--no-demo"]
        if db_url:
            argv += ["--db", db_url]
        if self.cfg["workers"]:
            argv += ["--workers", str(self.cfg["workers"])]
        if record_as:
            self.record(record_as, argv)
        p = self.start(argv, logname)
        self.wait_healthy(p, port)
        return p, port

    def user_add(self, data_dir, db_url=None):
        argv = [self.sextant, "user", "add", "bench", "--role", "admin", "--password-stdin", "--data", data_dir]
        if db_url:
            argv += ["--db", db_url]
        self.run(argv, "create the benchmark user (password on stdin)", input_text=PASSWORD)

    def scoped_setup(self, data_dir, rows):
        """A salesperson and a regional manager in a department of one subsidiary that holds
        1/SCOPED_SHARE of the customers (owned by the salesperson); the rest in another
        subsidiary. Done with the sqlite3 shell on the stopped database: seconds, not a million
        API calls."""
        for name, role in (("seller", "salesperson"), ("manager", "regional_manager")):
            argv = [self.sextant, "user", "add", name, "--role", role, "--password-stdin", "--data", data_dir]
            self.run(argv, f"create the benchmark {role} (password on stdin)", input_text=PASSWORD)
        now = "2026-01-01T00:00:00.000Z"
        sql = (
            "INSERT INTO org_units (id, parent_id, name, kind, path, created_at, updated_at) VALUES "
            f"(1, NULL, 'HQ', 'company', '/1/', '{now}', '{now}'), "
            f"(2, 1, 'South', 'subsidiary', '/1/2/', '{now}', '{now}'), "
            f"(3, 2, 'Sales', 'department', '/1/2/3/', '{now}', '{now}'), "
            f"(4, 1, 'East', 'subsidiary', '/1/4/', '{now}', '{now}');"
            "UPDATE users SET org_unit_id = 3 WHERE username IN ('seller', 'manager');"
            "UPDATE customers SET org_unit_id = 4;"
            "UPDATE customers SET owner_id = (SELECT id FROM users WHERE username = 'seller'), "
            f"org_unit_id = 3 WHERE id % {SCOPED_SHARE} = 0;")
        self.run(["sqlite3", os.path.join(data_dir, "sextant.db"), sql],
                 "place 1 % of the customers in a salesperson's department, the rest elsewhere")
        self.results["metrics"]["scoped_rows"] = rows // SCOPED_SHARE

    def reps_setup(self, data_dir):
        """FUNNEL_REPS salespeople (users 1000…) in FUNNEL_TEAMS teams (units 10…) of the East
        subsidiary, whom T6's opportunities and T7's activities belong to."""
        now = "2026-01-01T00:00:00.000Z"
        sql = (
            f"WITH RECURSIVE d(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM d WHERE k < {FUNNEL_TEAMS - 1}) "
            "INSERT INTO org_units (id, parent_id, name, kind, path, created_at, updated_at) "
            f"SELECT 10 + k, 4, 'Team ' || k, 'department', '/1/4/' || (10 + k) || '/', '{now}', '{now}' FROM d;"
            f"WITH RECURSIVE r(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM r WHERE k < {FUNNEL_REPS - 1}) "
            "INSERT INTO users (id, username, display_name, password_hash, created_at, updated_at, org_unit_id) "
            f"SELECT 1000 + k, 'rep' || k, 'Rep ' || k, '!', '{now}', '{now}', "
            f"10 + k / {FUNNEL_REPS // FUNNEL_TEAMS} FROM r;")
        self.run(["sqlite3", os.path.join(data_dir, "sextant.db"), sql],
                 f"{FUNNEL_REPS} salespeople in {FUNNEL_TEAMS} teams")

    def opportunities_setup(self, data_dir, rows):
        """T6's data: rows opportunities at every stage (sextant generate), loaded with the CLI
        import, then spread over FUNNEL_REPS salespeople in FUNNEL_TEAMS teams of the East
        subsidiary, with one in SCOPED_SHARE the benchmark salesperson's. Owners are set with
        the sqlite3 shell, so the funnel's triggers keep the totals as in any other write."""
        path = os.path.join(self.work, "opportunities.csv")
        self.generate("opportunities", rows, path)
        self.cli_import("opportunities", path, rows, data_dir, metric="import_cli_opportunities")
        os.remove(path)
        sql = (
            f"UPDATE opportunities SET owner_id = 1000 + id % {FUNNEL_REPS}, "
            f"org_unit_id = 10 + (id % {FUNNEL_REPS}) / {FUNNEL_REPS // FUNNEL_TEAMS};"
            "UPDATE opportunities SET owner_id = (SELECT id FROM users WHERE username = 'seller'), "
            f"org_unit_id = 3 WHERE id % {SCOPED_SHARE} = 1;")
        t0 = time.monotonic()
        self.run(["sqlite3", os.path.join(data_dir, "sextant.db"), sql],
                 f"spread the opportunities over {FUNNEL_REPS} salespeople in {FUNNEL_TEAMS} teams")
        self.results["metrics"]["funnel_setup"] = {"rows": rows, "owners_seconds": time.monotonic() - t0,
                                                   "reps": FUNNEL_REPS, "teams": FUNNEL_TEAMS}
        r = self.run(["sqlite3", os.path.join(data_dir, "sextant.db"),
                      "SELECT count(*), sum(n) FROM funnel_totals"])
        keys, counted = (int(x or 0) for x in r.stdout.decode().strip().split("|"))
        if counted != rows:
            self.problem(f"funnel totals count {counted:,} opportunities of {rows:,}")
        self.results["metrics"]["funnel_setup"]["total_rows"] = keys

    @staticmethod
    def activity_span():
        """The activities' first second, their span in seconds, and the first second of the last
        year (the one the report asks for), UTC."""
        def at(y):
            return int(datetime.datetime(int(y), 1, 1, tzinfo=datetime.timezone.utc).timestamp())
        start = at(ACTIVITY_YEARS[0])
        return start, at(int(ACTIVITY_YEARS[-1]) + 1) - start, at(ACTIVITY_YEARS[-1])

    @staticmethod
    def activities_sql(rows, customers):
        """One INSERT … SELECT of rows activities through a recursive CTE, for the sqlite3 shell:
        evenly over the two ACTIVITY_YEARS (the i-th row's time grows with i, as activities are
        entered), of a customer drawn by a hash, owned by FUNNEL_REPS salespeople in turn (one in
        SCOPED_SHARE by the benchmark salesperson), of a kind drawn by another hash with the shares
        of ACTIVITY_KINDS. Written as the server writes a record except for what its C code adds
        (the search tokens, the customer's last follow-up): the report reads neither. The triggers
        on activities are live, so activity_totals is kept row by row as by any other write."""
        start, span, _ = Bench.activity_span()
        cases, upto = [], 0
        for kind, share in ACTIVITY_KINDS:
            upto += share
            cases.append(f"WHEN h % 100 < {upto} THEN '{kind}'")
        now = "2026-01-01T00:00:00.000Z"
        return (
            "PRAGMA cache_size = -1000000;"  # 1 GB: the customer indexes take rows at random
            "BEGIN;"
            f"WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {rows}), "
            "g AS (SELECT i, (i * 2654435761) % 4294967291 AS h, (i * 40503 + 7) % 2147483647 AS c FROM s) "
            "INSERT INTO activities (subject, kind, occurred_at, customer_id, owner_id, org_unit_id, "
            "created_at, updated_at, version) SELECT 'Follow-up ' || i, "
            f"CASE {' '.join(cases)} END, "
            f"strftime('%Y-%m-%dT%H:%M:%fZ', {start} + (i - 1) * {span} / {rows}, 'unixepoch'), "
            f"1 + c % {customers}, "
            f"CASE WHEN i % {SCOPED_SHARE} = 1 THEN (SELECT id FROM users WHERE username = 'seller') "
            f"ELSE 1000 + i % {FUNNEL_REPS} END, "
            f"CASE WHEN i % {SCOPED_SHARE} = 1 THEN 3 ELSE 10 + (i % {FUNNEL_REPS}) / {FUNNEL_REPS // FUNNEL_TEAMS} END, "
            f"'{now}', '{now}', 1 FROM g;"
            "COMMIT;")

    def activities_setup(self, data_dir, rows):
        """T7's data: rows activities over two years by the benchmark's salespeople, written by
        one SQL statement in the sqlite3 shell with the totals' triggers live (the CLI import's
        13,000 rows/s would take thirteen minutes for ten million), then checked against
        activity_totals."""
        db = os.path.join(data_dir, "sextant.db")
        t0 = time.monotonic()
        self.run(["sqlite3", db, self.activities_sql(rows, self.cfg["customers"])],
                 f"write {rows:,} activities over {ACTIVITY_YEARS[0]}–{ACTIVITY_YEARS[-1]} "
                 "(one INSERT … SELECT, the totals' triggers live)", timeout=7200)
        secs = time.monotonic() - t0
        r = self.run(["sqlite3", db, "SELECT count(*), sum(n) FROM activity_totals"])
        keys, counted = (int(x or 0) for x in r.stdout.decode().strip().split("|"))
        if counted != rows:
            self.problem(f"activity totals count {counted:,} activities of {rows:,}")
        self.results["metrics"]["activity_setup"] = {"rows": rows, "seconds": secs, "rows_per_s": rows / secs,
                                                     "total_rows": keys, "reps": FUNNEL_REPS,
                                                     "teams": FUNNEL_TEAMS, "years": list(ACTIVITY_YEARS)}
        log(f"activities: {rows:,} rows in {secs:.1f} s = {rows / secs:,.0f} rows/s; {keys:,} rows of totals")

    def activity_runs(self, port, cookie, sp):
        """T7: one year by kind and month for the whole organisation, one team, one owner (drawn
        at random), and as the salesperson (own scope)."""
        w = self.work
        owners = os.path.join(w, "activity-owners.txt")
        with open(owners, "w") as f:
            for k in range(FUNNEL_REPS):
                f.write(f"{ACTIVITY_REPORT}&owner={1000 + k}\n")
        teams = os.path.join(w, "activity-teams.txt")
        with open(teams, "w") as f:
            for k in range(FUNNEL_TEAMS):
                f.write(f"{ACTIVITY_REPORT}&team={10 + k}\n")
        st, _, body = self.http(port, "GET", ACTIVITY_REPORT, headers={"Cookie": cookie})
        doc = json.loads(body) if st == 200 else {}
        self.results["metrics"]["activity_report"] = {"status": st, "bytes": len(body), "total": doc.get("total"),
                                                      "cells": len(doc.get("data", []))}
        # The rows of the last year, as activities_sql spreads them: the i-th at start + (i - 1) × span / rows.
        rows = self.cfg["activities"]
        start, span, last = self.activity_span()
        year = rows - -(-(last - start) * rows // span)
        self.results["metrics"]["activity_report"]["expected"] = year
        if st != 200 or doc.get("total") != year:
            self.problem(f"activity report: status {st}, total {doc.get('total')} of {year:,} in the year")
        self.wrk("warmup_activity", port, 8, path=ACTIVITY_REPORT, cookie=cookie, duration=1, record=False)
        self.wrk("activity_org_c8", port, 8, path=ACTIVITY_REPORT, cookie=cookie, sample_pid=sp)
        self.wrk("activity_team_c8", port, 8, paths_file=teams, cookie=cookie, sample_pid=sp)
        self.wrk("activity_owner_c8", port, 8, paths_file=owners, cookie=cookie, sample_pid=sp)
        c, _ = self.login(port, "seller")
        self.wrk("activity_seller_c8", port, 8, path=ACTIVITY_REPORT, cookie=c, sample_pid=sp)
        self.wrk("activity_org_c64", port, 64, path=ACTIVITY_REPORT, cookie=cookie, sample_pid=sp)
        time.sleep(1)

    def funnel_runs(self, port, cookie, sp):
        """T6: the funnel of the whole organisation, of one owner, of one team (drawn at random),
        as the salesperson (own scope), and by product (summed from the records; for information)."""
        w = self.work
        owners = os.path.join(w, "funnel-owners.txt")
        with open(owners, "w") as f:
            for k in range(FUNNEL_REPS):
                f.write(f"/api/v1/opportunities/funnel?owner={1000 + k}\n")
        teams = os.path.join(w, "funnel-teams.txt")
        with open(teams, "w") as f:
            for k in range(FUNNEL_TEAMS):
                f.write(f"/api/v1/opportunities/funnel?team={10 + k}\n")
        self.wrk("warmup_funnel", port, 8, path="/api/v1/opportunities/funnel", cookie=cookie,
                 duration=1, record=False)
        self.wrk("funnel_org_c8", port, 8, path="/api/v1/opportunities/funnel", cookie=cookie, sample_pid=sp)
        self.wrk("funnel_owner_c8", port, 8, paths_file=owners, cookie=cookie, sample_pid=sp)
        self.wrk("funnel_team_c8", port, 8, paths_file=teams, cookie=cookie, sample_pid=sp)
        c, _ = self.login(port, "seller")
        self.wrk("funnel_seller_c8", port, 8, path="/api/v1/opportunities/funnel", cookie=c, sample_pid=sp)
        # Then the heavy runs: when wrk stops, the server still has the requests it had queued
        # (at -c64, or of a second each from the records), work that would fall on the first
        # requests of the next run.
        self.wrk("funnel_org_c64", port, 64, path="/api/v1/opportunities/funnel", cookie=cookie, sample_pid=sp)
        time.sleep(1)
        self.wrk("funnel_product_c8", port, 8, path="/api/v1/opportunities/funnel?product=sport",
                 cookie=cookie, sample_pid=sp)
        time.sleep(3)

    # ---------- memory ----------

    @staticmethod
    def proc_status(pid):
        out = {}
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    k, _, v = line.partition(":")
                    if k in ("RssAnon", "RssFile", "RssShmem", "VmRSS", "VmHWM", "Threads"):
                        out[k] = int(v.split()[0])
        except OSError:
            pass
        return out

    # ---------- wrk ----------

    def wrk(self, name, port, conns, kind="paths", path=None, paths_file=None, cookie=None,
            csrf=None, maxid=None, minid=None, duration=None, sample_pid=None, record=True,
            bodies_file=None):
        duration = duration or self.cfg["duration"]
        env = {"BENCH_KIND": kind}
        if bodies_file:
            env["BENCH_BODIES"] = bodies_file
        if path:
            env["BENCH_PATH"] = path
        if paths_file:
            env["BENCH_PATHS"] = paths_file
        if cookie:
            env["BENCH_COOKIE"] = cookie
        if csrf:
            env["BENCH_CSRF"] = csrf
        if minid and minid != 1:
            env["BENCH_MINID"] = str(minid)
        if maxid:
            env["BENCH_MAXID"] = str(maxid)
        # --timeout 30s: a slow request is measured, not dropped from the percentiles as a timeout.
        argv = ["wrk", "-t2", f"-c{conns}", f"-d{duration}s", "--timeout", "30s", "-s", WRK_LUA,
                f"http://127.0.0.1:{port}"]
        if record:
            self.record(f"wrk: {name}", argv, env)
        peak = {"RssAnon": 0, "VmRSS": 0, "Threads": 0}
        stop = threading.Event()

        def sampler():
            while not stop.is_set():
                st = self.proc_status(sample_pid)
                for k in peak:
                    peak[k] = max(peak[k], st.get(k, 0))
                stop.wait(0.1)

        t = None
        if sample_pid:
            t = threading.Thread(target=sampler, daemon=True)
            t.start()
        try:
            p = self.run(argv, env=env, timeout=duration + 120)
        finally:
            stop.set()
            if t:
                t.join()
        out = p.stdout.decode(errors="replace")
        m = re.search(r"^RESULT (\{.*\})$", out, re.M)
        if not m:
            raise RuntimeError(f"wrk {name}: no RESULT line\n{out}\n{p.stderr.decode(errors='replace')}")
        res = json.loads(m.group(1))
        res["conns"] = conns
        res["rps"] = res["requests"] / (res["duration_us"] / 1e6) if res["duration_us"] else 0.0
        res["errors"] = (res["non2xx"] + res["connect_errors"] + res["read_errors"] +
                         res["write_errors"] + res["timeouts"])
        if sample_pid:
            res["rss_anon_peak_kib"] = peak["RssAnon"]
            res["rss_peak_kib"] = peak["VmRSS"]
            res["threads_peak"] = peak["Threads"]
        if record:
            self.results["runs"][name] = res
            log(f"{name:<22} c{conns:<3} {res['rps']:>9.0f} req/s  p50 {res['p50_us']/1000:7.2f} ms"
                f"  p99 {res['p99_us']/1000:8.2f} ms  errors {res['errors']}")
            if res["errors"]:
                self.problem(f"{name} (-c{conns}): {res['non2xx']} non-2xx responses, "
                             f"{res['errors'] - res['non2xx']} socket errors/timeouts "
                             f"out of {res['requests']} requests")
        return res

    # ---------- the steps ----------

    def machine(self):
        m = self.results.setdefault("machine", {})
        m["nproc"] = os.cpu_count()
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    m["mem_gib"] = round(int(line.split()[1]) / 1048576, 1)
        m["kernel"] = platform.release()
        m["cpu"] = ""
        try:
            with open("/proc/cpuinfo") as f:
                for line in f:
                    if line.startswith("model name"):
                        m["cpu"] = line.split(":", 1)[1].strip()
                        break
        except OSError:
            pass
        try:
            with open("/etc/os-release") as f:
                for line in f:
                    if line.startswith("PRETTY_NAME="):
                        m["os"] = line.split("=", 1)[1].strip().strip('"')
        except OSError:
            pass
        m["loadavg_start"] = os.getloadavg()
        self.results["date"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        rev = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
        commit = rev.stdout.strip() or "unknown"
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True).stdout.rstrip("\n")
        self.results["commit"] = commit + ("-dirty" if dirty else "")
        self.results["dirty_files"] = [ln[3:] for ln in dirty.splitlines()][:20]
        with open(self.sextant, "rb") as f:
            self.results["binary"] = {
                "sha256": hashlib.sha256(f.read()).hexdigest()[:16],
                "built": datetime.datetime.fromtimestamp(os.path.getmtime(self.sextant), datetime.timezone.utc)
                .strftime("%Y-%m-%d %H:%M:%S UTC")}
        vers = {}
        for name, argv in {"sextant": [self.sextant, "version"], "wrk": ["wrk", "-v"], "nginx": ["nginx", "-v"],
                           "sqlite": ["sqlite3", "--version"]}.items():
            try:
                p = subprocess.run(argv, capture_output=True, text=True, timeout=10)
                text = (p.stdout + p.stderr).strip().splitlines()
                vers[name] = text[0] if text else ""
            except (OSError, subprocess.TimeoutExpired):
                vers[name] = "not found"
        self.results["versions"] = vers

    def preflight(self):
        missing = [t for t in ("wrk", "nginx", "curl") if not shutil.which(t)]
        if not os.access(SEXTANT, os.X_OK):
            missing.append("build/sextant (run make build)")
        if self.cfg["pg"] and not self.pg_bin("pgbench"):
            missing.append("PostgreSQL server and pgbench")
        if missing:
            raise RuntimeError("missing: " + ", ".join(missing) + " — tools/deps.sh test installs them")

    @staticmethod
    def pg_bin(name):
        cands = sorted((d for d in os.listdir("/usr/lib/postgresql") if d.isdigit()), key=int) \
            if os.path.isdir("/usr/lib/postgresql") else []
        for d in reversed(cands):
            p = f"/usr/lib/postgresql/{d}/bin/{name}"
            if os.access(p, os.X_OK):
                return p
        return shutil.which(name)

    def generate(self, entity, n, path, seed=None, first=1):
        """n rows numbered from first (a row's number makes its tax ID, e-mail and web site)."""
        seed = self.cfg["seed"] if seed is None else seed
        self.run([self.sextant, "generate", entity, str(n), str(seed), str(first)],
                 f"generate {n:,} {entity} (seed {seed}, from row {first:,})", stdout_file=path)

    def post_csv(self, port, cookie, csrf, csv_path, query, what, during=None):
        """POST a CSV to the customers' import with curl: (HTTP status, seconds, the JSON answer,
        curl's stderr). during: a context manager around the request (a memory sampler)."""
        report_path = os.path.join(self.work, "import-report.json")
        argv = ["curl", "-sS", "-o", report_path,
                "-w", "%{http_code} %{time_total}", "-H", f"Cookie: {cookie}", "-H", f"X-CSRF-Token: {csrf}",
                "-H", "Content-Type: text/csv", "--data-binary", "@" + csv_path,
                f"http://127.0.0.1:{port}/api/v1/customers/import{query}"]
        shown = [a if not a.startswith(("Cookie:", "X-CSRF")) else a.split(":")[0] + ": …" for a in argv]
        self.record(what, shown)
        t0 = time.monotonic()
        with during if during else contextlib.nullcontext():
            r = self.run(argv, timeout=7200, check=False)
        wall = time.monotonic() - t0
        code, _, ttotal = r.stdout.decode().strip().partition(" ")
        try:
            with open(report_path) as f:
                report = json.load(f)
        except (OSError, ValueError):
            report = {}
        return code, float(ttotal or wall), report, r.stderr.decode(errors="replace")

    def dry_run_import(self, port, cookie, csrf, rows):
        """T9 with the duplicate check: the dry run of an import of new customers checked against
        the loaded base and the file's earlier rows, which is where an import's duplicate report
        comes from. The file goes on from the base (another seed, rows numbered after it): other
        companies, with their own tax IDs, mail and sites, of the same trades and places, so
        some of their names are like names in the base, as in a real import."""
        path = os.path.join(self.work, "customers-dry.csv")
        self.generate("customers", rows, path, seed=self.cfg["seed"] + 1,
                      first=self.cfg["customers"] + 1)
        # Timed after a warm-up, as the other runs are (wrk's runs after theirs): the first run
        # also reads from disk the pages of the base the page cache has not kept, which is
        # reported beside it.
        _, cold, _, _ = self.post_csv(
            port, cookie, csrf, path, "?dry_run=true",
            f"T9 warm-up: the same dry run once, untimed")
        code, secs, report, _ = self.post_csv(
            port, cookie, csrf, path, "?dry_run=true",
            f"T9: the dry run of an import of {rows:,} new customers, with the duplicate check")
        m = {"rows": rows, "seconds": secs, "rows_per_s": rows / secs, "status": code,
             "valid": report.get("valid"), "duplicate_rows": report.get("duplicate_rows"),
             "base": self.cfg["customers"], "first_seconds": cold}
        self.results["metrics"]["import_dry_run"] = m
        log(f"dry run with the duplicate check: {code}, {rows:,} rows in {secs:.2f} s = {rows / secs:,.0f} rows/s "
            f"(the first run: {cold:.2f} s), "
            f"{m['duplicate_rows']} rows with look-alikes")
        if code != "200" or m["duplicate_rows"] is None:
            self.problem(f"dry run: status {code}; {json.dumps(report)[:300]}")

    def cli_import(self, entity, path, rows, data_dir, db_url=None, metric=None, timeout=7200, what=None):
        argv = [self.sextant, "import", entity, path, "--data", data_dir]
        if db_url:
            argv += ["--db", db_url]
        t0 = time.monotonic()
        p = self.run(argv, what or f"load {rows:,} {entity} with the CLI import", timeout=timeout)
        secs = time.monotonic() - t0
        out = p.stdout.decode(errors="replace").strip().splitlines()
        report = {}
        for line in reversed(out):
            if line.startswith("{"):
                report = json.loads(line)
                break
        created = report.get("created")
        if created != rows:
            self.problem(f"CLI import of {entity}: created {created} of {rows} rows")
        log(f"CLI import {entity}: {rows:,} rows in {secs:.1f} s = {rows / secs:,.0f} rows/s")
        if metric:
            self.results["metrics"][metric] = {"rows": rows, "seconds": secs, "rows_per_s": rows / secs,
                                               "created": created}
        return secs

    def nginx_start(self, files):
        d = os.path.join(self.work, "nginx")
        www = os.path.join(d, "www")
        os.makedirs(www)
        os.makedirs(os.path.join(d, "logs"))
        os.makedirs(os.path.join(d, "tmp"))
        for name, data in files.items():
            with open(os.path.join(www, name), "wb") as f:
                f.write(data)
        # As root the workers run as "nobody": they must be able to read the files.
        for root, dirs, fs in os.walk(d):
            os.chmod(root, 0o755)
            for f in fs:
                os.chmod(os.path.join(root, f), 0o644)
        port = free_port()
        conf = f"""worker_processes auto;
daemon off;
pid {d}/nginx.pid;
error_log {d}/logs/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_requests 1000000;
    keepalive_timeout 65;
    client_body_temp_path {d}/tmp/body;
    proxy_temp_path {d}/tmp/proxy;
    fastcgi_temp_path {d}/tmp/fastcgi;
    uwsgi_temp_path {d}/tmp/uwsgi;
    scgi_temp_path {d}/tmp/scgi;
    types {{ application/json json; }}
    default_type application/json;
    server {{
        listen 127.0.0.1:{port};
        root {www};
    }}
}}
"""
        with open(os.path.join(d, "nginx.conf"), "w") as f:
            f.write(conf)
        self.results["nginx_conf"] = conf.replace(self.work, "$WORK")
        argv = ["nginx", "-p", d, "-e", f"{d}/logs/error.log", "-c", f"{d}/nginx.conf"]
        self.record("start nginx (configuration below)", argv)
        p = self.start(argv, "nginx.log")
        t_end = time.monotonic() + 20
        while True:
            if p.poll() is not None:
                raise RuntimeError("nginx exited:\n" + self.log_tail("nginx.log") +
                                   self.log_tail("nginx/logs/error.log"))
            try:
                sizes = {}
                for name, data in files.items():
                    st, _, body = self.http(port, "GET", "/" + name, timeout=2)
                    if st != 200 or len(body) != len(data):
                        raise RuntimeError(f"nginx /{name}: {st}, {len(body)} bytes")
                    sizes[name] = len(body)
                return p, port
            except (OSError, RuntimeError) as e:
                if time.monotonic() > t_end:
                    raise RuntimeError(f"nginx not serving: {e}\n" + self.log_tail("nginx/logs/error.log"))
                time.sleep(0.05)

    def walk_cursors(self, port, cookie):
        """T3: walk the T2 query to the end with big id-only pages; keep the cursors of the deeper half."""
        base = "/api/v1/customers?level=b&sort=-updated_at&limit=200&fields=id&total=none"
        cursors = []  # (rows before the page, cursor)
        rows = 0
        cursor = None
        t0 = time.monotonic()
        page_ms = []
        while True:
            path = base + ("&cursor=" + urllib.parse.quote(cursor) if cursor else "")
            tp = time.perf_counter()
            st, _, data = self.http(port, "GET", path, headers={"Cookie": cookie})
            page_ms.append((time.perf_counter() - tp) * 1000)
            if st != 200:
                raise RuntimeError(f"cursor walk: {st} {data[:300]!r}")
            doc = json.loads(data)
            rows += len(doc["data"])
            cursor = doc.get("next_cursor")
            if not cursor or not doc["data"]:
                break
            cursors.append((rows, cursor))
        secs = time.monotonic() - t0
        deep = [c for c in cursors if c[0] >= rows // 2]
        step = max(1, len(deep) // 64)
        deep = deep[::step][:64]
        self.record("T3: walk the T2 query to its end by next_cursor (limit=200, fields=id, total=none), "
                    "keep the cursors of the deeper half", ["GET", base + "&cursor=…"])
        log(f"cursor walk: {rows:,} rows matched, {len(cursors) + 1} pages in {secs:.1f} s; "
            f"{len(deep)} deep cursors")
        k = max(1, min(10, len(page_ms) // 10))
        sort_values = []
        for c in (cursors[0][1], cursors[-1][1]) if cursors else ():
            try:  # the cursor is opaque; decoded only to show the sort values in the report
                sort_values.append(json.loads(base64.urlsafe_b64decode(c + "=" * (-len(c) % 4))).get("v"))
            except ValueError:
                pass
        self.results["metrics"]["deep"] = {"rows_matching": rows, "cursors": len(deep),
                                           "walk_first_ms": statistics.median(page_ms[:k]),
                                           "walk_last_ms": statistics.median(page_ms[-k:]),
                                           "walk_sort_values": sort_values,
                                           "depth_min": deep[0][0] if deep else 0,
                                           "depth_max": deep[-1][0] if deep else 0,
                                           "walk_seconds": secs, "walk_pages": len(cursors) + 1}
        return [c for _, c in deep]

    def match_probes(self, port, cookie, csrf, n, path, count=400):
        """T8's bodies: variants of existing customers as people type them (another legal form,
        no city, traditional-looking spacing, the phone in another spelling, the tax ID in lower
        case), and names that match nobody. Also a look at what they find (not timed)."""
        bodies = []
        step = max(1, n // count)
        for i in range(count):
            st, _, body = self.http(port, "GET", f"/api/v1/customers/{1 + i * step}",
                                    headers={"Cookie": cookie})
            if st != 200:
                continue
            c = json.loads(body)
            name, phone, tax = c.get("name") or "", c.get("phone") or "", c.get("tax_id") or ""
            kind = i % 5
            if kind == 0:
                bodies.append({"name": name.replace("有限公司", "股份有限公司")})
            elif kind == 1:
                bodies.append({"name": name[2:] if len(name) > 6 else name, "address": c.get("address")})
            elif kind == 2:
                bodies.append({"name": name, "phone": phone.replace("-", " ")})
            elif kind == 3:
                bodies.append({"tax_id": tax.lower(), "email": c.get("email")})
            else:
                bodies.append({"name": f"测试无此客户{i}号科技有限公司", "phone": f"0999-{i:08d}"})
        with open(path, "w") as f:
            for b in bodies:
                f.write(json.dumps(b, ensure_ascii=False) + "\n")
        found = 0
        for b in bodies[:50]:
            st, _, body = self.http(port, "POST", "/api/v1/customers/match",
                                    body=json.dumps(b).encode(),
                                    headers={"Cookie": cookie, "X-CSRF-Token": csrf,
                                             "Content-Type": "application/json"})
            if st == 200 and json.loads(body).get("data"):
                found += 1
        self.results["metrics"]["match_probes"] = {"bodies": len(bodies), "found_of_first_50": found}
        self.record("T8: bodies for the duplicate check: 400 customers spread over the table, each "
                    "typed one of five ways (another legal form; without the first two characters "
                    "and with the address; with the phone spaced; the tax ID in lower case with the "
                    "e-mail; a name and phone of no one)", ["(see bench.py match_probes)"])
        return path

    def cold_start(self, data_dir, cookie, runs):
        """T12: from exec of `sextant serve` to the first 200 of /healthz, then of an API read."""
        health, api = [], []
        for i in range(runs):
            port = free_port()
            argv = [self.sextant, "serve", "--data", data_dir, "--listen", f"127.0.0.1:{port}", "--no-demo"]
            if self.cfg["workers"]:
                argv += ["--workers", str(self.cfg["workers"])]
            if i == 0:
                self.record(f"T12: cold start, {runs} times: exec, then poll /healthz and "
                            "GET /api/v1/customers/1 every ms", argv)
            t0 = time.perf_counter()
            p = self.start(argv, "coldstart.log")
            th = ta = None
            t_end = time.monotonic() + 60
            while time.monotonic() < t_end:
                if p.poll() is not None:
                    raise RuntimeError("cold start: server exited\n" + self.log_tail("coldstart.log"))
                try:
                    if th is None:
                        st, _, _ = self.http(port, "GET", "/healthz", timeout=5)
                        if st == 200:
                            th = time.perf_counter() - t0
                            continue
                    else:
                        st, _, _ = self.http(port, "GET", "/api/v1/customers/1",
                                             headers={"Cookie": cookie}, timeout=5)
                        if st == 200:
                            ta = time.perf_counter() - t0
                            break
                        if st not in (502, 503):
                            raise RuntimeError(f"cold start: GET /api/v1/customers/1 → {st}")
                except OSError:
                    pass
                time.sleep(0.001)
            self.stop(p)
            if th is None or ta is None:
                raise RuntimeError("cold start: no answer within 60 s")
            health.append(th * 1000)
            api.append(ta * 1000)
        log(f"cold start: healthz median {statistics.median(health):.1f} ms, first API read median "
            f"{statistics.median(api):.1f} ms")
        self.results["metrics"]["cold_start"] = {"healthz_ms": health, "api_ms": api,
                                                 "healthz_median_ms": statistics.median(health),
                                                 "api_median_ms": statistics.median(api)}

    def http_import(self, csv_path, rows):
        """T9: a fresh data folder, a fresh server, POST the CSV with curl."""
        data_dir = os.path.join(self.work, "import-data")
        self.user_add(data_dir)
        p, port = self.serve(data_dir, "serve-import.log", record_as="T9: serve a fresh database")
        cookie, csrf = self.login(port)
        peak = [0]

        @contextlib.contextmanager
        def sampler():
            stop = threading.Event()

            def sample():
                while not stop.is_set():
                    peak[0] = max(peak[0], self.proc_status(p.pid).get("RssAnon", 0))
                    stop.wait(0.1)

            t = threading.Thread(target=sample, daemon=True)
            t.start()
            try:
                yield
            finally:
                stop.set()
                t.join()

        code, secs, report, err = self.post_csv(port, cookie, csrf, csv_path, "",
                                                f"T9: import {rows:,} customers over HTTP", during=sampler())
        time.sleep(0.5)
        rss_after = self.proc_status(p.pid).get("RssAnon", 0)
        created = report.get("created")
        m = {"rows": rows, "seconds": secs, "rows_per_s": rows / secs, "status": code,
             "created": created, "rss_anon_peak_kib": peak[0], "rss_anon_after_kib": rss_after,
             "bytes": os.path.getsize(csv_path)}
        self.results["metrics"]["import_http"] = m
        log(f"HTTP import: {code}, {created} of {rows:,} rows in {secs:.1f} s = {rows / secs:,.0f} rows/s")
        if code != "200" or created != rows:
            self.problem(f"HTTP import: status {code}, created {created} of {rows} rows; "
                         f"curl: {err[:300]} {json.dumps(report)[:300]}")
        self.stop(p)
        if code == "200" and created == rows:
            self.import_floor(data_dir, rows)

    def import_floor(self, imported_dir, rows):
        """T9's reference: SQLite itself writing what the import wrote, into a fresh database.

        The same rows, with the same indexes, foreign keys, audit rows, full-text entries and
        duplicate-check keys, in one transaction, by the sqlite3 shell copying them from the imported database: no CSV, no
        checks, no SQL text. `WHERE id > 0` keeps SQLite from its transfer optimisation (a page
        copy, which no real import can use). What the import spends beyond this is ours.
        """
        floor_dir = os.path.join(self.work, "floor-data")
        self.user_add(floor_dir)  # migrates, and the user the audit rows and created_by name
        src = os.path.join(imported_dir, "sextant.db")
        script = "\n".join([
            "PRAGMA journal_mode=WAL;", "PRAGMA synchronous=FULL;", "PRAGMA foreign_keys=ON;",
            "PRAGMA mmap_size=0;", "PRAGMA cache_size=-16384;",
            # The import leaves its checkpoint to after the answer (db_settle): so does this.
            "PRAGMA wal_autocheckpoint=0;",
            f"ATTACH '{src}' AS src;",
            "BEGIN IMMEDIATE;",
            "INSERT INTO main.customers SELECT * FROM src.customers WHERE id > 0;",
            "INSERT INTO main.sys_audit SELECT * FROM src.sys_audit WHERE entity = 'customers';",
            "INSERT INTO main.customers_fts(rowid, search_tokens) SELECT id, search_tokens FROM src.customers;",
            "INSERT INTO main.match_keys SELECT * FROM src.match_keys ORDER BY code, record_id;",
            "COMMIT;", ""])
        script_path = os.path.join(self.work, "import-floor.sql")
        with open(script_path, "w") as f:
            f.write(script)
        argv = ["sqlite3", os.path.join(floor_dir, "sextant.db")]
        t0 = time.monotonic()
        self.run(argv, "T9 reference: the sqlite3 shell writes the imported rows again, into a fresh database",
                 stdin_file=script_path)
        secs = time.monotonic() - t0
        q = self.run(["sqlite3", os.path.join(floor_dir, "sextant.db"),
                      "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'customers' "
                      "AND sql IS NOT NULL"])
        self.results["metrics"]["import_floor"] = {"rows": rows, "seconds": secs, "rows_per_s": rows / secs,
                                                   "indexes": int(q.stdout.decode().strip() or 0),
                                                   "script": script.replace(self.work, "$WORK")}
        log(f"import floor: {rows:,} rows in {secs:.1f} s = {rows / secs:,.0f} rows/s")

    def psql(self, url, *sql, what=None):
        argv = [self.pg_bin("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", url]
        for q in sql:
            argv += ["-c", q]
        return self.run(argv, what)

    def pg_slow_statements(self):
        """Slow statements (and auto_explain plans) the server logged: a short text for the report."""
        try:
            with open(os.path.join(self.pg_dir, "server.log"), errors="replace") as f:
                text = f.read()
        except OSError:
            return ""
        counts = {}
        for m in re.finditer(r"duration: ([\d.]+) ms\s+execute \S+: (.{0,90})", text):
            c = counts.setdefault(m.group(2).strip(), [0, 0.0])
            c[0] += 1
            c[1] = max(c[1], float(m.group(1)))
        if not counts:
            return ""
        # Batch INSERTs of 500 rows take tens of ms anyway; a slow lookup is the interesting part.
        lookups = {k: v for k, v in counts.items() if not k.upper().startswith("INSERT")} or counts
        stmt, (n, worst) = max(lookups.items(), key=lambda kv: kv[1][0])
        out = (f"the server logged {n:,} executions of `{stmt}…` slower than 20 ms during the import "
               f"(the slowest {worst:.0f} ms)")
        key = stmt[:40]
        for m in re.finditer(r"plan:\n\s*Query Text: (.*)\n((?:\t.*\n)+)", text):
            if m.group(1).startswith(key):
                plan = " ".join(ln.strip() for ln in m.group(2).splitlines())
                out += f"; auto_explain shows the plan: `{plan}`"
                break
        return out

    def pg_load(self, url, csv_path, rows, data_dir):
        """Load customers into PostgreSQL with the CLI import, under a watchdog.

        The import has been seen to go quadratic on PostgreSQL (a cached generic plan of the per-row
        tax_id check that scans another index). Slow statements are logged with their plans while it
        runs; if it overruns, that is reported and the data are loaded in two parts with an ANALYZE
        between them, so that T11 can still be measured."""
        limit = env_int("BENCH_PG_IMPORT_TIMEOUT", max(60, rows // 2000))
        # Log slow statements and their plans for the import only (reset before the load runs).
        self.psql(url, "LOAD 'auto_explain'", "ALTER SYSTEM SET session_preload_libraries = 'auto_explain'",
                  "ALTER SYSTEM SET auto_explain.log_min_duration = '20ms'",
                  "ALTER SYSTEM SET log_min_duration_statement = 20",
                  "ALTER SYSTEM SET log_parameter_max_length = 0", "SELECT pg_reload_conf()",
                  what="T11: log statements over 20 ms, with auto_explain plans, during the import only")
        try:
            self.cli_import("customers", csv_path, rows, data_dir, db_url=url, metric="import_cli_pg",
                            timeout=limit, what=f"load {rows:,} customers into PostgreSQL with the CLI import "
                            f"(watchdog {limit} s)")
        except subprocess.TimeoutExpired:
            evidence = self.pg_slow_statements()
            self.problem(f"PostgreSQL CLI import of {rows:,} customers did not finish within {limit} s "
                         f"(expected ≈ {rows / 6000:.0f} s at the 6,000 rows/s seen otherwise) and was stopped. "
                         + (evidence + ". " if evidence else "") +
                         "To measure T11 anyway, the rows were then loaded in two imports with an ANALYZE "
                         "of the table between them.")
            self.results["metrics"]["import_cli_pg"] = {"rows": rows, "seconds": float(limit), "rows_per_s": 0.0,
                                                        "created": 0, "timed_out": True}
            head = os.path.join(self.work, "customers-pg-head.csv")
            tail = os.path.join(self.work, "customers-pg-tail.csv")
            with open(csv_path, "rb") as f, open(head, "wb") as h, open(tail, "wb") as t:
                header = f.readline()
                h.write(header)
                t.write(header)
                for i, line in enumerate(f):
                    (h if i < 1000 else t).write(line)
            self.cli_import("customers", head, min(1000, rows), data_dir, db_url=url,
                            what="workaround: load the first 1,000 rows")
            self.psql(url, "ANALYZE customers", what="workaround: ANALYZE customers")
            if rows > 1000:
                self.cli_import("customers", tail, rows - 1000, data_dir, db_url=url, metric="import_cli_pg_rest",
                                timeout=max(120, rows // 500), what="workaround: load the other rows")
        finally:
            self.psql(url, "ALTER SYSTEM RESET session_preload_libraries", "ALTER SYSTEM RESET auto_explain.log_min_duration",
                      "ALTER SYSTEM RESET log_min_duration_statement", "ALTER SYSTEM RESET log_parameter_max_length",
                      "SELECT pg_reload_conf()")

    def postgres(self, customers_csv):
        cfg = self.cfg
        rows = cfg["pg_rows"]
        self.pg_dir = os.path.join(self.work, "pg")
        log("PostgreSQL: starting a temporary cluster")
        r = self.run([PG_TEMP, "start", self.pg_dir], "T11: start a temporary PostgreSQL 15 "
                     "(fsync off, shared_buffers 256MB; see tools/pg-temp.sh)")
        url = r.stdout.decode().strip().splitlines()[-1]
        port = open(os.path.join(self.pg_dir, "port")).read().strip()
        pg = ["-h", "127.0.0.1", "-p", port, "-U", "sextant"]
        self.run([self.pg_bin("createdb")] + pg + ["pgbench"], "T11: a database for pgbench")
        scale = max(1, round(rows / 100_000))
        self.run([self.pg_bin("pgbench")] + pg + ["-i", "-q", "-s", str(scale), "pgbench"],
                 f"T11: pgbench -i, scale {scale} ({scale * 100_000:,} accounts, as many rows as sextant's)")
        argv = [self.pg_bin("pgbench")] + pg + ["-S", "-M", "prepared", "-c8", "-j2", "-T", str(cfg["duration"]),
                                                "pgbench"]
        r = self.run(argv, "T11: reference, pgbench built-in select-only script, prepared, -c8 -j2")
        out = r.stdout.decode()
        m = re.search(r"tps = ([\d.]+) \(without initial connection time\)", out) or \
            re.search(r"tps = ([\d.]+)", out)
        lat = re.search(r"latency average = ([\d.]+) ms", out)
        tps = float(m.group(1)) if m else 0.0
        self.results["metrics"]["pgbench"] = {"tps": tps, "scale": scale,
                                              "latency_avg_ms": float(lat.group(1)) if lat else None}
        log(f"pgbench select-only: {tps:,.0f} TPS")

        pg_csv = customers_csv
        if rows != cfg["customers"]:
            pg_csv = os.path.join(self.work, "customers-pg.csv")
            self.generate("customers", rows, pg_csv)
        data_dir = os.path.join(self.work, "pg-data")
        self.pg_load(url, pg_csv, rows, data_dir)
        # Steady state, as autovacuum would leave it (pgbench -i vacuums its tables too).
        # Index-only counts need the visibility map. A vacuum that overlaps autovacuum's own
        # ANALYZE of the fresh table (which holds a snapshot) can mark nothing all-visible, and
        # then every counted row costs a heap visit: vacuum again until the map is set.
        for attempt in range(1, 6):
            self.psql(url, "VACUUM ANALYZE customers", what="T11: VACUUM ANALYZE after the load" if attempt == 1 else None)
            r = self.run([self.pg_bin("psql"), "-X", "-At", url, "-c",
                          "SELECT relpages, relallvisible FROM pg_class WHERE relname = 'customers'"])
            pages, visible = (int(x) for x in r.stdout.decode().strip().split("|"))
            log(f"PostgreSQL: customers {pages:,} pages, {visible:,} all-visible after VACUUM ({attempt})")
            if visible >= pages * 0.99:
                break
            time.sleep(2)
        else:
            self.note(f"PostgreSQL: after five VACUUMs only {visible:,} of {pages:,} customer pages were all-visible.")
        self.user_add(data_dir, db_url=url)
        p, sport = self.serve(data_dir, "serve-pg.log", db_url=url, record_as="T11: serve on PostgreSQL")
        cookie, _ = self.login(sport)
        # The ids: a stopped import leaves a gap in the sequence.
        r = self.run([self.pg_bin("psql"), "-X", "-At", url, "-c",
                      "SELECT min(id), max(id), count(*) FROM customers WHERE deleted_at IS NULL"])
        lo, hi, cnt = (int(x) for x in r.stdout.decode().strip().split("|"))
        if hi - lo + 1 != cnt:
            self.note(f"PostgreSQL: customer ids {lo}..{hi} are not contiguous ({cnt:,} rows); some gets are 404s.")
        ids = dict(kind="get", cookie=cookie, minid=lo, maxid=hi)
        self.wrk("pg_warmup", sport, 8, duration=1, record=False, **ids)
        self.wrk("pg_get_c8", sport, 8, sample_pid=p.pid, **ids)
        self.wrk("pg_get_c64", sport, 64, sample_pid=p.pid, **ids)
        self.wrk("pg_list_c8", sport, 8, path=T2_QUERY, cookie=cookie, sample_pid=p.pid)
        self.wrk("pg_list_c64", sport, 64, path=T2_QUERY, cookie=cookie, sample_pid=p.pid)
        self.wrk("pg_list_total_c8", sport, 8, path=T2_WITH_TOTAL, cookie=cookie, sample_pid=p.pid)
        self.stop(p)
        self.results["metrics"]["pg_rows"] = rows

    def main(self):
        cfg = self.cfg
        self.preflight()
        self.work = tempfile.mkdtemp(prefix="sextant-bench.")
        os.chmod(self.work, 0o711)  # nginx workers and PostgreSQL (not root) go through it
        # The checkout may be rebuilt while this runs: every step uses one private copy of the binary.
        self.sextant = os.path.join(self.work, "sextant")
        shutil.copy2(SEXTANT, self.sextant)
        self.machine()
        log(f"mode {self.mode}: {cfg['customers']:,} customers, {cfg['contacts']:,} contacts, "
            f"{cfg['duration']} s per run; work folder {self.work}")
        w = self.work
        t_start = time.monotonic()

        # Data
        customers_csv = os.path.join(w, "customers.csv")
        self.generate("customers", cfg["customers"], customers_csv)
        data_dir = os.path.join(w, "data")
        self.cli_import("customers", customers_csv, cfg["customers"], data_dir, metric="import_cli")
        if cfg["contacts"]:
            contacts_csv = os.path.join(w, "contacts.csv")
            self.generate("contacts", cfg["contacts"], contacts_csv)
            self.cli_import("contacts", contacts_csv, cfg["contacts"], data_dir, metric="import_cli_contacts")
            os.remove(contacts_csv)
        self.results["metrics"]["db_bytes"] = sum(
            os.path.getsize(os.path.join(data_dir, f)) for f in os.listdir(data_dir)
            if os.path.isfile(os.path.join(data_dir, f)))
        self.user_add(data_dir)
        self.scoped_setup(data_dir, cfg["customers"])
        if cfg["opportunities"] or cfg["activities"]:
            self.reps_setup(data_dir)
        if cfg["opportunities"]:
            self.opportunities_setup(data_dir, cfg["opportunities"])
        if cfg["activities"]:
            self.activities_setup(data_dir, cfg["activities"])

        # Server, idle memory, the real list page
        p, port = self.serve(data_dir, "serve.log", record_as="serve the loaded database")
        cookie, csrf = self.login(port)
        time.sleep(1)
        self.results["metrics"]["rss_idle_start"] = self.proc_status(p.pid)
        st, _, page = self.http(port, "GET", T2_QUERY, headers={"Cookie": cookie})
        if st != 200:
            raise RuntimeError(f"GET {T2_QUERY}: {st} {page[:300]!r}")
        doc = json.loads(page)
        st, _, counted = self.http(port, "GET", T2_WITH_TOTAL, headers={"Cookie": cookie})
        doc["total"], doc["total_exact"] = json.loads(counted).get("total"), json.loads(counted).get("total_exact")
        st, _, one = self.http(port, "GET", "/api/v1/customers/1", headers={"Cookie": cookie})
        st2, _, wide = self.http(port, "GET", LIST_BASE + "&total=none", headers={"Cookie": cookie})
        self.results["metrics"]["list_page"] = {
            "bytes": len(page), "rows": len(doc.get("data", [])), "total": doc.get("total"),
            "total_exact": doc.get("total_exact"), "get_bytes": len(one), "wide_bytes": len(wide),
            "fields_per_row": len(doc["data"][0]) if doc.get("data") else 0}
        log(f"list page: {len(page):,} bytes for {len(doc.get('data', []))} rows "
            f"(total {doc.get('total')}, exact {doc.get('total_exact')}); one record {len(one):,} bytes")
        small = b'{"id":1,"name":"ok","v":1}\n'
        assert len(small) == 27
        ref11k = (b'{"data":"' + b"x" * (10_900 - 12) + b'"}\n')
        assert len(ref11k) == 10_900
        ngx, nport = self.nginx_start({"small.json": small, "list.json": page, "list-10900.json": ref11k})

        deep = self.walk_cursors(port, cookie)
        deep_file = os.path.join(w, "deep-paths.txt")
        with open(deep_file, "w") as f:
            for c in deep:
                f.write(T2_QUERY + "&cursor=" + urllib.parse.quote(c) + "\n")
        search_file = os.path.join(w, "search-paths.txt")
        with open(search_file, "w") as f:
            for q in SEARCH_TERMS:
                f.write("/api/v1/customers?q=" + urllib.parse.quote(q) + "&limit=50\n")
        search_nototal_file = os.path.join(w, "search-nototal-paths.txt")
        with open(search_nototal_file, "w") as f:
            for q in SEARCH_TERMS:
                f.write("/api/v1/customers?q=" + urllib.parse.quote(q) + "&limit=50&total=none\n")
        self.results["search_terms"] = SEARCH_TERMS
        self.results["t2_query"] = T2_QUERY
        # A look at what the searches match (not timed).
        matches = {}
        for q in SEARCH_TERMS:
            st, _, body = self.http(port, "GET", "/api/v1/customers?q=" + urllib.parse.quote(q) + "&limit=1",
                                    headers={"Cookie": cookie})
            d = json.loads(body) if st == 200 else {}
            matches[q] = [d.get("total"), d.get("total_exact")] if st == 200 else st
        self.results["metrics"]["search_matches"] = matches

        sp = p.pid
        n = cfg["customers"]
        log("load: warm-up")
        self.wrk("warmup_get", port, 8, kind="get", cookie=cookie, maxid=n, duration=1, record=False)
        self.wrk("warmup_list", port, 8, path=T2_QUERY, cookie=cookie, duration=1, record=False)

        self.wrk("nginx_27b_c64", nport, 64, path="/small.json")
        self.wrk("nginx_27b_c8", nport, 8, path="/small.json")
        self.wrk("get_c64", port, 64, kind="get", cookie=cookie, maxid=n, sample_pid=sp)
        self.wrk("get_c8", port, 8, kind="get", cookie=cookie, maxid=n, sample_pid=sp)

        self.wrk("nginx_list_c64", nport, 64, path="/list.json")
        self.wrk("nginx_list_c8", nport, 8, path="/list.json")
        self.wrk("nginx_10900_c64", nport, 64, path="/list-10900.json")
        self.wrk("list_c64", port, 64, path=T2_QUERY, cookie=cookie, sample_pid=sp)
        self.wrk("list_c8", port, 8, path=T2_QUERY, cookie=cookie, sample_pid=sp)
        self.wrk("list_total_c64", port, 64, path=T2_WITH_TOTAL, cookie=cookie, sample_pid=sp)
        self.wrk("list_total_c8", port, 8, path=T2_WITH_TOTAL, cookie=cookie, sample_pid=sp)
        self.wrk("list_wide_c64", port, 64, path=LIST_BASE + "&total=none", cookie=cookie, sample_pid=sp)
        self.wrk("deep_c64", port, 64, paths_file=deep_file, cookie=cookie, sample_pid=sp)
        self.wrk("deep_c8", port, 8, paths_file=deep_file, cookie=cookie, sample_pid=sp)
        self.wrk("search_c64", port, 64, paths_file=search_file, cookie=cookie, sample_pid=sp)
        self.wrk("search_c8", port, 8, paths_file=search_file, cookie=cookie, sample_pid=sp)
        self.wrk("search_nototal_c8", port, 8, paths_file=search_nototal_file, cookie=cookie, sample_pid=sp)
        for who, scope in (("seller", "own"), ("manager", "subsidiary")):
            c, _ = self.login(port, who)
            self.wrk(f"list_{scope}_c8", port, 8, path=SCOPED_BASE + "&total=none", cookie=c, sample_pid=sp)
            self.wrk(f"list_{scope}_total_c8", port, 8, path=SCOPED_BASE, cookie=c, sample_pid=sp)
        # T8: the duplicate check, with what people type for customers that exist (and for some
        # that do not).
        match_file = self.match_probes(port, cookie, csrf, n, os.path.join(w, "match-bodies.txt"))
        # Warmed up like the reads above: the check's own tables are read for the first time here.
        self.wrk("warmup_match", port, 8, kind="match", bodies_file=match_file, cookie=cookie, csrf=csrf,
                 duration=1, record=False)
        self.wrk("match_c8", port, 8, kind="match", bodies_file=match_file, cookie=cookie, csrf=csrf,
                 sample_pid=sp)
        self.wrk("match_c64", port, 64, kind="match", bodies_file=match_file, cookie=cookie, csrf=csrf,
                 sample_pid=sp)
        if cfg["opportunities"]:
            self.funnel_runs(port, cookie, sp)
        if cfg["activities"]:
            self.activity_runs(port, cookie, sp)
        self.dry_run_import(port, cookie, csrf, cfg["dry_rows"])
        # Writes last: they change what the lists above return.
        self.wrk("create_c64", port, 64, kind="create", cookie=cookie, csrf=csrf, sample_pid=sp)
        self.wrk("create_c8", port, 8, kind="create", cookie=cookie, csrf=csrf, sample_pid=sp)
        time.sleep(2)
        self.results["metrics"]["rss_idle_after"] = self.proc_status(p.pid)
        self.stop(p)
        self.stop(ngx, sig=signal.SIGQUIT)

        # T12 on the loaded database (the session made above is in the database and still valid)
        self.cold_start(data_dir, cookie, cfg["cold_runs"])

        # T9 over HTTP, on a fresh database
        http_csv = customers_csv
        if cfg["http_rows"] != n:
            http_csv = os.path.join(w, "customers-http.csv")
            self.generate("customers", cfg["http_rows"], http_csv)
        self.http_import(http_csv, cfg["http_rows"])

        # T11
        if cfg["pg"]:
            self.postgres(customers_csv)
        else:
            self.note("PostgreSQL part skipped (BENCH_PG=0).")

        self.results["machine"]["loadavg_end"] = os.getloadavg()
        self.results["elapsed_s"] = time.monotonic() - t_start


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "quick"
    if mode not in MODES:
        print("usage: bench/run.sh quick|full", file=sys.stderr)
        return 2
    out_dir = os.path.join(BENCH, "out")
    default_md = os.path.join(ROOT, "docs", "BENCHMARKS.md") if mode == "full" else \
        os.path.join(out_dir, "BENCHMARKS-quick.md")
    out_md = os.environ.get("BENCH_OUT") or default_md
    b = Bench(mode)

    def on_signal(signum, frame):
        raise Interrupted(signal.Signals(signum).name)

    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, on_signal)
    failed = None
    try:
        b.main()
    except Interrupted as e:
        print(f"bench: interrupted ({e}), cleaning up", file=sys.stderr)
        return 130  # the finally clause below cleans up
    except Exception as e:  # report what was measured so far, then fail
        failed = f"{type(e).__name__}: {e}"
        print(f"bench: FAILED: {failed}", file=sys.stderr)
        b.results["problems"].append("the run stopped early: " + failed)
    finally:
        for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(s, signal.SIG_IGN)
        b.cleanup()
        for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(s, signal.SIG_DFL)

    sys.path.insert(0, BENCH)
    import report
    os.makedirs(out_dir, exist_ok=True)
    results_json = os.path.join(out_dir, f"results-{mode}.json")
    with open(results_json, "w") as f:
        json.dump(b.results, f, indent=1, ensure_ascii=False)
    md, gate_failures, summary = report.render(b.results)
    os.makedirs(os.path.dirname(os.path.abspath(out_md)), exist_ok=True)
    with open(out_md, "w") as f:
        f.write(md)
    print(summary)
    print(f"bench: report {os.path.relpath(out_md, ROOT)}, raw results {os.path.relpath(results_json, ROOT)}")
    if failed:
        return 1
    if mode == "quick" and gate_failures:
        print("bench: quick gate FAILED:\n  " + "\n  ".join(gate_failures), file=sys.stderr)
        if os.environ.get("BENCH_GATE", "1") != "0":
            return 1
        print("bench: BENCH_GATE=0, not failing", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
