//! Redis-backed cache shared by every node. `take` is GETDEL, atomic on the server.

use super::CacheError;
use redis::aio::ConnectionManager;

#[derive(Clone)]
pub struct RedisCache {
    conn: ConnectionManager,
    prefix: String,
}

impl std::fmt::Debug for RedisCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RedisCache(prefix={})", self.prefix)
    }
}

fn unavailable(e: redis::RedisError) -> CacheError {
    CacheError::Unavailable(e.to_string())
}

impl RedisCache {
    pub async fn connect(url: &str, prefix: &str) -> Result<RedisCache, CacheError> {
        let client = redis::Client::open(url).map_err(unavailable)?;
        let conn = tokio::time::timeout(
            std::time::Duration::from_secs(10),
            ConnectionManager::new(client),
        )
        .await
        .map_err(|_| CacheError::Unavailable(format!("{url}: timed out")))?
        .map_err(|e| CacheError::Unavailable(format!("{url}: {e}")))?;
        let cache = RedisCache {
            conn,
            prefix: prefix.to_owned(),
        };
        let mut c = cache.conn.clone();
        redis::cmd("PING")
            .query_async::<String>(&mut c)
            .await
            .map_err(|e| CacheError::Unavailable(format!("{url}: {e}")))?;
        Ok(cache)
    }

    fn key(&self, key: &str) -> String {
        format!("{}{}", self.prefix, key)
    }

    pub async fn put(&self, key: &str, value: &str, ttl_secs: i64) -> Result<(), CacheError> {
        let mut c = self.conn.clone();
        redis::cmd("SET")
            .arg(self.key(key))
            .arg(value)
            .arg("EX")
            .arg(ttl_secs.max(1))
            .query_async::<()>(&mut c)
            .await
            .map_err(unavailable)
    }

    pub async fn put_if_absent(
        &self,
        key: &str,
        value: &str,
        ttl_secs: i64,
    ) -> Result<bool, CacheError> {
        let mut c = self.conn.clone();
        let set: Option<String> = redis::cmd("SET")
            .arg(self.key(key))
            .arg(value)
            .arg("NX")
            .arg("EX")
            .arg(ttl_secs.max(1))
            .query_async(&mut c)
            .await
            .map_err(unavailable)?;
        Ok(set.is_some())
    }

    /// INCR and, on the first increment, EXPIRE in one server-side script (atomic on the server).
    pub async fn incr(&self, key: &str, ttl_secs: i64) -> Result<i64, CacheError> {
        let mut c = self.conn.clone();
        redis::cmd("EVAL")
            .arg(
                "local n = redis.call('INCR', KEYS[1]) \
                 if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end return n",
            )
            .arg(1)
            .arg(self.key(key))
            .arg(ttl_secs.max(1))
            .query_async(&mut c)
            .await
            .map_err(unavailable)
    }

    pub async fn get(&self, key: &str) -> Result<Option<String>, CacheError> {
        let mut c = self.conn.clone();
        redis::cmd("GET")
            .arg(self.key(key))
            .query_async(&mut c)
            .await
            .map_err(unavailable)
    }

    pub async fn take(&self, key: &str) -> Result<Option<String>, CacheError> {
        let mut c = self.conn.clone();
        redis::cmd("GETDEL")
            .arg(self.key(key))
            .query_async(&mut c)
            .await
            .map_err(unavailable)
    }
}
