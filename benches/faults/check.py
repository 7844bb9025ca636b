#!/usr/bin/env python3
"""After a fault bench: compare the store with the driver's acknowledged successes, read the
request log around the fault, and print each requirement as PASS/FAIL with its counts. Exits 1
when any requirement fails.

    python3 check.py --out DIR --events FILE --db sqlite:///path/vhod.db|postgres://… \
        --nodes 18601,18602 --client client.json --bound 7 --audit-cmd "vhod audit verify"

events FILE: lines `NAME UNIX_SECONDS`; `fault_start` and `fault_end` (an outage), `kill PORT`
(a node killed: it never comes back in this run), or `rolling_start` and `rolling_end` (every node
stopped and started again in turn behind a balancer)."""

import argparse
import collections
import concurrent.futures
import json
import os
import sqlite3
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import flows  # noqa: E402

failed = []


def verdict(ok, name, figures):
    print(f"{'PASS' if ok else 'FAIL'}  {name}: {figures}")
    if not ok:
        failed.append(name)


class Db:
    def __init__(self, url):
        self.url = url
        if url.startswith("sqlite:"):
            path = url.split(":", 1)[1].lstrip("/")
            self.conn = sqlite3.connect(f"file:/{path}?mode=ro", uri=True)
        else:
            self.conn = None

    def rows(self, sql):
        if self.conn is not None:
            return [tuple("" if v is None else str(v) for v in r) for r in self.conn.execute(sql)]
        out = subprocess.run(["psql", self.url, "-X", "-At", "-F", "\x1f", "-c", sql],
                             capture_output=True, text=True, check=True).stdout
        return [tuple(line.split("\x1f")) for line in out.splitlines() if line]


def load_events(path):
    ev = {}
    for line in open(path):
        parts = line.split()
        if len(parts) >= 2:
            ev[parts[0]] = [float(parts[-1])] + parts[1:-1]
    return ev


def store_checks(db, acks):
    regs = [a for a in acks if a["kind"] == "registration"]
    signins = [a for a in acks if a["kind"] == "signin"]
    audits = [a for a in acks if a["kind"] == "audit"]
    phones = dict(db.rows("SELECT value, account_id FROM identifiers WHERE kind = 'phone'"))
    passwords = {r[0] for r in db.rows("SELECT account_id FROM credentials WHERE kind = 'password'")}
    lost = [a["phone"] for a in regs if phones.get(a["phone"]) not in passwords]
    verdict(not lost, "registrations acknowledged are in the store (account + phone + password)",
            f"{len(regs) - len(lost)}/{len(regs)} found, {len(lost)} lost {lost[:3]}")

    consents = {(r[0], r[1]): r[2] for r in db.rows("SELECT account_id, client_id, scopes FROM consents")}
    grants = collections.Counter((r[0], r[1]) for r in db.rows(
        "SELECT account_id, client_id FROM grants WHERE revoked_at IS NULL"))
    client_id = signins[0]["client_id"] if signins else ""
    bad = collections.Counter()
    for a in signins:
        if phones.get(a["phone"]) != a["sub"]:
            bad["sub is not the phone's account"] += 1
        got = consents.get((a["sub"], client_id))
        if got is None or not set(a["scope"].split()) - {"openid"} <= set(got.split()):
            bad["consent missing"] += 1
        if grants[(a["sub"], client_id)] < 1:
            bad["grant missing"] += 1
    verdict(not bad, "sign-ins acknowledged have their consent and grant in the store",
            f"{len(signins)} sign-ins checked, problems {dict(bad)}")

    clients = {r[0] for r in db.rows("SELECT id FROM clients")}
    audited = {r[0] for r in db.rows("SELECT target FROM audit_log WHERE action = 'client.add'")}
    lost = [a["client_id"] for a in audits if a["client_id"] not in clients or a["client_id"] not in audited]
    verdict(not lost, "admin changes acknowledged are in the store with their audit entry",
            f"{len(audits) - len(lost)}/{len(audits)} found, {len(lost)} lost")
    return regs, signins


def half_written(db, client_id):
    q = {
        "accounts without a login identifier":
            "SELECT count(*) FROM accounts a WHERE NOT EXISTS (SELECT 1 FROM identifiers i WHERE i.account_id = a.id)",
        "accounts without a password":
            "SELECT count(*) FROM accounts a WHERE a.registered_via = 'self' AND NOT EXISTS "
            "(SELECT 1 FROM credentials c WHERE c.account_id = a.id AND c.kind = 'password')",
        # One transaction since store/change.rs: any found here is a regression.
        "portals registered without their audit entry":
            "SELECT count(*) FROM clients c WHERE c.name LIKE 'faults-%' AND NOT EXISTS "
            "(SELECT 1 FROM audit_log l WHERE l.action = 'client.add' AND l.target = c.id)",
        # The portal the driver signs in to is given refresh tokens: each of its grants has one.
        "grants without a refresh token":
            f"SELECT count(*) FROM grants g WHERE g.client_id = '{client_id}' AND NOT EXISTS "
            "(SELECT 1 FROM refresh_tokens r WHERE r.grant_id = g.id)",
        "sessions of a missing account":
            "SELECT count(*) FROM sessions s WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = s.account_id)",
    }
    found = {k: int(db.rows(sql)[0][0]) for k, sql in q.items()}
    if db.conn is not None:
        found["sqlite integrity_check problems"] = len([r for r in db.rows("PRAGMA integrity_check") if r[0] != "ok"])
        found["sqlite foreign_key_check rows"] = len(db.rows("PRAGMA foreign_key_check"))
    verdict(not any(found.values()), "nothing half-written in the store", json.dumps(found, ensure_ascii=False))


def api_checks(net, client, regs, signins):
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        sessions = list(pool.map(lambda a: flows.session_alive(net, a["cookies"]), regs + signins))
        refreshed = list(pool.map(lambda a: flows.refresh_works(net, client, a["refresh_token"]),
                                  [a for a in signins if a.get("refresh_token")]))
    verdict(all(sessions), "sessions acknowledged still sign the browser in (GET /account → 200)",
            f"{sum(sessions)}/{len(sessions)} alive")
    verdict(all(refreshed) and len(refreshed) == len(signins),
            "tokens acknowledged: each refresh token still works", f"{sum(refreshed)}/{len(signins)} refreshed")


def window_checks(reqs, ev, bound, survivors):
    start, end = ev["fault_start"][0], ev["fault_end"][0]
    # Every request the outage touched: started inside it, or started before and still waiting
    # when it began (a statement sent just before PostgreSQL froze is the one that could hang).
    inside = [r for r in reqs if r["t"] <= end and r["t"] + r["dt"] >= start]
    st = collections.Counter(str(r["status"]) for r in inside)
    bad_5xx = sum(1 for r in inside if isinstance(r["status"], int) and r["status"] >= 500 and r["status"] != 503)
    no_retry = sum(1 for r in inside if r["status"] == 503 and not r.get("retry_after"))
    hangs = [r for r in inside if r["status"] == "timeout" or r["dt"] > bound]
    max_dt = max((r["dt"] for r in inside), default=0)
    n503 = st.get("503", 0)
    verdict(n503 > 0 and bad_5xx == 0 and no_retry == 0,
            "during the outage errors are 503 with Retry-After",
            f"outage {end - start:.1f} s, {len(inside)} requests: {dict(st)}; other 5xx {bad_5xx}, "
            f"503 without Retry-After {no_retry}")
    verdict(not hangs, f"no request during the outage takes longer than {bound:.0f} s",
            f"max latency {max_dt:.2f} s, {len(hangs)} over the bound")
    recovery_checks(reqs, end, bound, survivors)


def recovery_checks(reqs, end, grace, survivors):
    figures, ok = [], True
    for port in survivors:
        after = [r for r in reqs if r["node"] == port and r["t"] >= end]
        good = [r for r in after if isinstance(r["status"], int) and r["status"] < 500]
        late_5xx = [r for r in after if r["t"] >= end + grace
                    and (not isinstance(r["status"], int) or r["status"] >= 500)]
        first = min((r["t"] for r in good), default=None)
        ok &= first is not None and not late_5xx
        figures.append(f"node {port}: first success {'never' if first is None else f'+{first - end:.1f} s'}, "
                       f"{len(good)}/{len(after)} answered <500 after, {len(late_5xx)} errors after +{grace:.0f} s")
    verdict(ok, "every surviving node recovers by itself (no restart)", "; ".join(figures))


def kill_checks(reqs, ev, survivors):
    t_kill, port = ev["kill"][0], int(ev["kill"][1])
    on_dead = collections.Counter(str(r["status"]) for r in reqs if r["node"] == port and r["t"] >= t_kill - 1)
    surv = [r for r in reqs if r["node"] in survivors]
    bad = collections.Counter(str(r["status"]) for r in surv
                              if not isinstance(r["status"], int) or r["status"] >= 500)
    max_dt = max((r["dt"] for r in surv), default=0)
    verdict(not bad, "surviving nodes answer every request (no 5xx, reset or timeout)",
            f"{len(surv)} requests on nodes {survivors}, errors {dict(bad)}, max latency {max_dt:.2f} s; "
            f"killed node {port} from 1 s before the kill: {dict(on_dead)}")
    after = [r for r in surv if r["t"] >= t_kill]
    verdict(len(after) > 0, "the surviving nodes carry the load after the kill", f"{len(after)} requests after it")


def freeze_checks(reqs, ev, bound, survivors):
    start, port = ev["freeze_start"][0], int(ev["freeze_start"][1])
    end = ev["freeze_end"][0]
    inside = [r for r in reqs if r["t"] <= end and r["t"] + r["dt"] >= start]
    others = [r for r in inside if r["node"] != port]
    st = collections.Counter(str(r["status"]) for r in others)
    ok = [r for r in others if isinstance(r["status"], int) and r["status"] < 500]
    bad = [r for r in others if not isinstance(r["status"], int)
           or (r["status"] >= 500 and (r["status"] != 503 or not r.get("retry_after")))]
    hangs = [r for r in others if r["dt"] > bound]
    late_503 = [r["t"] + r["dt"] - start for r in others if r["status"] == 503]
    verdict(ok and not bad and not hangs,
            "while one node is frozen the others answer (errors only 503 with Retry-After, none over "
            f"{bound:.0f} s)",
            f"frozen {end - start:.1f} s, {len(others)} requests on the other nodes: {dict(st)}, "
            f"max latency {max((r['dt'] for r in others), default=0):.2f} s"
            + (f"; last 503 +{max(late_503):.1f} s into the freeze" if late_503 else ""))
    on_frozen = collections.Counter(str(r["status"]) for r in inside if r["node"] == port)
    print(f"  the frozen node {port}: {dict(on_frozen)} (the balancer passes it over after a timeout)")
    recovery_checks(reqs, end, bound, survivors)


def rolling_checks(reqs, ev):
    start, end = ev["rolling_start"][0], ev["rolling_end"][0]
    inside = [r for r in reqs if r["t"] <= end and r["t"] + r["dt"] >= start]
    st = collections.Counter(str(r["status"]) for r in inside)
    bad = [r for r in inside if not isinstance(r["status"], int) or r["status"] >= 500]
    verdict(inside and not bad, "through the rolling restart every request is answered (no 5xx, "
            "reset or timeout)",
            f"restart {end - start:.1f} s, {len(inside)} requests: {dict(st)}, max latency "
            f"{max((r['dt'] for r in inside), default=0):.2f} s")
    # The driver knows only the balancer: the load after the restart is the balancer's.
    recovery_checks(reqs, end, 7.0, sorted({r["node"] for r in reqs}))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--events", required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--nodes", required=True, help="surviving nodes' ports (checked over HTTP)")
    ap.add_argument("--client", required=True)
    ap.add_argument("--bound", type=float, default=7.0)
    ap.add_argument("--audit-cmd", required=True)
    a = ap.parse_args()

    acks = [json.loads(line) for line in open(os.path.join(a.out, "acks.jsonl"))]
    reqs = [json.loads(line) for line in open(os.path.join(a.out, "requests.jsonl"))]
    ev = load_events(a.events)
    client = json.load(open(a.client))
    for s in (x for x in acks if x["kind"] == "signin"):
        s["client_id"] = client["client_id"]
    survivors = [int(p) for p in a.nodes.split(",")]
    net = flows.Net([("127.0.0.1", p) for p in survivors])

    st = collections.Counter(str(r["status"]) for r in reqs)
    lat = sorted(r["dt"] for r in reqs if isinstance(r["status"], int))
    p = (lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] if lat else 0)
    print(f"requests: {len(reqs)} {dict(sorted(st.items()))}; latency p50 {p(0.5) * 1e3:.0f} ms, "
          f"p99 {p(0.99) * 1e3:.0f} ms, max {lat[-1] if lat else 0:.2f} s")
    since = ev.get("fault_end", ev.get("freeze_end", ev.get("kill", ev.get("rolling_end", [0]))))[0]
    print(f"acknowledged after the fault (kill, or end of the outage): {sum(1 for x in acks if x['t'] >= since)} "
          f"of {len(acks)} ({dict(collections.Counter(x['kind'] for x in acks))})")

    if "kill" in ev:
        kill_checks(reqs, ev, survivors)
    elif "freeze_start" in ev:
        freeze_checks(reqs, ev, a.bound, survivors)
    elif "rolling_start" in ev:
        rolling_checks(reqs, ev)
    else:
        window_checks(reqs, ev, a.bound, survivors)
    failures = json.load(open(os.path.join(a.out, "failures.json")))
    unsent = failures.get(f"outbox → {flows.NO_MESSAGE}", 0)
    verdict(unsent == 0, "every registration answered 303 has its code in the outbox (a committed row)",
            f"{unsent} without their message")
    db = Db(a.db)
    regs, signins = store_checks(db, acks)
    half_written(db, client["client_id"])
    api_checks(net, client, regs, signins)
    res = subprocess.run(a.audit_cmd, shell=True, capture_output=True, text=True)
    said = (res.stdout.strip() or res.stderr.strip() or "(no output)").splitlines()[-1]
    verdict(res.returncode == 0, "the audit chain verifies afterwards", f"`vhod audit verify`: {said}")
    print(f"RESULT: {'all requirements met' if not failed else 'FAILED: ' + '; '.join(failed)}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
