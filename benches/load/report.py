"""The table and the ratios of benches/load/run.sh, from its results file (one JSON object a line).

Exit status 1 when a run failed or counted an error (a benchmark of errors is no measurement).
"""

import json
import sys

ORDER = ["signin", "refresh", "cc", "userinfo", "introspect", "discovery"]
LABEL = {
    "signin": "sign-in (complete flows)",
    "refresh": "refresh (rotating)",
    "cc": "client_credentials ES256",
    "userinfo": "userinfo",
    "introspect": "introspection",
    "discovery": "discovery + JWKS",
}
TOPOLOGIES = ["sqlite-1", "pg-1", "pg-3", "oidc-provider"]


def per_cpu(r):
    return r["per_s"] / r["server_cpu"] if r.get("server_cpu") else 0.0


def read_rows(path):
    """A results file: one JSON object a line."""
    return [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]


def round_runs(path):
    """A paired bench's results file: all its rows, and its runs as (side, round, run) — their
    topology is written `side#round`."""
    rows = read_rows(path)
    runs = []
    for r in rows:
        if "topology" not in r or "scenario" not in r:
            continue
        side, _, rnd = r["topology"].partition("#")
        runs.append((side, int(rnd), r))
    return rows, runs


def print_load_at_end(rows):
    for r in rows:
        if r.get("kind") == "load":
            print(f"  load average at end {r['end']}")


def run_failed(r):
    """A run that gave no result, counted an error or succeeded in nothing."""
    return "failed" in r or bool(r["errors"]) or not r["ok"]


def main(path):
    rows = read_rows(path)
    runs = {(r["topology"], r["scenario"]): r for r in rows if "topology" in r and "scenario" in r}
    failed = False

    print(f"{'topology':<14} {'scenario':<26} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
          f"{'p99.9 ms':>9} {'errors':>6} {'driver':>6} {'server':>6} {'per CPU-s':>9}")
    for topo in TOPOLOGIES:
        for s in ORDER:
            r = runs.get((topo, s))
            if r is None:
                continue
            if "failed" in r:
                failed = True
                print(f"{topo:<14} {LABEL[s]:<26} FAILED: {r['failed']}")
                continue
            if r["errors"] or not r["ok"]:
                failed = True
            print(f"{topo:<14} {LABEL[s]:<26} {r['per_s']:>9.1f} {r['p50_ms']:>8.2f} {r['p99_ms']:>8.2f} "
                  f"{r['p999_ms']:>9.2f} {r['errors']:>6} {r['driver_cpu'] * 100:>5.0f}% {r['server_cpu'] * 100:>5.0f}% "
                  f"{per_cpu(r):>9.1f}")
    print("(req/s of sign-in = complete flows/s, 7 requests each; driver/server = CPU use of the load "
          "driver and of the server processes, 100% = one core; per CPU-s = req/s ÷ server CPU: iterations per "
          "second of server CPU, PostgreSQL's and Redis' not counted)")
    for r in rows:
        if r.get("kind") == "note":
            print(r["text"])

    def rate(topo, s):
        r = runs.get((topo, s))
        return r["per_s"] if r and "failed" not in r and r["ok"] else None

    def cpu_rate(topo, s):
        r = runs.get((topo, s))
        return per_cpu(r) if r and "failed" not in r and r["ok"] and r["server_cpu"] > 0 else None

    def both(a, b, a_cpu, b_cpu):
        """a/b per wall second, and per CPU-second when both are known."""
        wall = f"{a / b:.2f}"
        return wall + (f" (per CPU-s {a_cpu / b_cpu:.2f})" if a_cpu and b_cpu else "")

    print()
    print("ratios (targets of issue 15; reported, not asserted)")
    for topo in TOPOLOGIES[:3]:
        v, argon = rate(topo, "signin"), runs.get((topo, "argon2"))
        if v and argon:
            # The raw rate before the sign-ins and, when measured, after them: their mean.
            after = runs.get((topo, "argon2-after"))
            raws = [argon] + ([after] if after else [])
            raw = sum(r["per_s"] for r in raws) / len(raws)
            raw_cpu = sum(r["per_cpu_s"] for r in raws) / len(raws)
            spread = f"; before {argon['per_s']:.1f}, after {after['per_s']:.1f}" if after else ""
            print(f"  sign-in / raw argon2id rate, {topo:<8} {v:.1f} / {raw:.1f} = "
                  f"{both(v, raw, cpu_rate(topo, 'signin'), raw_cpu)}"
                  f"   (target >= 0.95; m={argon['memory_kib']} KiB t={argon['iterations']} p=1, one thread{spread})")
            huges = [(when, runs.get((topo, key))) for when, key in
                     (("before", "argon2-huge"), ("after", "argon2-huge-after"))]
            huges = [(when, r) for when, r in huges if r]
            if huges:
                huge = sum(r["per_s"] for _, r in huges) / len(huges)
                huge_cpu = sum(r["per_cpu_s"] for _, r in huges) / len(huges)
                each = ", ".join("%s %.1f" % (when, r["per_s"]) for when, r in huges)
                print(f"  sign-in / raw argon2id rate in huge pages (as vhod hashes), {topo:<8} {v:.1f} / "
                      f"{huge:.1f} = {both(v, huge, cpu_rate(topo, 'signin'), huge_cpu)}   ({each})")
            r = runs[(topo, "signin")]
            if r.get("hash_cpu") and r.get("server_cpu"):
                print(f"  argon2id's share of the server's CPU during sign-in, {topo:<8} "
                      f"{r['hash_cpu'] / r['server_cpu']:.3f}   (the rest is the sign-in around the hash)")
                if r.get("per_s") and "sqlite_cpu" in r:
                    # Server CPU milliseconds per complete sign-in, by kind of thread.
                    per = lambda x: x / r["per_s"] * 1e3
                    rest = r["server_cpu"] - r["hash_cpu"] - r["sqlite_cpu"]
                    db = (f", SQLite connection threads {per(r['sqlite_cpu']):.2f}" if r["sqlite_cpu"] > 0
                          else " (PostgreSQL's and Redis' own CPU not counted)")
                    kernel = (f"; the kernel's part {per(r['server_sys']):.2f} ms, "
                              f"{r['switches'] / r['per_s']:.1f} context switches" if "switches" in r else "")
                    print(f"  server CPU per sign-in, {topo:<8} {per(r['server_cpu']):.2f} ms: argon2id "
                          f"{per(r['hash_cpu']):.2f}, requests (tokio workers) {per(rest):.2f}{db}{kernel}")
    for s in ("cc", "discovery"):
        op = rate("oidc-provider", s)
        for topo in TOPOLOGIES[:3]:
            v = rate(topo, s)
            if v and op:
                target = "   (target >= 10x)" if s == "cc" else ""
                print(f"  {LABEL[s]} vhod {topo} / oidc-provider "
                      f"{both(v, op, cpu_rate(topo, s), cpu_rate('oidc-provider', s))}{target}")
    for topo in TOPOLOGIES[:3]:
        v, es = rate(topo, "cc"), runs.get((topo, "es256"))
        if v and es:
            print(f"  client_credentials / one-core ES256 signing rate (ring), {topo:<8} {v:.0f} / "
                  f"{es['per_s']:.0f} = {both(v, es['per_s'], cpu_rate(topo, 'cc'), es.get('per_cpu_s'))}"
                  f"   (target >= 0.7)")
    for s in ("userinfo", "introspect"):
        for topo in TOPOLOGIES[:3]:
            v = rate(topo, s)
            if v:
                print(f"  {LABEL[s]:<14} {topo:<8} {v / 3600:5.1f}x the 3.6k req/s of the issue   (target >= 4x)")
    for s in ORDER:
        one, three = rate("pg-1", s), rate("pg-3", s)
        if one and three:
            print(f"  3 nodes / 1 node (PostgreSQL + Redis), {LABEL[s]:<26} "
                  f"{both(three, one, cpu_rate('pg-3', s), cpu_rate('pg-1', s))}   (target >= 0.85)")
    for r in rows:
        if r.get("kind") == "rss":
            print(f"  RSS after sign-in load, {r['topology']} node {r['node']}: {r['rss_mib']:.1f} MiB "
                  f"(peak {r['hwm_mib']:.1f} MiB)   (target < 100 MB = 95.4 MiB)")
    for r in rows:
        if r.get("kind") == "load":
            print(f"  load average (1, 5, 15 min): at start {r['start']}, at end {r['end']}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
