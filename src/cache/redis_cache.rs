//! Redis-backed cache shared by every node. `take` is GETDEL, atomic on the server.
//! Every command is bounded by `timeout`: while Redis is away a request fails fast (503 upstream)
//! instead of hanging, and the connection manager reconnects by itself when Redis returns. Behind
//! Sentinel the connection follows the master the sentinels name (`failover.rs`).

use super::CacheError;
use super::failover::Failover;
use super::sentinel::{Sentinels, master_may_have_moved};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use std::sync::{Arc, RwLock};
use std::time::Duration;

#[derive(Clone)]
pub struct RedisCache {
    /// Replaced when Sentinel names another master; a command clones it and goes.
    conn: Arc<RwLock<ConnectionManager>>,
    prefix: String,
    timeout: Duration,
    failover: Option<Arc<Failover>>,
}

/// Where a Redis cache connects: `cache.url`, and with `sentinels`/`sentinel_master` set the
/// master the sentinels name (reached with the URL's scheme, credentials and database).
#[derive(Clone, Copy, Debug, Default)]
pub struct RedisSettings<'a> {
    pub tls: TlsFiles<'a>,
    pub sentinels: &'a str,
    pub sentinel_master: &'a str,
    /// How often a node asks the sentinels without a reason (zero: every second).
    pub sentinel_recheck: Duration,
}

impl<'a> RedisSettings<'a> {
    pub fn of(config: &'a crate::config::Cache) -> RedisSettings<'a> {
        RedisSettings {
            tls: TlsFiles::of(config),
            sentinels: &config.sentinels,
            sentinel_master: &config.sentinel_master,
            sentinel_recheck: Duration::from_millis(config.sentinel_recheck_ms),
        }
    }
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

/// The files for Redis over TLS (`cache.ca_file`, `cache.client_cert_file`,
/// `cache.client_key_file`); all empty: the system's CA certificates, no client certificate.
#[derive(Clone, Copy, Debug, Default)]
pub struct TlsFiles<'a> {
    pub ca: &'a str,
    pub cert: &'a str,
    pub key: &'a str,
}

impl<'a> TlsFiles<'a> {
    pub fn of(config: &'a crate::config::Cache) -> TlsFiles<'a> {
        TlsFiles {
            ca: &config.ca_file,
            cert: &config.client_cert_file,
            key: &config.client_key_file,
        }
    }

    fn is_empty(&self) -> bool {
        self.ca.is_empty() && self.cert.is_empty() && self.key.is_empty()
    }
}

/// [`TlsFiles`] kept for connecting again later (to a new master: the files are read then).
pub(super) struct TlsOwned([String; 3]);

impl TlsOwned {
    fn of(tls: &TlsFiles<'_>) -> TlsOwned {
        TlsOwned([tls.ca.to_owned(), tls.cert.to_owned(), tls.key.to_owned()])
    }

    pub(super) fn files(&self) -> TlsFiles<'_> {
        let [ca, cert, key] = &self.0;
        TlsFiles { ca, cert, key }
    }
}

/// How a connection to one Redis server is made: bounded by `timeout`, proven by a PING.
pub(super) struct Manager {
    config: ConnectionManagerConfig,
    pub(super) timeout: Duration,
}

impl Manager {
    fn new(timeout: Duration) -> Manager {
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(timeout))
            .set_response_timeout(Some(timeout))
            .set_number_of_retries(2)
            .set_max_delay(Duration::from_millis(500));
        Manager { config, timeout }
    }

    pub(super) async fn connect(
        &self,
        url: &str,
        tls: &TlsFiles<'_>,
    ) -> Result<ConnectionManager, CacheError> {
        let client = client(url, tls)?;
        // A rediss:// URL at Redis's plain port meets a server that never answers the handshake.
        let hint = if url.starts_with("rediss://") {
            " (rediss:// speaks TLS: is the port Redis's tls-port?)"
        } else {
            ""
        };
        let url = &crate::store::redact(url);
        let mut conn = tokio::time::timeout(
            self.timeout.max(Duration::from_secs(10)),
            ConnectionManager::new_with_config(client, self.config.clone()),
        )
        .await
        .map_err(|_| CacheError::Unavailable(format!("{url}: timed out{hint}")))?
        .map_err(|e| CacheError::Unavailable(format!("{url}: {e}{hint}")))?;
        redis::cmd("PING")
            .query_async::<String>(&mut conn)
            .await
            .map_err(|e| CacheError::Unavailable(format!("{url}: {e}")))?;
        Ok(conn)
    }
}

/// A client for `url`: over TLS (rustls) for rediss://, trusting `tls.ca` instead of the system's
/// CA certificates when set and presenting `tls.cert`/`tls.key` when set. TLS files with a
/// redis:// URL are refused: the operator asked for an encrypted connection and would not get one.
pub(super) fn client(url: &str, tls: &TlsFiles<'_>) -> Result<redis::Client, CacheError> {
    let shown = crate::store::redact(url);
    let refuse = |why: String| CacheError::Setting(format!("{shown}: {why}"));
    if tls.is_empty() {
        return redis::Client::open(url).map_err(|e| refuse(e.to_string()));
    }
    if !url.starts_with("rediss://") {
        return Err(refuse(
            "cache.ca_file / client_cert_file / client_key_file are set, but the URL is not \
             rediss://: the connection would not be encrypted"
                .into(),
        ));
    }
    if tls.cert.is_empty() != tls.key.is_empty() {
        return Err(refuse(
            "cache.client_cert_file and cache.client_key_file are set together or not at all"
                .into(),
        ));
    }
    let read = |setting: &str, path: &str| {
        std::fs::read(path).map_err(|e| refuse(format!("cache.{setting} {path}: {e}")))
    };
    let root_cert = match tls.ca {
        "" => None,
        path => Some(read("ca_file", path)?),
    };
    let client_tls = match tls.cert {
        "" => None,
        path => Some(redis::ClientTlsConfig {
            client_cert: read("client_cert_file", path)?,
            client_key: read("client_key_file", tls.key)?,
        }),
    };
    redis::Client::build_with_tls(
        url,
        redis::TlsCertificates {
            client_tls,
            root_cert,
        },
    )
    .map_err(|e| refuse(e.to_string()))
}

impl RedisCache {
    pub async fn connect(
        url: &str,
        prefix: &str,
        timeout: Duration,
        settings: &RedisSettings<'_>,
    ) -> Result<RedisCache, CacheError> {
        let manager = Manager::new(timeout);
        let (conn, failover) = match Sentinels::parse(
            settings.sentinels,
            settings.sentinel_master,
            timeout,
            &settings.tls,
        )? {
            None => {
                let conn = manager.connect(url, &settings.tls).await?;
                (Arc::new(RwLock::new(conn)), None)
            }
            Some(sentinels) => {
                // The URL's own settings are checked before any sentinel is asked.
                client(url, &settings.tls)?;
                let tls = TlsOwned::of(&settings.tls);
                let recheck = match settings.sentinel_recheck {
                    Duration::ZERO => Duration::from_secs(1),
                    every => every,
                };
                let (failover, conn) =
                    Failover::start(sentinels, url, tls, manager, recheck).await?;
                (conn, Some(failover))
            }
        };
        Ok(RedisCache {
            conn,
            prefix: prefix.to_owned(),
            timeout,
            failover,
        })
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
        let mut c = self.conn.read().unwrap_or_else(|e| e.into_inner()).clone();
        let answer = tokio::time::timeout(self.timeout, cmd.query_async::<T>(&mut c)).await;
        // No answer in time, or one saying the master may have moved: ask the sentinels.
        if let Some(failover) = &self.failover
            && answer
                .as_ref()
                .map_or(true, |r| r.as_ref().is_err_and(master_may_have_moved))
        {
            failover.suspect();
        }
        match answer {
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
