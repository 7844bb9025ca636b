#!/usr/bin/env python3
"""What reading the audit log costs as it grows: one node (release build) on a fresh PostgreSQL
database whose log is filled with N valid, chained entries (COPY; each entry's hash computed as
store/audit.rs does), then the reads an auditor makes — the admin API's first and last page
(1000 entries), the console's newest page, a page filtered by action, by a part of the target
within one day, by a part of the target alone, by one account's UUID (the target) and by one
administrator's (the actor: a seventeenth of the log) — timed through HTTP (median and highest of
REPEAT), the node's resident memory after them, and the CLI's `audit export` and `audit verify`
over the whole log (wall time, peak memory). Beside them the statement the console ran before the
log was paged (the whole log, `WHERE at >= 0 ORDER BY seq`), timed by PostgreSQL itself
(EXPLAIN ANALYZE), for what a page used to cost, and the search by a part of the target as it was
before the log's trigram index (`strpos` alone), and the account's UUID looked up as it was
before the UUID indexes (through the trigram index). The log is filled with the node stopped and
its text and UUID indexes dropped, as a log an older release wrote: the node's next start builds
them (concurrently on a large log) before it is ready, and that start is timed. Last, what the
indexes cost each entry appended: 2000 single-row INSERTs with all three, with the trigram index
alone, and with none.

usage: VHOD_BIN=target/release/vhod python3 benches/scale/audit_pages.py [N ...]
       (N: entries, default 10000 10000000; PGURL: the server, postgres://postgres@127.0.0.1:5432;
       REPEAT: 7; PORT: 18790)
"""
import hashlib
import http.cookiejar
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

GENESIS = "0" * 64
INDEXES = ["audit_log_text", "audit_log_actor_uuid", "audit_log_target_uuid"]
DAY = 86_400
START = 1_764_547_200  # 2025-12-01 00:00 UTC: entries are spread one every 3 s from here
STEP = 3


def entry_hash(prev, seq, at, actor, action, target, request_id, details):
    canonical = json.dumps([seq, at, actor, action, target, request_id, details],
                           separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{prev}\n{canonical}".encode()).hexdigest()


def psql(url, sql, stdin=None):
    return subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", url, "-c", sql],
                          input=stdin, capture_output=True, text=True, check=True).stdout.strip()


def fill(url, n):
    """Appends n entries after the node's own, chained to its head, by COPY."""
    head = psql(url, "SELECT seq || ' ' || hash FROM audit_log ORDER BY seq DESC LIMIT 1")
    seq, prev = (int(head.split()[0]), head.split()[1]) if head else (0, GENESIS)
    copy = subprocess.Popen(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", url, "-c",
                             "COPY audit_log (seq, at, actor, action, target, request_id, details, "
                             "prev_hash, hash) FROM STDIN"], stdin=subprocess.PIPE, text=True)
    actions = ["client.add", "key.rotate", "account.level", "session.revoke", "org.create",
               "admin.grant_role", "client.update"]
    out = []
    for i in range(1, n + 1):
        s = seq + i
        at = START + i * STEP
        actor, action = f"admin:{uuid_of(i % 17, START)}", actions[i % len(actions)]
        target, rid, details = f"account:{uuid_of(i, at)} acc-{i:09d}", f"r{i}", "{}"
        h = entry_hash(prev, s, at, actor, action, target, rid, details)
        out.append(f"{s}\t{at}\t{actor}\t{action}\t{target}\t{rid}\t{details}\t{prev}\t{h}\n")
        prev = h
        if len(out) == 50_000:
            copy.stdin.write("".join(out))
            out.clear()
    copy.stdin.write("".join(out))
    copy.stdin.close()
    if copy.wait() != 0:
        sys.exit("COPY failed")
    psql(url, "ANALYZE audit_log")
    return seq + n


def uuid_of(i, at):
    """A UUID as vhod makes them (version 7): the time `at` in milliseconds, then digits of i's."""
    t, r = f"{at * 1000:012x}", hashlib.md5(str(i).encode()).hexdigest()
    return f"{t[:8]}-{t[8:]}-7{r[:3]}-8{r[3:6]}-{r[6:18]}"


def moscow_date(t):
    return time.strftime("%Y-%m-%d", time.gmtime(t + 3 * 3600))


def timed(opener, url, repeat):
    """(median ms, highest ms, status, entries the answer holds: JSON array or console table)."""
    times, status, body = [], None, b""
    for _ in range(repeat):
        t0 = time.perf_counter()
        try:
            with opener.open(url, timeout=60) as r:
                body = r.read()
                status = r.status
        except urllib.error.HTTPError as e:
            body = e.read()
            status = e.code
        times.append(time.perf_counter() - t0)
    text = body.decode(errors="replace")
    if text.startswith("["):
        entries = len(json.loads(text))
    elif 'id="audit"' in text:
        entries = text.split('id="audit"', 1)[1].split("</table>", 1)[0].count("<tr>") - 1
    else:
        entries = "-"
    return statistics.median(times) * 1000, max(times) * 1000, status, entries


def rss_mib(pid):
    fields = dict(line.split(":", 1) for line in open(f"/proc/{pid}/status"))
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def cli(env, *args):
    """Runs `vhod ARGS` with output discarded: (seconds, peak RSS MiB, exit status)."""
    t0 = time.perf_counter()
    p = subprocess.Popen([os.environ["VHOD_BIN"], *args], env=env, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    return time.perf_counter() - t0, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def auditor(env, work, base):
    """An auditor's bootstrap token, and a client signed in to the console with it."""
    token = subprocess.run([os.environ["VHOD_BIN"], "admin", "bootstrap-token", "--role",
                            "auditor", "--ttl", "3600"], env=env, cwd=work, capture_output=True,
                           text=True, check=True).stdout.strip().splitlines()[-1]
    jar = http.cookiejar.CookieJar()
    console = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    login = console.open(f"{base}/admin/console").read().decode()
    csrf = re.search(r'name="csrf" value="([^"]+)"', login).group(1)
    form = urllib.parse.urlencode({"csrf": csrf, "lang": "ru", "token": token}).encode()
    console.open(f"{base}/admin/console/login", data=form).read()
    return token, console


def start(env, work, base):
    """Starts a node and waits until it is ready (its migrations and online indexes done)."""
    node = subprocess.Popen([os.environ["VHOD_BIN"], "serve"], env=env, cwd=work,
                            stdout=open(f"{work}/node.log", "a"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 3600
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"{base}/readyz", timeout=2).status == 200:
                return node
        except OSError:
            if node.poll() is not None:
                break
            time.sleep(0.2)
    node.kill()
    sys.exit(f"the node did not get ready: {work}/node.log")


def run(n, base_url, port, repeat):
    db = f"vhod_audit_{os.getpid()}_{n}"
    url = f"{base_url}/{db}"
    subprocess.run(["psql", "-X", "-q", f"{base_url}/postgres", "-c", f"CREATE DATABASE {db}"], check=True)
    work = tempfile.mkdtemp(prefix="vhod-audit-")
    env = dict(os.environ, VHOD_DATABASE__URL=url, VHOD_SERVER__BIND=f"127.0.0.1:{port}",
               VHOD_SERVER__ISSUER=f"http://127.0.0.1:{port}", VHOD_KEYS__KEK_FILE=f"{work}/kek",
               VHOD_LOG="warn", VHOD_CACHE__URL="memory")
    base = f"http://127.0.0.1:{port}"
    node = start(env, work, base)
    try:
        # The log as an older release left it: no trigram index.
        node.terminate()
        node.wait(timeout=30)
        psql(url, f"DROP INDEX IF EXISTS {', '.join(INDEXES)}")
        t0 = time.perf_counter()
        last = fill(url, n)
        filled = time.perf_counter() - t0
        t0 = time.perf_counter()
        node = start(env, work, base)
        started = time.perf_counter() - t0
        size = psql(url, "SELECT pg_size_pretty(pg_relation_size('audit_log')) || ' + indexes ' || "
                    "pg_size_pretty(pg_indexes_size('audit_log')) || ', of it the trigram index ' || "
                    "coalesce(pg_size_pretty(pg_relation_size(to_regclass('audit_log_text'))), "
                    "'(none)') || ', the UUID indexes ' || "
                    "pg_size_pretty(pg_relation_size('audit_log_actor_uuid')) || ' and ' || "
                    "pg_size_pretty(pg_relation_size('audit_log_target_uuid'))")
        token, console = auditor(env, work, base)
        api = urllib.request.build_opener()
        api.addheaders = [("Authorization", f"Bearer {token}")]
        mid = START + (n // 2) * STEP
        rare = f"acc-{n // 2:09d}"
        account = uuid_of(n // 2, mid)
        admin = uuid_of(5, START)
        reads = [
            ("API, first page (1000)", api, f"{base}/admin/api/audit?limit=1000"),
            ("API, last page (1000)", api, f"{base}/admin/api/audit?limit=1000&after={last - 1000}"),
            ("console, newest page", console, f"{base}/admin/console"),
            ("console, by action", console, f"{base}/admin/console?action=key.rotate"),
            ("console, older page by action", console,
             f"{base}/admin/console?action=key.rotate&before={last // 2}"),
            ("console, part of target, one day", console,
             f"{base}/admin/console?target={rare}&from={moscow_date(mid)}&to={moscow_date(mid)}"),
            ("console, part of target alone", console, f"{base}/admin/console?target={rare}"),
            ("console, an account's UUID (target)", console,
             f"{base}/admin/console?target={account}"),
            ("console, an admin's UUID (actor)", console, f"{base}/admin/console?actor={admin}"),
            ("console, older page of the admin's", console,
             f"{base}/admin/console?actor={admin}&before={last // 2}"),
        ]
        print(f"\n{n} entries (audit_log {size}; filled in {filled:.1f} s; "
              f"the node's start that built the index, to ready: {started:.1f} s)")
        print(f"  {'read':38} {'p50 ms':>9} {'max ms':>9} status entries")
        for name, opener, u in reads:
            p50, top, status, entries = timed(opener, u, repeat)
            print(f"  {name:38} {p50:9.1f} {top:9.1f} {status:6} {entries}")
        now, peak = rss_mib(node.pid)
        print(f"  node RSS after the reads {now:.1f} MiB (peak {peak:.1f} MiB)")
        for args in (("audit", "export", "--since", "0"), ("audit", "verify")):
            secs, peak, code = cli(env, *args)
            print(f"  vhod {' '.join(args):28} {secs:8.1f} s, peak RSS {peak:.1f} MiB, exit {code}")
        plan = psql(url, "EXPLAIN (ANALYZE, FORMAT JSON) SELECT seq, at, actor, action, target, "
                    "request_id, details, prev_hash, hash FROM audit_log WHERE at >= 0 ORDER BY seq")
        whole = json.loads(plan)[0]["Execution Time"]
        print(f"  the console's statement before paging (the whole log), in PostgreSQL alone: "
              f"{whole:.1f} ms")
        plan = psql(url, "EXPLAIN (ANALYZE, FORMAT JSON) SELECT seq, at, actor, action, target, "
                    "request_id, details, prev_hash, hash FROM audit_log WHERE "
                    f"strpos(target, '{rare}') > 0 ORDER BY seq DESC LIMIT 51")
        walked = json.loads(plan)[0]["Execution Time"]
        print(f"  a part of the target alone as searched before the trigram index (strpos), in "
              f"PostgreSQL alone: {walked:.1f} ms")
        plan = psql(url, "EXPLAIN (ANALYZE, FORMAT JSON) SELECT seq, at, actor, action, target, "
                    "request_id, details, prev_hash, hash FROM audit_log WHERE "
                    f"(actor || ' ' || action || ' ' || target) LIKE '%{account}%' AND "
                    f"strpos(target, '{account}') > 0 ORDER BY seq DESC LIMIT 51")
        trigrams = json.loads(plan)[0]["Execution Time"]
        print(f"  the account's UUID as looked up before the UUID indexes (trigrams), in "
              f"PostgreSQL alone: {trigrams:.1f} ms")
        for label, drop in (("with the trigram and UUID indexes", []),
                            ("with the trigram index alone", INDEXES[1:]),
                            ("with neither", INDEXES[:1])):
            if drop:
                psql(url, f"DROP INDEX IF EXISTS {', '.join(drop)}")
            first = int(psql(url, "SELECT max(seq) FROM audit_log")) + 1
            inserts = "".join(
                f"INSERT INTO audit_log VALUES ({first + i}, {START}, "
                f"'admin:{uuid_of(i % 17, START)}', 'client.update', "
                f"'account:{uuid_of(first + i, START)} acc-x{first + i:09d}', 'r', '{{}}', 'p', "
                f"'h');\n"
                for i in range(2000))
            t0 = time.perf_counter()
            subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", url], input=inserts,
                           text=True, check=True, capture_output=True)
            each = (time.perf_counter() - t0) / 2000 * 1000
            print(f"  an entry appended (2000 single-row INSERTs) {label}: {each:.3f} ms")
    finally:
        node.terminate()
        node.wait(timeout=30)
        subprocess.run(["psql", "-X", "-q", f"{base_url}/postgres", "-c",
                        f"DROP DATABASE IF EXISTS {db}"], check=False)


def main():
    if not os.environ.get("VHOD_BIN"):
        sys.exit("VHOD_BIN=path/to/release/vhod is needed")
    sizes = [int(a) for a in sys.argv[1:]] or [10_000, 10_000_000]
    base_url = os.environ.get("PGURL", "postgres://postgres@127.0.0.1:5432")
    repeat = int(os.environ.get("REPEAT", "7"))
    port = int(os.environ.get("PORT", "18790"))
    print(f"load average at start {os.getloadavg()}")
    for n in sizes:
        run(n, base_url, port, repeat)
    print(f"load average at end {os.getloadavg()}")


if __name__ == "__main__":
    main()
