#!/usr/bin/env python3
"""The audit log's search by a part of its text on SQLite, as the log grows: one node (release
build) on a fresh SQLite file whose log is filled with N entries written as an older release
left them (no FTS5 index: migration 0143 undone), then the node's start that applies 0143 and
indexes them (timed to ready), the console's searches through HTTP (median and highest of
REPEAT) — a part of the target alone (one entry), by action (most entries hold it), a part of the
target within one day — beside the search as it was before the index (`instr` walking the log
from its newest entry, timed in Python's sqlite3 on the same file), the file's size before and
after the index, and what the index's trigger costs an entry appended (20 000 single-row INSERTs
in one transaction, with the trigger and without it).

usage: VHOD_BIN=target/release/vhod python3 benches/scale/audit_search_sqlite.py [N ...]
       (N: entries, default 10000 1000000; REPEAT: 7; PORT: 18791)
"""
import os
import sqlite3
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from audit_pages import START, STEP, auditor, moscow_date, start, timed  # noqa: E402

ACTIONS = ["client.add", "key.rotate", "account.level", "session.revoke", "org.create",
           "admin.grant_role", "client.update"]
COLS = "seq, at, actor, action, target, request_id, details, prev_hash, hash"


def rows(first, n):
    for i in range(n):
        s = first + i
        yield (s, START + s * STEP, f"admin:{s % 17:04d}", ACTIONS[s % len(ACTIONS)],
               f"acc-{s:09d}", f"r{s}", "{}", "p", "h")


def size(db):
    """The database's MiB, its write-ahead log included."""
    return sum(os.path.getsize(f) for f in (db, f"{db}-wal") if os.path.exists(f)) / 2**20


def unindex(db):
    """The log as a release before migration 0143 left it."""
    with sqlite3.connect(db) as c:
        c.executescript("DROP TRIGGER audit_text_append; DROP TABLE audit_text; "
                        "DELETE FROM _sqlx_migrations WHERE version = 143;")
    with sqlite3.connect(db) as c:
        c.execute("VACUUM")


def appends(db, first, label):
    with sqlite3.connect(db) as c:
        t0 = time.perf_counter()
        c.executemany(f"INSERT INTO audit_log ({COLS}) VALUES (?,?,?,?,?,?,?,?,?)",
                      rows(first, 20_000))
        c.commit()
        each = (time.perf_counter() - t0) / 20_000 * 1e6
    print(f"  an entry appended (20 000 INSERTs, one transaction) {label}: {each:.1f} µs")


def run(n, port, repeat):
    work = tempfile.mkdtemp(prefix="vhod-audit-sqlite-")
    db = f"{work}/vhod.db"
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, VHOD_DATABASE__URL=f"sqlite://{db}", VHOD_SERVER__BIND=f"127.0.0.1:{port}",
               VHOD_SERVER__ISSUER=base, VHOD_KEYS__KEK_FILE=f"{work}/kek", VHOD_LOG="warn",
               VHOD_CACHE__URL="memory")
    node = start(env, work, base)
    node.terminate()
    node.wait(timeout=30)
    unindex(db)
    t0 = time.perf_counter()
    with sqlite3.connect(db) as c:
        first = c.execute("SELECT coalesce(max(seq), 0) + 1 FROM audit_log").fetchone()[0]
        c.executemany(f"INSERT INTO audit_log ({COLS}) VALUES (?,?,?,?,?,?,?,?,?)", rows(first, n))
        c.commit()
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    filled = time.perf_counter() - t0
    size_before = size(db)
    t0 = time.perf_counter()
    node = start(env, work, base)
    started = time.perf_counter() - t0
    try:
        with sqlite3.connect(db) as c:
            busy = c.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        size_after = size(db)
        _, console = auditor(env, work, base)
        mid_seq = first + n // 2
        rare = f"acc-{mid_seq:09d}"
        mid = START + mid_seq * STEP
        print(f"\n{n} entries (file {size_before:.1f} MiB without the index, {size_after:.1f} MiB "
              f"with it; filled in {filled:.1f} s; the start that indexed them, to ready: "
              f"{started:.1f} s{'; checkpoint busy, the size counts the WAL' if busy else ''})")
        print(f"  {'read':38} {'p50 ms':>9} {'max ms':>9} status entries")
        for name, u in (
            ("console, part of target alone", f"{base}/admin/console?target={rare}"),
            ("console, by action", f"{base}/admin/console?action=key.rotate"),
            ("console, part of target, one day",
             f"{base}/admin/console?target={rare}&from={moscow_date(mid)}&to={moscow_date(mid)}"),
        ):
            p50, top, status, entries = timed(console, u, repeat)
            print(f"  {name:38} {p50:9.1f} {top:9.1f} {status:6} {entries}")
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as c:
            times = []
            for _ in range(3):
                t0 = time.perf_counter()
                found = c.execute(f"SELECT {COLS} FROM audit_log WHERE instr(target, ?) > 0 "
                                  "ORDER BY seq DESC LIMIT 51", (rare,)).fetchall()
                times.append(time.perf_counter() - t0)
        print(f"  a part of the target alone as searched before the index (instr walk), "
              f"{len(found)} found: {statistics.median(times) * 1000:.1f} ms")
    finally:
        node.terminate()
        node.wait(timeout=30)
    with sqlite3.connect(db) as c:
        last = c.execute("SELECT max(seq) FROM audit_log").fetchone()[0]
    appends(db, last + 1, "with the index's trigger")
    with sqlite3.connect(db) as c:
        c.execute("DROP TRIGGER audit_text_append")
    appends(db, last + 20_001, "without it")


def main():
    if not os.environ.get("VHOD_BIN"):
        sys.exit("VHOD_BIN=path/to/release/vhod is needed")
    sizes = [int(a) for a in sys.argv[1:]] or [10_000, 1_000_000]
    repeat = int(os.environ.get("REPEAT", "7"))
    port = int(os.environ.get("PORT", "18791"))
    print(f"load average at start {os.getloadavg()}")
    for n in sizes:
        run(n, port, repeat)
    print(f"load average at end {os.getloadavg()}")


if __name__ == "__main__":
    main()
