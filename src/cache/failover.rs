//! Following the master through a Sentinel failover. A command that finds the master silent or
//! demoted wakes the follower (it never waits for it); the follower asks the sentinels, and when
//! they name another address and the server there says it is the master, every later command goes
//! there. After a switchover the old master still runs and takes writes until the sentinels demote
//! it (what it took then is lost when it follows the new master), so a node must not wait for it
//! to fail: each sentinel's `+switch-master` announcement wakes the follower too, and it asks
//! every `cache.sentinel_recheck_ms` without being woken (an announcement missed while a
//! subscription was down). One question at a time, at most one every `PAUSE`.

use super::CacheError;
use super::redis_cache::{Manager, TlsOwned};
use super::sentinel::{Sentinels, at};
use futures::StreamExt;
use redis::aio::ConnectionManager;
use std::sync::{Arc, RwLock, Weak};
use std::time::Duration;

const PAUSE: Duration = Duration::from_millis(200);
/// A subscription to a sentinel's announcements is made within this, or tried again later.
const SUBSCRIBE_WITHIN: Duration = Duration::from_secs(2);

pub(super) struct Failover {
    sentinels: Sentinels,
    /// cache.url: the scheme, credentials and database the master is reached with.
    url: String,
    tls: TlsOwned,
    manager: Manager,
    conn: Arc<RwLock<ConnectionManager>>,
    /// The master's address the connection goes to.
    master: std::sync::Mutex<(String, u16)>,
    /// Shared with the follower, which waits on it without keeping the cache alive.
    wake: Arc<tokio::sync::Notify>,
    /// How often the follower asks without being woken.
    unwoken_every: Duration,
}

impl Failover {
    /// Connects to the master the sentinels name now and starts following it.
    pub(super) async fn start(
        sentinels: Sentinels,
        url: &str,
        tls: TlsOwned,
        manager: Manager,
        recheck: Duration,
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
            wake: Arc::new(tokio::sync::Notify::new()),
            unwoken_every: recheck.max(PAUSE),
        });
        tokio::spawn(follow(Arc::downgrade(&failover)));
        for client in failover.sentinels.clients() {
            tokio::spawn(listen(Arc::downgrade(&failover), client));
        }
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

/// The follower: woken by a command that failed or an announcement, or every `unwoken_every`;
/// ends with the cache. It says that the master cannot be found once, until it is found again.
async fn follow(failover: Weak<Failover>) {
    let mut lost = false;
    loop {
        let Some((wake, every)) = failover
            .upgrade()
            .map(|f| (f.wake.clone(), f.unwoken_every))
        else {
            return;
        };
        let woken = tokio::time::timeout(every, wake.notified()).await.is_ok();
        let Some(f) = failover.upgrade() else { return };
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

/// One sentinel's announcements: its `+switch-master` about this group wakes the follower. A lost
/// subscription (the sentinel restarted, the network) is made again after a second; the task ends
/// with the cache.
async fn listen(failover: Weak<Failover>, sentinel: redis::Client) {
    while failover.strong_count() > 0 {
        let subscribed = tokio::time::timeout(SUBSCRIBE_WITHIN, async {
            let mut pubsub = sentinel.get_async_pubsub().await?;
            pubsub.subscribe("+switch-master").await?;
            Ok::<_, redis::RedisError>(pubsub)
        })
        .await;
        if let Ok(Ok(mut pubsub)) = subscribed {
            let mut messages = pubsub.on_message();
            loop {
                // Woken now and then to end with the cache.
                match tokio::time::timeout(SUBSCRIBE_WITHIN, messages.next()).await {
                    Ok(Some(msg)) => {
                        let Some(f) = failover.upgrade() else { return };
                        let payload: String = msg.get_payload().unwrap_or_default();
                        if f.sentinels.announces_this_group(&payload) {
                            f.suspect();
                        }
                    }
                    Ok(None) => break,
                    Err(_) if failover.strong_count() == 0 => return,
                    Err(_) => {}
                }
            }
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}
