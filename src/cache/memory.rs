//! In-process cache for a single node.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Entries held before the first sweep of expired ones.
const FIRST_SWEEP_AT: usize = 10_000;

#[derive(Clone, Debug, Default)]
pub struct MemoryCache {
    entries: Arc<Mutex<Entries>>,
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
    #[cfg(test)]
    sweeps: usize,
}

impl Default for Entries {
    fn default() -> Self {
        Entries {
            map: HashMap::new(),
            sweep_at: FIRST_SWEEP_AT,
            #[cfg(test)]
            sweeps: 0,
        }
    }
}

impl Entries {
    fn insert(&mut self, key: &str, value: String, expires: Instant, now: Instant) {
        if self.map.len() >= self.sweep_at && !self.map.contains_key(key) {
            self.map.retain(|_, (_, exp)| *exp > now);
            self.sweep_at = (self.map.len() * 2).max(FIRST_SWEEP_AT);
            #[cfg(test)]
            {
                self.sweeps += 1;
            }
        }
        self.map.insert(key.to_owned(), (value, expires));
    }
}

fn expiry(now: Instant, ttl_secs: i64) -> Instant {
    now + Duration::from_secs(ttl_secs.max(1) as u64)
}

impl MemoryCache {
    pub fn put(&self, key: &str, value: &str, ttl_secs: i64) {
        let now = Instant::now();
        let mut e = self.entries.lock().expect("cache lock");
        e.insert(key, value.to_owned(), expiry(now, ttl_secs), now);
    }

    pub fn put_if_absent(&self, key: &str, value: &str, ttl_secs: i64) -> bool {
        let mut e = self.entries.lock().expect("cache lock");
        let now = Instant::now();
        if e.map.get(key).is_some_and(|(_, exp)| *exp > now) {
            return false;
        }
        e.insert(key, value.to_owned(), expiry(now, ttl_secs), now);
        true
    }

    /// Adds one to the counter under `key` (absent or expired counts as 0); the TTL starts with
    /// the first increment. The lock makes read and write one step.
    pub fn incr(&self, key: &str, ttl_secs: i64) -> i64 {
        let mut e = self.entries.lock().expect("cache lock");
        let now = Instant::now();
        let (n, expires) = match e.map.get(key).filter(|(_, exp)| *exp > now) {
            Some((v, exp)) => (v.parse::<i64>().unwrap_or(0) + 1, *exp),
            None => (1, expiry(now, ttl_secs)),
        };
        e.insert(key, n.to_string(), expires, now);
        n
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
        e.map
            .remove(key)
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
        c.put("k", "v", 60);
        assert_eq!(c.get("k").as_deref(), Some("v"));
        assert_eq!(c.take("k").as_deref(), Some("v"));
        assert_eq!(c.take("k"), None);
    }

    #[test]
    fn many_live_entries_are_swept_a_few_times_not_at_every_insert() {
        let c = MemoryCache::default();
        for i in 0..100_000 {
            c.put(&format!("tx:{i}"), "v", 1800);
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
            c.put_if_absent(&format!("jti:{i}"), "1", 1);
        }
        std::thread::sleep(Duration::from_millis(1100));
        assert_eq!(c.incr("login:new", 60), 1);
        let e = c.entries.lock().unwrap();
        assert_eq!(e.sweeps, 1);
        assert_eq!(e.map.len(), 1, "only the counter is left");
        assert_eq!(e.sweep_at, FIRST_SWEEP_AT);
    }
}
