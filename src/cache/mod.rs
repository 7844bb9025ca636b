//! Short-lived shared state with TTL: authorization codes, login and registration transactions,
//! demo RP state. `memory` serves one node; `redis` lets any node serve any step of any flow.
//! Two implementations behind one small enum: every call site stays the same.

mod failover;
mod memory;
mod redis_cache;
mod sentinel;

pub use memory::MemoryCache;
pub use redis_cache::{RedisCache, RedisSettings, TlsFiles};

#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("cache unavailable: {0}")]
    Unavailable(String),
    /// The cache's settings cannot work (found at start, before any request).
    #[error("cache settings: {0}")]
    Setting(String),
}

/// The memory cache is full of live entries: like a Redis at `maxmemory` with `noeviction`, the
/// write is refused and the request answers 503 with Retry-After.
fn full(_: memory::Full) -> CacheError {
    crate::metrics::cache_error();
    CacheError::Unavailable("the memory cache is full (cache.memory_max_mb)".into())
}

#[derive(Clone, Debug)]
pub enum Cache {
    Memory(MemoryCache),
    Redis(RedisCache),
}

impl Cache {
    /// "memory" or a redis:// URL; `prefix` namespaces every Redis key; `timeout` bounds every
    /// Redis command (an outage answers `Unavailable` within it, never hangs).
    pub async fn open(
        url: &str,
        prefix: &str,
        timeout: std::time::Duration,
    ) -> Result<Cache, CacheError> {
        Self::open_bounded(url, prefix, timeout, usize::MAX, &RedisSettings::default()).await
    }

    /// [`Cache::open`] with the memory cache's bound (`cache.memory_max_mb`, in bytes) and the
    /// files for Redis over TLS and its sentinels.
    pub async fn open_bounded(
        url: &str,
        prefix: &str,
        timeout: std::time::Duration,
        memory_max_bytes: usize,
        redis: &RedisSettings<'_>,
    ) -> Result<Cache, CacheError> {
        if url == "memory" && !redis.sentinels.trim().is_empty() {
            Err(CacheError::Setting(
                "cache.sentinels is set but cache.url is \"memory\": give the redis:// URL the \
                 master is reached with (its host and port come from the sentinels)"
                    .into(),
            ))
        } else if url == "memory" {
            Ok(Cache::Memory(MemoryCache::bounded(memory_max_bytes)))
        } else if url.starts_with("redis://") || url.starts_with("rediss://") {
            Ok(Cache::Redis(
                RedisCache::connect(url, prefix, timeout, redis).await?,
            ))
        } else {
            Err(CacheError::Setting(format!(
                "cache.url must be \"memory\" or redis://…, got {}",
                crate::store::redact(url)
            )))
        }
    }

    /// The memory cache's use and bound in bytes (`None` for Redis: its own INFO says).
    pub fn memory_usage(&self) -> Option<(usize, usize)> {
        match self {
            Cache::Memory(c) => Some(c.usage()),
            Cache::Redis(_) => None,
        }
    }

    /// Whether the cache answers now (readiness).
    pub async fn ping(&self) -> Result<(), CacheError> {
        match self {
            Cache::Memory(_) => Ok(()),
            Cache::Redis(c) => c.ping().await,
        }
    }

    pub async fn put(&self, key: &str, value: &str, ttl_secs: i64) -> Result<(), CacheError> {
        match self {
            Cache::Memory(c) => c.put(key, value, ttl_secs).map_err(full),
            Cache::Redis(c) => c.put(key, value, ttl_secs).await,
        }
    }

    pub async fn get(&self, key: &str) -> Result<Option<String>, CacheError> {
        match self {
            Cache::Memory(c) => Ok(c.get(key)),
            Cache::Redis(c) => c.get(key).await,
        }
    }

    /// Get and delete in one atomic step: exactly one caller ever receives the value.
    pub async fn take(&self, key: &str) -> Result<Option<String>, CacheError> {
        match self {
            Cache::Memory(c) => Ok(c.take(key)),
            Cache::Redis(c) => c.take(key).await,
        }
    }

    /// Stores the value only if the key is absent; true when this call stored it (replay sets).
    pub async fn put_if_absent(
        &self,
        key: &str,
        value: &str,
        ttl_secs: i64,
    ) -> Result<bool, CacheError> {
        match self {
            Cache::Memory(c) => c.put_if_absent(key, value, ttl_secs).map_err(full),
            Cache::Redis(c) => c.put_if_absent(key, value, ttl_secs).await,
        }
    }

    /// Atomic counter: adds one and returns the new value; the key expires `ttl_secs` after the
    /// first increment. Two nodes incrementing at once see distinct values (attempt and send caps).
    pub async fn incr(&self, key: &str, ttl_secs: i64) -> Result<i64, CacheError> {
        match self {
            Cache::Memory(c) => c.incr(key, ttl_secs).map_err(full),
            Cache::Redis(c) => c.incr(key, ttl_secs).await,
        }
    }

    pub async fn delete(&self, key: &str) -> Result<(), CacheError> {
        self.take(key).await.map(|_| ())
    }

    pub async fn put_json<T: serde::Serialize>(
        &self,
        key: &str,
        value: &T,
        ttl_secs: i64,
    ) -> Result<(), CacheError> {
        let text = serde_json::to_string(value).expect("cache values serialise");
        self.put(key, &text, ttl_secs).await
    }

    pub async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        key: &str,
    ) -> Result<Option<T>, CacheError> {
        Ok(self.get(key).await?.and_then(|s| decode(key, &s)))
    }

    pub async fn take_json<T: serde::de::DeserializeOwned>(
        &self,
        key: &str,
    ) -> Result<Option<T>, CacheError> {
        Ok(self.take(key).await?.and_then(|s| decode(key, &s)))
    }
}

/// A cached JSON value, or None — as if it had expired — when this build cannot read it (written
/// by another build during a rolling deploy that changed its shape incompatibly, which the tests
/// built on `cache::compat` guard against): counted by the key's kind and logged
/// without the value or serde's message, either of which may quote a secret.
fn decode<T: serde::de::DeserializeOwned>(key: &str, text: &str) -> Option<T> {
    match serde_json::from_str(text) {
        Ok(value) => Some(value),
        Err(e) => {
            let kind = key_kind(key);
            ::metrics::counter!("vhod_cache_unreadable_total", "kind" => kind.clone()).increment(1);
            tracing::warn!(
                kind = kind.as_str(),
                category = ?e.classify(),
                line = e.line(),
                column = e.column(),
                "a cached value could not be read (another build's shape?): treated as absent"
            );
            None
        }
    }
}

/// The kind of a cache key: what comes before its first `:` (`tx`, `code`, …), which names the
/// flow and never the person; a key without one is `other`.
fn key_kind(key: &str) -> String {
    match key.split_once(':') {
        Some((kind, _))
            if kind.len() <= 32
                && kind
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') =>
        {
            kind.to_owned()
        }
        _ => "other".to_owned(),
    }
}

#[cfg(test)]
pub(crate) mod compat;

#[cfg(test)]
mod decode_tests {
    #[test]
    fn a_value_this_build_cannot_read_is_absent_and_its_kind_names_no_one() {
        #[derive(serde::Deserialize)]
        struct Pending {
            #[allow(dead_code)]
            phone: String,
        }
        assert!(super::decode::<Pending>("reg:abc", r#"{"phone":"+79990000000"}"#).is_some());
        assert!(super::decode::<Pending>("reg:abc", r#"{"telephone":"+7999"}"#).is_none());
        assert!(super::decode::<Pending>("reg:abc", "{not json").is_none());
        assert_eq!(super::key_kind("tx:Zq81-secret-id"), "tx");
        assert_eq!(super::key_kind("code:hash"), "code");
        assert_eq!(super::key_kind("no-colon-at-all"), "other");
        assert_eq!(super::key_kind("a person's name:x"), "other");
    }
}
