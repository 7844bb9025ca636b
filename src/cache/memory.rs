//! In-process cache for a single node.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Clone, Debug, Default)]
pub struct MemoryCache {
    entries: Arc<Mutex<HashMap<String, (String, Instant)>>>,
}

impl MemoryCache {
    pub fn put(&self, key: &str, value: &str, ttl_secs: i64) {
        let expires = Instant::now() + Duration::from_secs(ttl_secs.max(1) as u64);
        let mut map = self.entries.lock().expect("cache lock");
        if map.len() > 10_000 {
            let now = Instant::now();
            map.retain(|_, (_, exp)| *exp > now);
        }
        map.insert(key.to_owned(), (value.to_owned(), expires));
    }

    pub fn put_if_absent(&self, key: &str, value: &str, ttl_secs: i64) -> bool {
        let mut map = self.entries.lock().expect("cache lock");
        let now = Instant::now();
        if map.get(key).is_some_and(|(_, exp)| *exp > now) {
            return false;
        }
        let expires = now + Duration::from_secs(ttl_secs.max(1) as u64);
        map.insert(key.to_owned(), (value.to_owned(), expires));
        true
    }

    /// Adds one to the counter under `key` (absent or expired counts as 0); the TTL starts with
    /// the first increment. The lock makes read and write one step.
    pub fn incr(&self, key: &str, ttl_secs: i64) -> i64 {
        let mut map = self.entries.lock().expect("cache lock");
        let now = Instant::now();
        let (n, expires) = match map.get(key).filter(|(_, exp)| *exp > now) {
            Some((v, exp)) => (v.parse::<i64>().unwrap_or(0) + 1, *exp),
            None => (1, now + Duration::from_secs(ttl_secs.max(1) as u64)),
        };
        map.insert(key.to_owned(), (n.to_string(), expires));
        n
    }

    pub fn get(&self, key: &str) -> Option<String> {
        let map = self.entries.lock().expect("cache lock");
        map.get(key)
            .filter(|(_, exp)| *exp > Instant::now())
            .map(|(v, _)| v.clone())
    }

    pub fn take(&self, key: &str) -> Option<String> {
        let mut map = self.entries.lock().expect("cache lock");
        map.remove(key)
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
}
