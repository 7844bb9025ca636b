#!/usr/bin/env python3
"""Times the request-path queries of a database seeded by `vhod dev seed`: the median and p99 of
each over SAMPLES random seeded people, on SQLite (a file) or PostgreSQL (a URL; needs
`pip install 'psycopg[binary]'`). The SQL is the store's own (src/store/*.rs, named per query),
sent with its `$n` placeholders as a server-side prepared statement on PostgreSQL (as sqlx does).
Statements that write (the session touch, taking a refresh token, giving a person oid) run in a
transaction that is rolled back after the timed statement, so the database is left unchanged and
only the statement itself is timed. On PostgreSQL each request is also run under
`EXPLAIN (ANALYZE, BUFFERS)`: the server's execution time and the buffer pages the plans touched (a
figure the load of a shared machine does not blur) are printed beside the client's wall time.

usage: benches/scale/query_times.py DB [SAMPLES] [--schema NAME]
       DB = path/to/vhod.sqlite | postgres://user@host:port/db
"""
import base64
import hashlib
import random
import re
import statistics
import sys
import time

ACCOUNT = ("id, surname, given_name, patronymic, level, level_method, terms_version, "
           "privacy_version, registered_via, created_at, updated_at")
A_ACCOUNT = ", ".join(f"a.{c}" for c in ACCOUNT.split(", "))
SESSION = ("id_hash, account_id, auth_time, acr, amr, persistent, user_agent, ip, created_at, "
           "last_seen, expires_at")
GRANT = ("id, account_id, client_id, scopes, acr, amr, auth_time, created_at, revoked_at, claims, "
         "sid, dpop_jkt, org_oid")
REFRESH = "hash, grant_id, parent_hash, created_at, expires_at, used_at"
DOC = "id, account_id, kind, fields, status, reason, check_id, created_at, updated_at, verified_at"

FIND_LOGIN = (f"SELECT {A_ACCOUNT} FROM accounts a JOIN identifiers i ON i.account_id = a.id "
              "WHERE i.kind = $1 AND i.value = $2 AND i.verified_at IS NOT NULL")
PASSWORD = "SELECT secret FROM credentials WHERE account_id = $1 AND kind = 'password'"
ACCOUNT_BY_ID = f"SELECT {ACCOUNT} FROM accounts WHERE id = $1"
IDENTIFIERS = ("SELECT kind, value, account_id, verified_at FROM identifiers "
               "WHERE account_id = $1 ORDER BY kind")
VERIFIED_DOCS = (f"SELECT {DOC} FROM documents WHERE account_id = $1 AND status = 'verified' "
                 "ORDER BY kind")
DOCS_OF = (f"SELECT {DOC} FROM documents WHERE account_id = $1 AND status <> 'superseded' "
           "ORDER BY created_at DESC, kind")
ADDRESSES = ("SELECT kind, fields FROM profile_items WHERE account_id = $1 AND kind IN ('PRG', 'PLV') "
             "ORDER BY kind")
CONSENT = "SELECT scopes, claims FROM consents WHERE account_id = $1 AND client_id = $2"
ACCOUNT_OF_OID = "SELECT account_id FROM person_oids WHERE oid = $1"
GRANT_BY_ID = f"SELECT {GRANT} FROM grants WHERE id = $1"
MEMBERSHIPS = ("SELECT o.oid, o.kind, o.ogrn, o.inn, o.kpp, o.short_name, o.full_name, m.role "
               "FROM org_members m JOIN orgs o ON o.oid = m.org_oid WHERE m.account_id = $1 "
               "ORDER BY o.short_name, o.oid")


def h(purpose, secret):
    d = hashlib.sha256(f"{purpose}\0{secret}".encode()).digest()
    return base64.urlsafe_b64encode(d).rstrip(b"=").decode()


def phone(n):
    return f"+79{n:09d}"


def snils(n):
    digits = [int(c) for c in f"{n:09d}"]
    s = sum(d * (9 - i) for i, d in enumerate(digits)) % 101
    return f"{n:09d}{0 if s == 100 else s:02d}"


# name: (writes?, [(sql, args(person))]) — a person p has n, account, oid, grant, client, now.
QUERIES = {
    "login by phone (find_login)": (False, [(FIND_LOGIN, lambda p: ("phone", phone(p["n"])))]),
    "login by e-mail (find_login)": (False, [(FIND_LOGIN, lambda p: ("email", f"person{p['n']}@seed.example.ru"))]),
    "login by SNILS (find_login)": (False, [(FIND_LOGIN, lambda p: ("snils", snils(p["n3"])))]),
    "password hash (find_login)": (False, [(PASSWORD, lambda p: (p["account"],))]),
    "session by cookie (live_session)": (False, [(
        f"SELECT {SESSION} FROM sessions WHERE id_hash = $1 AND ended_at IS NULL AND expires_at > $2",
        lambda p: (h("session", f"seed-session-{p['n2']}"), p["now"]))]),
    "session touch, once a minute (live_session)": (True, [(
        "UPDATE sessions SET last_seen = $2 WHERE id_hash = $1 AND last_seen < $2",
        lambda p: (h("session", f"seed-session-{p['n2']}"), p["now"]))]),
    "refresh token (take_refresh_token)": (True, [(
        f"UPDATE refresh_tokens SET used_at = $2 WHERE hash = $1 AND used_at IS NULL RETURNING {REFRESH}",
        lambda p: (h("refresh", f"seed-refresh-{p['n4']}"), p["now"]))]),
    "grant by id (grant)": (False, [(GRANT_BY_ID, lambda p: (p["grant"],))]),
    "userinfo (grant, account, identifiers, verified documents)": (False, [
        (GRANT_BY_ID, lambda p: (p["grant"],)),
        (ACCOUNT_BY_ID, lambda p: (p["account3"],)),
        (IDENTIFIERS, lambda p: (p["account3"],)),
        (VERIFIED_DOCS, lambda p: (p["account3"],))]),
    "person oid (person_oid)": (True, [
        ("INSERT INTO person_oids (account_id) VALUES ($1) ON CONFLICT (account_id) DO NOTHING",
         lambda p: (p["account"],)),
        ("SELECT oid FROM person_oids WHERE account_id = $1", lambda p: (p["account"],))]),
    "ESIA /rs/prns/{oid} (of_oid + consent)": (False, [
        (ACCOUNT_OF_OID, lambda p: (p["oid3"],)),
        (ACCOUNT_BY_ID, lambda p: (p["account3"],)),
        (IDENTIFIERS, lambda p: (p["account3"],)),
        (ADDRESSES, lambda p: (p["account3"],)),
        (DOCS_OF, lambda p: (p["account3"],)),
        (CONSENT, lambda p: (p["account3"], p["client"]))]),
    "ESIA /ctts (identifiers)": (False, [(IDENTIFIERS, lambda p: (p["account3"],))]),
    "ESIA /docs (documents_of)": (False, [(DOCS_OF, lambda p: (p["account3"],))]),
    "ESIA /addrs (addresses)": (False, [(ADDRESSES, lambda p: (p["account3"],))]),
    "ESIA /orgs (memberships)": (False, [(MEMBERSHIPS, lambda p: (p["account3"],))]),
}


class Sqlite:
    explain = None

    def __init__(self, path):
        import sqlite3
        self.c = sqlite3.connect(f"file:{path}?mode=rw", uri=True, isolation_level=None)

    def run(self, sql, args):
        cur = self.c.execute(re.sub(r"\$(\d+)", r"?\1", sql), args)
        return cur.fetchall() if cur.description else []


class Postgres:
    def __init__(self, url, schema):
        import psycopg
        self.c = psycopg.connect(url, autocommit=True, cursor_factory=psycopg.RawCursor)
        if schema:
            self.c.execute(f"SET search_path TO {schema}")

    def run(self, sql, args):
        cur = self.c.execute(sql, args, prepare=True)
        return cur.fetchall() if cur.description else []

    def explain(self, sql, args):
        """The server's own execution time (µs) and the buffer pages the plan touched."""
        plan = self.c.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}", args).fetchone()[0][0]
        top = plan["Plan"]
        return plan["Execution Time"] * 1000, top["Shared Hit Blocks"] + top["Shared Read Blocks"]


def person(db, n, now):
    """What the timed statements need about seeded person n (found outside the timing): n2/n3/n4
    are the nearest numbers at or below n with a session / SNILS and documents / grant."""
    p = {"n": n, "n2": n - n % 2, "n3": n - n % 3, "n4": n - n % 4, "now": now}
    for key, m in (("account", n), ("account3", p["n3"])):
        p[key] = db.run("SELECT account_id FROM identifiers WHERE kind = 'phone' AND value = $1",
                        (phone(m),))[0][0]
    p["oid3"] = db.run("SELECT oid FROM person_oids WHERE account_id = $1", (p["account3"],))[0][0]
    p["grant"] = db.run("SELECT grant_id FROM refresh_tokens WHERE hash = $1",
                        (h("refresh", f"seed-refresh-{p['n4']}"),))[0][0]
    p["client"] = db.run("SELECT client_id FROM grants WHERE id = $1", (p["grant"],))[0][0]
    return p


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    schema = sys.argv[sys.argv.index("--schema") + 1] if "--schema" in sys.argv else ""
    if schema:
        args.remove(schema)
    target, samples = args[0], int(args[1]) if len(args) > 1 else 2000
    db = Postgres(target, schema) if target.startswith("postgres") else Sqlite(target)
    total = db.run("SELECT COUNT(*) FROM accounts WHERE registered_via = 'seed'", ())[0][0]
    first = db.run("SELECT MIN(value) FROM identifiers WHERE kind = 'phone' AND value LIKE '+79%'", ())[0][0]
    first = int(first[3:])
    print(f"{target}: {total} seeded accounts, {samples} samples per query")
    rng = random.Random(1)
    now = int(time.time())
    people = [person(db, first + 4 + rng.randrange(total - 4), now) for _ in range(samples)]
    if db.explain:
        print("  (wall: client round trips; server: EXPLAIN ANALYZE execution time; pages: shared "
              "buffers the plans touched, per request)")
    for name, (writes, statements) in QUERIES.items():
        times, server, pages = [], [], []
        for p in people:
            if writes:
                db.c.execute("BEGIN")
            t = time.perf_counter()
            rows = [db.run(sql, a(p)) for sql, a in statements]
            times.append((time.perf_counter() - t) * 1e6)
            if writes:
                db.c.execute("ROLLBACK")
            answers = any(sql.lstrip().startswith("SELECT") or "RETURNING" in sql for sql, _ in statements)
            assert any(rows) or not answers or "orgs" in name or "addrs" in name, \
                f"{name}: nothing for {p['n']}"
            if db.explain:
                if writes:
                    db.c.execute("BEGIN")
                runs = [db.explain(sql, a(p)) for sql, a in statements]
                if writes:
                    db.c.execute("ROLLBACK")
                server.append(sum(r[0] for r in runs))
                pages.append(sum(r[1] for r in runs))
        times.sort()
        line = (f"  {name:58s} p50 {statistics.median(times):7.1f} µs   "
                f"p99 {times[int(len(times) * 0.99)]:8.1f} µs")
        if server:
            line += (f"   server p50 {statistics.median(server):6.1f} µs   "
                     f"pages {statistics.mean(pages):5.1f}")
        print(line)

main()
