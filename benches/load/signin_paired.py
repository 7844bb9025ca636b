"""The rounds and ratios of benches/load/signin_paired.sh, from its results file (one JSON object a
line): per round the sign-in rate, the raw argon2id rates beside it and their ratios, argon2id's
share of the server's CPU and the server's CPU per sign-in; then medians, and what the sign-in
around the hash costs (its CPU, the kernel's part, context switches) against what it may cost
for 0.95 of the huge-page rate.

Exit status 1 when a sign-in run failed or counted an error.
"""

import statistics
import sys

from report import per_cpu, print_load_at_end, round_runs, run_failed


def main(path):
    rows, tagged = round_runs(path)
    rounds = {}
    for topo, rnd, r in tagged:
        rounds.setdefault(rnd, {"topology": topo})[r["scenario"]] = r
    failed = any(run_failed(r) for _, _, r in tagged if r["scenario"] == "signin")

    print(f"{'round':>5} {'sign-ins/s':>10} {'raw/s':>7} {'huge/s':>7} {'ratio':>6} {'per CPU-s':>9} "
          f"{'ratio huge':>10} {'per CPU-s':>9} {'argon2 share':>12} {'CPU ms/flow':>11} {'errors':>6}")
    cols = {k: [] for k in ("plain", "plain_cpu", "huge", "huge_cpu", "share", "ms", "rest", "kernel",
                            "switches", "budget")}
    topo = "?"
    for rnd in sorted(rounds):
        got = rounds[rnd]
        topo = got["topology"]
        s, plain, huge = got.get("signin"), got.get("argon2"), got.get("argon2-huge")
        if not s or "failed" in s or not plain or not huge or not s["per_s"]:
            print(f"{rnd:>5} FAILED")
            continue
        per_flow = lambda x: x / s["per_s"] * 1000  # a rate's CPU share as ms a sign-in
        ratio = {
            "plain": s["per_s"] / plain["per_s"],
            "plain_cpu": per_cpu(s) / plain["per_cpu_s"] if per_cpu(s) else 0.0,
            "huge": s["per_s"] / huge["per_s"],
            "huge_cpu": per_cpu(s) / huge["per_cpu_s"] if per_cpu(s) else 0.0,
            "share": s["hash_cpu"] / s["server_cpu"] if s.get("server_cpu") else 0.0,
            "ms": per_flow(s["server_cpu"]),
        }
        for k, v in ratio.items():
            cols[k].append(v)
        if "switches" in s and s.get("server_cpu"):
            # Per flow: the server's CPU beside the hashing thread, the kernel's part of all its CPU,
            # its threads' context switches; and what the part beside the hash may take for the
            # flow to last 1/0.95 of one hash at the huge-page rate.
            cols["rest"].append(per_flow(s["server_cpu"] - s["hash_cpu"]))
            cols["kernel"].append(per_flow(s["server_sys"]))
            cols["switches"].append(s["switches"] / s["per_s"])
            cols["budget"].append(1000 / huge["per_s"] / 0.95 - per_flow(s["hash_cpu"]))
        print(f"{rnd:>5} {s['per_s']:>10.1f} {plain['per_s']:>7.1f} {huge['per_s']:>7.1f} "
              f"{ratio['plain']:>6.2f} {ratio['plain_cpu']:>9.2f} {ratio['huge']:>10.2f} "
              f"{ratio['huge_cpu']:>9.2f} {ratio['share']:>12.3f} {ratio['ms']:>11.2f} {s['errors']:>6}")

    def line(label, k, digits=2):
        v = cols[k]
        return (f"  {label:<52} median {statistics.median(v):.{digits}f} "
                f"(lowest {min(v):.{digits}f}, highest {max(v):.{digits}f})")

    print()
    if cols["plain"]:
        print(f"sign-in / raw argon2id, {topo}, paired rounds (target of issue 15: >= 0.95; reported, "
              f"not asserted); {len(cols['plain'])} rounds")
        print(line("raw rate in a plain allocation, per wall s", "plain"))
        print(line("raw rate in a plain allocation, per CPU-s", "plain_cpu"))
        print(line("raw rate in huge pages (as vhod hashes), per wall s", "huge"))
        print(line("raw rate in huge pages (as vhod hashes), per CPU-s", "huge_cpu"))
        print(line("argon2id's share of the server's CPU", "share", 3))
        print(line("server CPU per sign-in, ms", "ms"))
    if cols["rest"]:
        print(line("of it beside argon2id's thread, ms", "rest"))
        print(line("of it in the kernel (all its threads), ms", "kernel"))
        print(line("context switches of the server's threads a sign-in", "switches", 1))
        print(line("allowed beside the hash for 0.95 of huge pages, ms", "budget"))
    print_load_at_end(rows)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
