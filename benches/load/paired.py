"""The rounds and ratios of benches/load/paired.sh, from its results file (one JSON object a line).

Exit status 1 when a run failed or counted an error.
"""

import statistics
import sys

from report import LABEL, ORDER, per_cpu, print_load_at_end, round_runs, run_failed


def main(path):
    rows, tagged = round_runs(path)
    runs = {(r["scenario"], rnd, side): r for side, rnd, r in tagged}
    failed = any(run_failed(r) for _, _, r in tagged)

    print(f"{'scenario':<26} {'round':>5} {'1 node req/s':>12} {'3 nodes req/s':>13} {'ratio':>6} "
          f"{'per CPU-s':>9} {'errors':>6}")
    summary = []
    for s in ORDER:
        rounds = sorted({rnd for (sc, rnd, _) in runs if sc == s})
        wall, cpu = [], []
        for rnd in rounds:
            one, three = runs.get((s, rnd, "pg-1")), runs.get((s, rnd, "pg-3"))
            if not one or not three or "failed" in one or "failed" in three:
                print(f"{LABEL[s]:<26} {rnd:>5} FAILED")
                continue
            w = three["per_s"] / one["per_s"] if one["per_s"] else 0.0
            c = per_cpu(three) / per_cpu(one) if per_cpu(one) else 0.0
            wall.append(w)
            cpu.append(c)
            print(f"{LABEL[s]:<26} {rnd:>5} {one['per_s']:>12.1f} {three['per_s']:>13.1f} {w:>6.2f} "
                  f"{c:>9.2f} {one['errors'] + three['errors']:>6}")
        if wall:
            summary.append((s, wall, cpu))

    print()
    print("3 nodes / 1 node, paired rounds (target of issue 15: >= 0.85; reported, not asserted)")
    for s, wall, cpu in summary:
        print(f"  {LABEL[s]:<26} median {statistics.median(wall):.2f} (lowest {min(wall):.2f}, "
              f"highest {max(wall):.2f}); per CPU-s median {statistics.median(cpu):.2f} "
              f"({min(cpu):.2f}-{max(cpu):.2f}); {len(wall)} rounds")
    print_perf(runs)
    print_load_at_end(rows)
    return 1 if failed else 0


def print_perf(runs):
    """With PERF_STAT=1: the nodes' CPU time, context switches and page faults per request (perf
    stat's software counters over the timed part of each run, every node of the cluster
    together; this VM has no hardware counters)."""
    counted = [(k, r) for k, r in runs.items() if "perf_task_clock" in r and r.get("ok")]
    if not counted:
        return
    print()
    print("the nodes' counters per request (perf stat, medians of the rounds)")
    for s in ORDER:
        for side in ("pg-1", "pg-3"):
            mine = [r for (sc, _, sd), r in counted if sc == s and sd == side]
            if not mine:
                continue

            def per(key, scale=1.0):
                return statistics.median(r.get(key, 0.0) * scale / r["ok"] for r in mine)

            print(f"  {LABEL[s]:<26} {side}: {per('perf_task_clock', 1000.0):>7.1f} µs of CPU, "
                  f"{per('perf_context_switches'):>5.2f} context switches, "
                  f"{per('perf_page_faults'):>5.3f} page faults")

if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
