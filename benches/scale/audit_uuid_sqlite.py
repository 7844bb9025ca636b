#!/usr/bin/env python3
"""The audit log searched by a UUID on SQLite, as the log grows, measured on migrations 0143 and
0144's own statements (read from migrations/sqlite/) in Python's sqlite3, without a node: a file
whose log (the columns the search reads) holds N entries as vhod writes them — each actor one of
17 administrators' UUIDs, each target an account's UUID and an `acc-…` number — indexed by
0143's FTS5 `audit_text`; then the console's statements for an account's UUID (one entry), a page
of an administrator's (a seventeenth of the log) and the number alone, through FTS5 as before
0144 (median of REPEAT); then 0144 applied to the entries already there (timed, the file's size
before and after) and the same UUIDs looked up through `audit_uuids`; last, what an entry appended
costs with both triggers and with FTS5's alone (20 000 single-row INSERTs in one transaction
each).

usage: python3 benches/scale/audit_uuid_sqlite.py [N ...]   (default 10000 1000000; REPEAT: 5)
"""
import hashlib
import os
import sqlite3
import statistics
import sys
import tempfile
import time

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "migrations", "sqlite")
START = 1_764_547_200
NIL = "00000000-0000-0000-0000-000000000000"


def uuid_of(i, at):
    """A UUID as vhod makes them (version 7): the time `at` in milliseconds, then digits of i's."""
    t, r = f"{at * 1000:012x}", hashlib.md5(str(i).encode()).hexdigest()
    return f"{t[:8]}-{t[8:]}-7{r[:3]}-8{r[3:6]}-{r[6:18]}"


def migration(prefix):
    name = next(f for f in sorted(os.listdir(ROOT)) if f.startswith(prefix))
    return open(os.path.join(ROOT, name)).read()


def timed(db, sql, args, repeat):
    times, rows = [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        rows = db.execute(sql, args).fetchall()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000, len(rows)


def by_text(col):
    return (f"SELECT audit_log.seq FROM audit_text JOIN audit_log ON audit_log.seq = audit_text.rowid "
            f"WHERE audit_text.{col} LIKE ? AND instr(audit_log.{col}, ?) > 0 "
            f"ORDER BY audit_text.rowid DESC LIMIT 51")


def by_uuid(col):
    # store::audit_reads' statement for a UUID: the UUID's page and the nil UUID's, merged.
    one = (f"SELECT audit_log.seq FROM audit_uuids JOIN audit_log ON audit_log.seq = audit_uuids.seq "
           f"WHERE audit_uuids.col = '{col}' AND audit_uuids.uuid = {{key}} "
           f"AND instr(audit_log.{col}, ?1) > 0 ORDER BY audit_uuids.seq DESC LIMIT 51")
    return (f"SELECT seq FROM (SELECT * FROM ({one.format(key='?1')}) AS branch1 UNION ALL "
            f"SELECT * FROM ({one.format(key=repr(NIL))}) AS branch2) AS hits "
            f"ORDER BY seq DESC LIMIT 51")


def run(n, repeat):
    work = tempfile.mkdtemp(prefix="vhod-uuids-")
    path = os.path.join(work, "log.db")
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE audit_log (seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, "
               "actor TEXT NOT NULL, action TEXT NOT NULL, target TEXT NOT NULL)")
    admins = [uuid_of(k, START) for k in range(17)]
    db.executemany("INSERT INTO audit_log VALUES (?, ?, ?, ?, ?)",
                   ((i, START + 3 * i, f"admin:{admins[i % 17]}", "client.update",
                     f"account:{uuid_of(i, START + 3 * i)} acc-{i:09d}") for i in range(1, n + 1)))
    db.executescript(migration("0143"))
    db.commit()
    account, admin, number = uuid_of(n // 2, START + 3 * (n // 2)), admins[5], f"acc-{n // 2:09d}"
    print(f"\n{n} entries")
    for label, col, part in (("an account's UUID", "target", account),
                             ("an administrator's UUID (a page)", "actor", admin),
                             ("the acc-… number alone", "target", number)):
        ms, found = timed(db, by_text(col), (f"%{part}%", part), repeat)
        print(f"  FTS5 (0143): {label:34} {ms:8.2f} ms, {found} found")
    before = os.path.getsize(path)
    t0 = time.perf_counter()
    db.executescript(migration("0144"))
    db.commit()
    took = time.perf_counter() - t0
    print(f"  migration 0144 over the log: {took:.1f} s; the file {before / 2**20:.1f} → "
          f"{os.path.getsize(path) / 2**20:.1f} MiB")
    for label, col, part in (("an account's UUID", "target", account),
                             ("an administrator's UUID (a page)", "actor", admin)):
        ms, found = timed(db, by_uuid(col), (part,), repeat)
        print(f"  audit_uuids (0144): {label:27} {ms:8.2f} ms, {found} found")
    for label, first in (("with both triggers", n), ("with FTS5's alone", n + 20_000)):
        if first > n:
            db.execute("DROP TRIGGER audit_uuids_append")
        t0 = time.perf_counter()
        db.executemany("INSERT INTO audit_log VALUES (?, ?, ?, ?, ?)",
                       ((first + i, START, f"admin:{admins[i % 17]}", "client.update",
                         f"account:{uuid_of(first + i, START)} acc-x{first + i:09d}")
                        for i in range(1, 20_001)))
        db.commit()
        each = (time.perf_counter() - t0) / 20_000 * 1e6
        print(f"  an entry appended {label}: {each:.1f} µs")
    db.close()
    os.remove(path)
    os.rmdir(work)


def main():
    sizes = [int(a) for a in sys.argv[1:]] or [10_000, 1_000_000]
    repeat = int(os.environ.get("REPEAT", "5"))
    print(f"SQLite {sqlite3.sqlite_version}; load average at start {os.getloadavg()}")
    for n in sizes:
        run(n, repeat)
    print(f"load average at end {os.getloadavg()}")


if __name__ == "__main__":
    main()
