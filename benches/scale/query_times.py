#!/usr/bin/env python3
"""Times the request-path queries of a database seeded by `vhod dev seed` (SQLite file): the median
and p99 of each over SAMPLES random seeded people. The SQL is the store's (src/store/*.rs).

usage: benches/scale/query_times.py DB.sqlite [SAMPLES]
"""
import base64
import hashlib
import random
import sqlite3
import statistics
import sys
import time

ACCOUNT = "a.id, a.surname, a.given_name, a.patronymic, a.level, a.created_at"


def h(purpose, secret):
    d = hashlib.sha256(f"{purpose}\0{secret}".encode()).digest()
    return base64.urlsafe_b64encode(d).rstrip(b"=").decode()


QUERIES = {
    "login by e-mail": (
        f"SELECT {ACCOUNT} FROM accounts a JOIN identifiers i ON i.account_id = a.id "
        "WHERE i.kind = 'email' AND i.value = ? AND i.verified_at IS NOT NULL",
        lambda n, c: (f"person{n}@seed.example.ru",),
    ),
    "login by phone": (
        f"SELECT {ACCOUNT} FROM accounts a JOIN identifiers i ON i.account_id = a.id "
        "WHERE i.kind = 'phone' AND i.value = ? AND i.verified_at IS NOT NULL",
        lambda n, c: (f"+79{n:09d}",),
    ),
    "password hash": (
        "SELECT secret FROM credentials WHERE account_id = "
        "(SELECT account_id FROM identifiers WHERE kind = 'email' AND value = ?) AND kind = 'password'",
        lambda n, c: (f"person{n}@seed.example.ru",),
    ),
    "session by cookie": (
        "SELECT * FROM sessions WHERE id_hash = ? AND ended_at IS NULL",
        lambda n, c: (h("session", f"seed-session-{n - n % 2}"),),
    ),
    "refresh token": (
        "SELECT * FROM refresh_tokens WHERE hash = ?",
        lambda n, c: (h("refresh", f"seed-refresh-{n - n % 4}"),),
    ),
    "grant by id": (
        "SELECT * FROM grants WHERE id = (SELECT grant_id FROM refresh_tokens WHERE hash = ?)",
        lambda n, c: (h("refresh", f"seed-refresh-{n - n % 4}"),),
    ),
    "userinfo (account + identifiers + documents)": (
        "SELECT a.*, (SELECT COUNT(*) FROM identifiers i WHERE i.account_id = a.id), "
        "(SELECT COUNT(*) FROM documents d WHERE d.account_id = a.id) FROM accounts a "
        "WHERE a.id = (SELECT account_id FROM identifiers WHERE kind = 'phone' AND value = ?)",
        lambda n, c: (f"+79{n:09d}",),
    ),
    "person oid": (
        "SELECT oid FROM person_oids WHERE account_id = "
        "(SELECT account_id FROM identifiers WHERE kind = 'phone' AND value = ?)",
        lambda n, c: (f"+79{n:09d}",),
    ),
}


def main():
    db, samples = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    c = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    total = c.execute("SELECT COUNT(*) FROM accounts WHERE registered_via = 'seed'").fetchone()[0]
    print(f"{db}: {total} seeded accounts, {samples} samples per query")
    rng = random.Random(1)
    for name, (sql, args) in QUERIES.items():
        times = []
        for _ in range(samples):
            n = rng.randrange(total)
            t = time.perf_counter()
            rows = c.execute(sql, args(n, c)).fetchall()
            times.append((time.perf_counter() - t) * 1e6)
            assert rows, f"{name}: nothing for {n}"
        times.sort()
        print(f"  {name:45s} p50 {statistics.median(times):7.1f} µs   p99 {times[int(len(times) * 0.99)]:7.1f} µs")


main()
