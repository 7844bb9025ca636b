//! Following the master through a Sentinel failover. A command that finds the master silent or
//! demoted wakes the follower (it never waits for it); the follower asks the sentinels, and when
//! they name another address and the server there says it is the master, every later command goes
//! there. It also asks every `RECHECK` without being woken: after a switchover the old master
//! still runs and takes writes until the sentinels demote it (what it took then is lost when it
//! follows the new master), so a node must not wait for it to fail. One question at a time, at
//! most one every `PAUSE`.

use super::CacheError;
use super::redis_cache::{Manager, TlsOwned};
use super::sentinel::{Sentinels, at};
use redis::aio::ConnectionManager;
use std::sync::{Arc, RwLock, Weak};
use std::time::Duration;

const RECHECK: Duration = Duration::from_secs(1);
const PAUSE: Duration = Duration::from_millis(200);

pub(super) struct Failover {
    sentinels: Sentinels,
    /// cache.url: the scheme, credentials and database the master is reached with.
    url: String,
    tls: TlsOwned,
    manager: Manager,
    conn: Arc<RwLock<ConnectionManager>>,
    /// The master's address the connection goes to.
    master: std::sync::Mutex<(String, u16)>,
    wake: tokio::sync::Notify,
}

impl Failover {
    /// Connects to the master the sentinels name now and starts following it.
    pub(super) async fn start(
        sentinels: Sentinels,
        url: &str,
        tls: TlsOwned,
        manager: Manager,
    ) -> Result<(Arc<Failover>, Arc<RwLock<ConnectionManager>>), CacheError> {
        let addr = sentinels.master_addr().await?;
        let conn = connect_master(&sentinels, url, &tls, &manager, &addr).await?;
        let conn = Arc::new(RwLock::new(conn));
        let failover = Arc::new(Failover {
            sentinels,
            url: url.to_owned(),
            tls,
            manager,
            conn: conn.clone(),
            master: std::sync::Mutex::new(addr),
            wake: tokio::sync::Notify::new(),
        });
        tokio::spawn(follow(Arc::downgrade(&failover)));
        Ok((failover, conn))
    }

    /// A command found the master silent or demoted: ask the sentinels (in the background).
    pub(super) fn suspect(&self) {
        self.wake.notify_one();
    }

    /// One question to the sentinels; `true` when the connection moved.
    async fn recheck(&self) -> Result<bool, CacheError> {
        let addr = self.sentinels.master_addr().await?;
        if *lock(&self.master) == addr {
            return Ok(false);
        }
        let conn =
            connect_master(&self.sentinels, &self.url, &self.tls, &self.manager, &addr).await?;
        *self.conn.write().unwrap_or_else(|e| e.into_inner()) = conn;
        crate::metrics::cache_master_changed();
        tracing::warn!(
            master = %self.sentinels.master_name(),
            host = %addr.0,
            port = addr.1,
            "the cache follows Redis's new master (Sentinel failover)"
        );
        *lock(&self.master) = addr;
        Ok(true)
    }
}

fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A connection to the server at `addr`, once it answers that it is the master (during a failover
/// the sentinels may name a server that is still a replica, or one that was demoted).
async fn connect_master(
    sentinels: &Sentinels,
    url: &str,
    tls: &TlsOwned,
    manager: &Manager,
    addr: &(String, u16),
) -> Result<ConnectionManager, CacheError> {
    let url = at(url, &addr.0, addr.1)?;
    let mut conn = manager.connect(&url, &tls.files()).await?;
    let role: Vec<redis::Value> =
        tokio::time::timeout(manager.timeout, redis::cmd("ROLE").query_async(&mut conn))
            .await
            .map_err(|_| CacheError::Unavailable(format!("{}: ROLE timed out", addr.0)))?
            .map_err(|e| CacheError::Unavailable(format!("{}: {e}", addr.0)))?;
    let role: Option<String> = role
        .into_iter()
        .next()
        .and_then(|v| redis::from_redis_value(v).ok());
    match role.as_deref() {
        Some("master") => Ok(conn),
        other => Err(CacheError::Unavailable(format!(
            "the sentinels name {}:{} as the master of {}, but it says it is {}",
            addr.0,
            addr.1,
            sentinels.master_name(),
            other.unwrap_or("nothing")
        ))),
    }
}

/// The follower: woken by a command that failed, or every `RECHECK`; ends with the cache. It
/// says once that the master cannot be found, and once that it is found again.
async fn follow(failover: Weak<Failover>) {
    let mut lost = false;
    loop {
        let Some(f) = failover.upgrade() else { return };
        let woken = tokio::time::timeout(RECHECK, f.wake.notified())
            .await
            .is_ok();
        match f.recheck().await {
            Err(e) if woken && !lost => {
                lost = true;
                tracing::warn!(error = %e, "the cache's master cannot be found yet");
            }
            Err(_) => {}
            Ok(_) => lost = false,
        }
        drop(f);
        tokio::time::sleep(PAUSE).await;
    }
}
