//! In-process cache for a single node, bounded in memory like Redis with `maxmemory` and
//! `noeviction`: when the entries reach `cache.memory_max_mb`, expired ones are swept out at once
//! and, if live ones still fill it, a write is refused (the request answers 503) rather than the
//! process growing until the kernel kills it — and every session-less flow in it. Nothing live is
//! evicted: the cache holds single-use markers (used codes, DPoP proofs) whose loss would let a
//! replay count.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Entries held before the first sweep of expired ones.
const FIRST_SWEEP_AT: usize = 10_000;

/// Bytes an entry costs beyond its key and value: the map's slot, two string headers, the expiry
/// and the allocator's rounding (a login transaction of ≈ 600 bytes of JSON measured 904 bytes of
/// resident memory per entry: benches/login_tx_memory.sh).
const ENTRY_OVERHEAD: usize = 128;

/// A write refused because live entries fill `cache.memory_max_mb`.
#[derive(Debug)]
pub struct Full;

#[derive(Clone, Debug)]
pub struct MemoryCache {
    entries: Arc<Mutex<Entries>>,
}

impl Default for MemoryCache {
    fn default() -> Self {
        MemoryCache::bounded(usize::MAX)
    }
}

#[derive(Debug)]
struct Entries {
    map: HashMap<String, (String, Instant)>,
    /// The size at which the next insert sweeps out expired entries: twice what the last sweep
    /// left. A sweep reads every entry, so sweeping at a fixed size would read them all again at
    /// every insert while that many are alive (a flood of authorization requests keeps their
    /// login transactions alive for `session.login_tx_ttl`); doubling keeps it a constant cost
    /// per insert.
    sweep_at: usize,
    /// What the entries cost (`cost`), and the most they may.
    bytes: usize,
    max_bytes: usize,
    #[cfg(test)]
    sweeps: usize,
}

fn cost(key: &str, value: &str) -> usize {
    key.len() + value.len() + ENTRY_OVERHEAD
}

impl Entries {
    fn sweep(&mut self, now: Instant) {
        self.map.retain(|_, (_, exp)| *exp > now);
        self.bytes = self.map.iter().map(|(k, (v, _))| cost(k, v)).sum();
        self.sweep_at = (self.map.len() * 2).max(FIRST_SWEEP_AT);
        #[cfg(test)]
        {
            self.sweeps += 1;
        }
    }

    fn insert(
        &mut self,
        key: &str,
        value: String,
        expires: Instant,
        now: Instant,
    ) -> Result<(), Full> {
        let old = self.map.get(key).map_or(0, |(v, _)| cost(key, v));
        if old == 0 && self.map.len() >= self.sweep_at {
            self.sweep(now);
        }
        let new = cost(key, &value);
        if self.bytes - old + new > self.max_bytes {
            self.sweep(now);
            let old = self.map.get(key).map_or(0, |(v, _)| cost(key, v));
            if self.bytes - old + new > self.max_bytes {
                return Err(Full);
            }
        }
        let old = self.map.get(key).map_or(0, |(v, _)| cost(key, v));
        self.bytes = self.bytes - old + new;
        self.map.insert(key.to_owned(), (value, expires));
        Ok(())
    }

    fn remove(&mut self, key: &str) -> Option<(String, Instant)> {
        let removed = self.map.remove(key)?;
        self.bytes -= cost(key, &removed.0);
        Some(removed)
    }
}

fn expiry(now: Instant, ttl_secs: i64) -> Instant {
    now + Duration::from_secs(ttl_secs.max(1) as u64)
}

impl MemoryCache {
    /// A cache whose entries may cost at most `max_bytes` (see `cost`).
    pub fn bounded(max_bytes: usize) -> MemoryCache {
        MemoryCache {
            entries: Arc::new(Mutex::new(Entries {
                map: HashMap::new(),
                sweep_at: FIRST_SWEEP_AT,
                bytes: 0,
                max_bytes,
                #[cfg(test)]
                sweeps: 0,
            })),
        }
    }

    pub fn put(&self, key: &str, value: &str, ttl_secs: i64) -> Result<(), Full> {
        let now = Instant::now();
        let mut e = self.entries.lock().expect("cache lock");
        e.insert(key, value.to_owned(), expiry(now, ttl_secs), now)
    }

    pub fn put_if_absent(&self, key: &str, value: &str, ttl_secs: i64) -> Result<bool, Full> {
        let mut e = self.entries.lock().expect("cache lock");
        let now = Instant::now();
        if e.map.get(key).is_some_and(|(_, exp)| *exp > now) {
            return Ok(false);
        }
        e.insert(key, value.to_owned(), expiry(now, ttl_secs), now)?;
        Ok(true)
    }

    /// Adds one to the counter under `key` (absent or expired counts as 0); the TTL starts with
    /// the first increment. The lock makes read and write one step.
    pub fn incr(&self, key: &str, ttl_secs: i64) -> Result<i64, Full> {
        let mut e = self.entries.lock().expect("cache lock");
        let now = Instant::now();
        let (n, expires) = match e.map.get(key).filter(|(_, exp)| *exp > now) {
            Some((v, exp)) => (v.parse::<i64>().unwrap_or(0) + 1, *exp),
            None => (1, expiry(now, ttl_secs)),
        };
        e.insert(key, n.to_string(), expires, now)?;
        Ok(n)
    }

    /// What the entries cost now and the most they may (bytes, as `cost` counts them).
    pub fn usage(&self) -> (usize, usize) {
        let e = self.entries.lock().expect("cache lock");
        (e.bytes, e.max_bytes)
    }

    pub fn get(&self, key: &str) -> Option<String> {
        let e = self.entries.lock().expect("cache lock");
        e.map
            .get(key)
            .filter(|(_, exp)| *exp > Instant::now())
            .map(|(v, _)| v.clone())
    }

    pub fn take(&self, key: &str) -> Option<String> {
        let mut e = self.entries.lock().expect("cache lock");
        e.remove(key)
            .filter(|(_, exp)| *exp > Instant::now())
            .map(|(v, _)| v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn take_returns_the_value_once() {
        let c = MemoryCache::default();
        c.put("k", "v", 60).unwrap();
        assert_eq!(c.get("k").as_deref(), Some("v"));
        assert_eq!(c.take("k").as_deref(), Some("v"));
        assert_eq!(c.take("k"), None);
    }

    #[test]
    fn many_live_entries_are_swept_a_few_times_not_at_every_insert() {
        let c = MemoryCache::default();
        for i in 0..100_000 {
            c.put(&format!("tx:{i}"), "v", 1800).unwrap();
        }
        let e = c.entries.lock().unwrap();
        assert_eq!(e.map.len(), 100_000, "live entries are kept");
        // Sweeps at 10 000, 20 000, 40 000 and 80 000 entries (was: one at every insert past
        // 10 000: 89 999 sweeps, each reading every entry).
        assert_eq!(e.sweeps, 4);
    }

    #[test]
    fn expired_entries_go_at_the_next_sweep_whichever_insert_makes_it() {
        let c = MemoryCache::default();
        for i in 0..FIRST_SWEEP_AT {
            c.put_if_absent(&format!("jti:{i}"), "1", 1).unwrap();
        }
        std::thread::sleep(Duration::from_millis(1100));
        assert_eq!(c.incr("login:new", 60).unwrap(), 1);
        let e = c.entries.lock().unwrap();
        assert_eq!(e.sweeps, 1);
        assert_eq!(e.map.len(), 1, "only the counter is left");
        assert_eq!(e.sweep_at, FIRST_SWEEP_AT);
    }

    #[test]
    fn a_full_cache_refuses_new_entries_keeps_the_live_ones_and_takes_more_once_some_go() {
        let entry = cost("tx:0", "v");
        let c = MemoryCache::bounded(entry * 3);
        for i in 0..3 {
            c.put(&format!("tx:{i}"), "v", 1800).unwrap();
        }
        assert!(
            c.put("tx:3", "v", 1800).is_err(),
            "a fourth entry does not fit"
        );
        assert!(c.put_if_absent("tx:4", "v", 1800).is_err());
        assert!(c.incr("tx:5", 60).is_err());
        for i in 0..3 {
            assert_eq!(
                c.get(&format!("tx:{i}")).as_deref(),
                Some("v"),
                "nothing live evicted"
            );
        }
        c.put("tx:1", "w", 1800).unwrap();
        assert_eq!(
            c.get("tx:1").as_deref(),
            Some("w"),
            "an entry of the same size is replaced"
        );
        assert_eq!(c.take("tx:0").as_deref(), Some("v"));
        c.put("tx:3", "v", 1800).unwrap();
        assert_eq!(c.entries.lock().unwrap().bytes, entry * 3);
    }

    #[test]
    fn a_full_cache_sweeps_expired_entries_before_it_refuses() {
        let entry = cost("jti:0", "1");
        let c = MemoryCache::bounded(entry * 2);
        c.put_if_absent("jti:0", "1", 1).unwrap();
        c.put_if_absent("jti:1", "1", 1).unwrap();
        std::thread::sleep(Duration::from_millis(1100));
        assert!(c.put_if_absent("jti:2", "1", 60).unwrap());
        let e = c.entries.lock().unwrap();
        assert_eq!((e.map.len(), e.bytes), (1, entry));
    }
}
