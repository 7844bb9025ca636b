//! A node nobody scrapes does not grow by the requests it serves: the Prometheus exporter keeps
//! every histogram sample until its upkeep folds them into buckets, and vhod runs that upkeep
//! itself (`metrics::UPKEEP_EVERY`). Before, a client_credentials load grew a node by ≈ 17 bytes a
//! request (49 → 67 MiB in one minute) until the first scrape of /metrics.
//! Its own test binary: the measure is this process's resident memory, which other tests running
//! beside it would move.

use std::time::Duration;

/// Requests recorded per batch, and batches.
const PER_BATCH: usize = 1_000_000;
const BATCHES: usize = 4;

fn resident_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .expect("VmRSS");
    kib * 1024
}

fn record_batch() {
    for i in 0..PER_BATCH {
        let seconds = (i % 1000) as f64 / 100_000.0;
        vhod::metrics::http_request("/metrics-memory-test", "POST", 200, seconds);
    }
}

#[test]
fn histogram_samples_do_not_pile_up_in_memory_between_scrapes_and_none_is_lost() {
    vhod::metrics::install();
    let settle = vhod::metrics::UPKEEP_EVERY + Duration::from_millis(500);
    record_batch();
    std::thread::sleep(settle);
    let before = resident_bytes();
    for _ in 1..BATCHES {
        record_batch();
        std::thread::sleep(settle);
    }
    let grown = resident_bytes().saturating_sub(before);
    // Kept, the samples of the three later batches alone take ≥ 8 bytes each: 24 MB.
    let limit = 8 * 1024 * 1024;
    assert!(
        grown < limit,
        "resident memory grew by {grown} bytes over {} recorded requests (limit {limit})",
        (BATCHES - 1) * PER_BATCH
    );
    // Folded, not dropped: a scrape afterwards counts every request.
    let text = vhod::metrics::render().expect("the recorder is vhod's");
    let count = text
        .lines()
        .find(|l| {
            l.starts_with("vhod_http_request_duration_seconds_count")
                && l.contains("route=\"/metrics-memory-test\"")
        })
        .and_then(|l| l.rsplit(' ').next()?.parse::<usize>().ok());
    assert_eq!(count, Some(BATCHES * PER_BATCH), "{text}");
}
