//! Redis-backed cache shared by every node. `take` is GETDEL, atomic on the server.
//! Every command is bounded by `timeout`: while Redis is away a request fails fast (503 upstream)
//! instead of hanging, and the connection manager reconnects by itself when Redis returns.

use super::CacheError;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use std::time::Duration;

#[derive(Clone)]
pub struct RedisCache {
    conn: ConnectionManager,
    prefix: String,
    timeout: Duration,
}

impl std::fmt::Debug for RedisCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RedisCache(prefix={})", self.prefix)
    }
}

fn unavailable(e: redis::RedisError) -> CacheError {
    crate::metrics::cache_error();
    CacheError::Unavailable(e.to_string())
}

impl RedisCache {
    pub async fn connect(
        url: &str,
        prefix: &str,
        timeout: Duration,
    ) -> Result<RedisCache, CacheError> {
        let client = redis::Client::open(url).map_err(unavailable)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(timeout))
            .set_response_timeout(Some(timeout))
            .set_number_of_retries(2)
            .set_max_delay(Duration::from_millis(500));
        let conn = tokio::time::timeout(
            timeout.max(Duration::from_secs(10)),
            ConnectionManager::new_with_config(client, config),
        )
        .await
        .map_err(|_| CacheError::Unavailable(format!("{url}: timed out")))?
        .map_err(|e| CacheError::Unavailable(format!("{url}: {e}")))?;
        let cache = RedisCache {
            conn,
            prefix: prefix.to_owned(),
            timeout,
        };
        let mut c = cache.conn.clone();
        redis::cmd("PING")
            .query_async::<String>(&mut c)
            .await
            .map_err(|e| CacheError::Unavailable(format!("{url}: {e}")))?;
        Ok(cache)
    }

    /// One command, bounded: a timeout counts as the cache being unavailable, and the rest of the
    /// request does not wait for Redis again (`metrics::silent`: a request with three commands
    /// would otherwise answer after three timeouts while Redis is frozen).
    async fn run<T: redis::FromRedisValue>(&self, cmd: &redis::Cmd) -> Result<T, CacheError> {
        if crate::metrics::silent("cache") {
            return Err(CacheError::Unavailable(
                "redis: timed out earlier in this request".into(),
            ));
        }
        let mut c = self.conn.clone();
        match tokio::time::timeout(self.timeout, cmd.query_async::<T>(&mut c)).await {
            Ok(Err(e)) if e.is_timeout() => {
                // The connection manager's own response timeout (the same length) came first.
                crate::metrics::note_silent("cache");
                Err(unavailable(e))
            }
            Ok(r) => r.map_err(unavailable),
            Err(_) => {
                crate::metrics::cache_error();
                crate::metrics::note_silent("cache");
                Err(CacheError::Unavailable("redis: timed out".into()))
            }
        }
    }

    pub async fn ping(&self) -> Result<(), CacheError> {
        self.run::<String>(&redis::cmd("PING")).await.map(|_| ())
    }

    fn key(&self, key: &str) -> String {
        format!("{}{}", self.prefix, key)
    }

    pub async fn put(&self, key: &str, value: &str, ttl_secs: i64) -> Result<(), CacheError> {
        self.run(
            redis::cmd("SET")
                .arg(self.key(key))
                .arg(value)
                .arg("EX")
                .arg(ttl_secs.max(1)),
        )
        .await
    }

    pub async fn put_if_absent(
        &self,
        key: &str,
        value: &str,
        ttl_secs: i64,
    ) -> Result<bool, CacheError> {
        let set: Option<String> = self
            .run(
                redis::cmd("SET")
                    .arg(self.key(key))
                    .arg(value)
                    .arg("NX")
                    .arg("EX")
                    .arg(ttl_secs.max(1)),
            )
            .await?;
        Ok(set.is_some())
    }

    /// INCR and, on the first increment, EXPIRE in one server-side script (atomic on the server).
    pub async fn incr(&self, key: &str, ttl_secs: i64) -> Result<i64, CacheError> {
        self.run(
            redis::cmd("EVAL")
                .arg(
                    "local n = redis.call('INCR', KEYS[1]) \
                 if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end return n",
                )
                .arg(1)
                .arg(self.key(key))
                .arg(ttl_secs.max(1)),
        )
        .await
    }

    pub async fn get(&self, key: &str) -> Result<Option<String>, CacheError> {
        self.run(redis::cmd("GET").arg(self.key(key))).await
    }

    pub async fn take(&self, key: &str) -> Result<Option<String>, CacheError> {
        self.run(redis::cmd("GETDEL").arg(self.key(key))).await
    }
}
