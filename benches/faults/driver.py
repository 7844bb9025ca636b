#!/usr/bin/env python3
"""Load driver of the fault benches: WORKERS threads, each repeating for SECONDS

    register a new person (web pages + code from /dev/outbox)      → ack "registration"
    sign that person in through OpenID Connect (consent, tokens)   → ack "signin"
    every ADMIN_EVERY-th round: register a portal by the admin API → ack "audit"

An ack is written (acks.jsonl, one JSON object a line, flushed at once) only when every step of
the flow got the answer it expects; every request sent is logged to requests.jsonl. check.py
later compares the acks with the store and reads the request log around the fault.

    python3 driver.py --nodes 18601,18602 --seconds 60 --workers 6 --client client.json \
        --admin-token TOKEN --out DIR
"""

import argparse
import collections
import itertools
import json
import os
import random
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import flows  # noqa: E402

PAUSE_AFTER_FAILURE = 0.5  # seconds a worker waits before starting its next flow


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--nodes", required=True, help="comma-separated loopback ports")
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--workers", type=int, default=6)
    ap.add_argument("--client", required=True, help="JSON file: client_id, client_secret, redirect_uri")
    ap.add_argument("--admin-token", default="")
    ap.add_argument("--admin-every", type=int, default=3)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()

    nodes = [("127.0.0.1", int(p)) for p in a.nodes.split(",")]
    net = flows.Net(nodes)
    with open(a.client) as f:
        client = json.load(f)
    os.makedirs(a.out, exist_ok=True)
    acks = open(os.path.join(a.out, "acks.jsonl"), "a")
    ack_lock = threading.Lock()
    counts = collections.Counter()
    failures = collections.Counter()
    counter = itertools.count()
    prefix = random.randint(100, 999)
    deadline = time.time() + a.seconds

    def ack(kind, **fields):
        fields.update(kind=kind, t=time.time())
        with ack_lock:
            acks.write(json.dumps(fields, ensure_ascii=False) + "\n")
            acks.flush()
            counts[kind] += 1

    def worker():
        while time.time() < deadline:
            i = next(counter)
            phone = f"+79{prefix:03d}{i:06d}"
            try:
                b = flows.register(net, phone)
                ack("registration", phone=phone, cookies=dict(b.jar))
                r = flows.sign_in(net, client, phone)
                ack("signin", phone=phone, **r)
                if a.admin_token and i % a.admin_every == 0:
                    cid = flows.add_client(net, a.admin_token, f"faults-{prefix}-{i}")
                    ack("audit", client_id=cid)
            except flows.StepFailed as e:
                with ack_lock:
                    failures[f"{e.step} → {e.status}"] += 1
                time.sleep(PAUSE_AFTER_FAILURE)
            except Exception as e:  # a page without the expected field: the flow failed
                with ack_lock:
                    failures[f"unexpected {type(e).__name__}: {str(e)[:60]}"] += 1
                time.sleep(PAUSE_AFTER_FAILURE)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(a.workers)]
    for t in threads:
        t.start()
    for t in threads:
        # A flow has at most 13 requests, each bounded by flows.TIMEOUT.
        t.join(timeout=max(0.0, deadline - time.time()) + 13 * flows.TIMEOUT)
    acks.close()
    with open(os.path.join(a.out, "requests.jsonl"), "w") as f:
        with net.lock:
            for e in net.log:
                f.write(json.dumps(e) + "\n")
    with open(os.path.join(a.out, "failures.json"), "w") as f:
        json.dump(dict(failures), f, ensure_ascii=False, indent=1)
    print(f"driver: {a.workers} workers, {a.seconds:.0f} s, {len(net.log)} requests; acknowledged "
          f"{counts['registration']} registrations, {counts['signin']} sign-ins, {counts['audit']} "
          f"admin changes; {sum(failures.values())} flows failed")
    for k, v in failures.most_common(8):
        print(f"  failed flow: {k} ×{v}")


if __name__ == "__main__":
    main()
