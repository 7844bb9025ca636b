//! Following PostgreSQL's primary among the servers `database.url` names (`pg_hosts.rs`): a
//! primary and its streaming standbys, one of which a failover manager (Patroni, repmgr, an
//! operator's `pg_ctl promote`) makes the primary when the old one fails. No proxy or virtual
//! address is needed in front of them.
//!
//! At start the node connects to the first server that takes writes (`SHOW transaction_read_only`
//! is off, as libpq's `target_session_attrs=read-write` asks: not a standby, nor a primary made
//! read-only for a switchover). A request that meets a database it cannot reach, or one that
//! refuses a write (a demoted or read-only primary), fails as in any outage (503 with
//! Retry-After) and wakes the follower; so does a new connection that finds a read-only server
//! where the primary was (it is refused, and sqlx tries again within the request's deadline). The
//! follower asks the server it uses whether it still takes writes (on one connection of its own,
//! beside the pool's), and if not, asks every server in turn; the first that does is where every
//! new connection goes from then on, and every connection made before the move is closed instead
//! of being handed out. Unwoken, it asks every `database.primary_recheck_ms` (every `PAUSE` while
//! no primary is found). Nothing waits for it.

use super::bounded_pool::BoundedPool;
use super::pg_hosts::Host;
use sqlx::AnyConnection;
use sqlx::Connection;
use sqlx::any::AnyConnectOptions;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

/// At most one round of questions every this.
const PAUSE: Duration = Duration::from_millis(200);

/// Errors seen by any store of this process since it started: a follower that finds the count
/// moved asks at once. (The conversion of a sqlx error, where this is counted, knows no store; a
/// store that was not failing asks its own server and finds it well.)
static SUSPECTED: AtomicU64 = AtomicU64::new(0);
static WAKE: tokio::sync::Notify = tokio::sync::Notify::const_new();

/// The database may have gone away or been demoted: wake the followers.
pub(crate) fn suspect() {
    SUSPECTED.fetch_add(1, Ordering::SeqCst);
    WAKE.notify_waiters();
}

/// When the node last moved to another server; connections older than that are closed.
#[derive(Clone, Debug, Default)]
pub(crate) struct Moved(Arc<Mutex<Option<Instant>>>);

impl Moved {
    /// A connection of this age was made before the last move.
    pub(crate) fn predates(&self, age: Duration) -> bool {
        lock(&self.0).is_some_and(|at| age > at.elapsed())
    }

    /// The node moved less than `window` ago.
    pub(crate) fn within(&self, window: Duration) -> bool {
        lock(&self.0).is_some_and(|at| at.elapsed() < window)
    }

    fn now(&self) {
        *lock(&self.0) = Some(Instant::now());
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Whether the server behind `conn` refuses writes, as libpq's `target_session_attrs=read-write`
/// asks: a standby (in recovery), or a primary made read-only for a switchover
/// (`default_transaction_read_only`).
pub(crate) async fn read_only(conn: &mut AnyConnection) -> Result<bool, sqlx::Error> {
    let shown: String = sqlx::query_scalar("SHOW transaction_read_only")
        .fetch_one(conn)
        .await?;
    Ok(shown == "on")
}

/// What one server said when asked whether it is the primary.
enum Answer {
    Primary(AnyConnection),
    Standby,
    Unreachable(String),
}

async fn ask(host: &Host, timeout: Duration) -> Answer {
    let asked = tokio::time::timeout(timeout, async {
        let mut conn = AnyConnection::connect(&host.url).await?;
        let standby = read_only(&mut conn).await?;
        Ok::<_, sqlx::Error>((conn, standby))
    })
    .await;
    match asked {
        Ok(Ok((conn, false))) => Answer::Primary(conn),
        Ok(Ok((_, true))) => Answer::Standby,
        Ok(Err(e)) => Answer::Unreachable(e.to_string()),
        Err(_) => Answer::Unreachable(format!("no answer within {timeout:?}")),
    }
}

/// The first of `hosts` (tried from `first` on, then from the start) that is the primary, with a
/// connection to it; else what each said.
async fn find(
    hosts: &[Host],
    first: usize,
    timeout: Duration,
) -> Result<(usize, AnyConnection), String> {
    let mut said = Vec::new();
    for i in (first..hosts.len()).chain(0..first) {
        match ask(&hosts[i], timeout).await {
            Answer::Primary(conn) => return Ok((i, conn)),
            Answer::Standby => said.push(format!("{}: read-only (a standby)", hosts[i].label)),
            Answer::Unreachable(e) => said.push(format!("{}: {e}", hosts[i].label)),
        }
    }
    Err(format!(
        "no server in database.url is the primary ({})",
        said.join("; ")
    ))
}

/// Which of `hosts` the node starts on: the first that takes writes, in the list's order.
pub(crate) async fn first_primary(hosts: &[Host], timeout: Duration) -> Result<usize, String> {
    let (i, conn) = find(hosts, 0, timeout).await?;
    let _ = conn.close().await;
    Ok(i)
}

pub(crate) struct Primary {
    hosts: Vec<Host>,
    current: Mutex<usize>,
    pool: BoundedPool,
    moved: Moved,
    timeout: Duration,
    every: Duration,
    /// A connection to the current server, kept for the question.
    asking: tokio::sync::Mutex<Option<AnyConnection>>,
}

impl std::fmt::Debug for Primary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Primary")
            .field("hosts", &self.hosts.len())
            .field("current", &*lock(&self.current))
            .finish()
    }
}

impl Primary {
    /// Starts following; the node uses `hosts[current]` now. The follower ends with the store.
    pub(crate) fn start(
        hosts: Vec<Host>,
        current: usize,
        pool: BoundedPool,
        moved: Moved,
        timeout: Duration,
        every: Duration,
    ) -> Arc<Primary> {
        let primary = Arc::new(Primary {
            hosts,
            current: Mutex::new(current),
            pool,
            moved,
            timeout,
            every: every.max(PAUSE),
            asking: Default::default(),
        });
        tokio::spawn(follow(Arc::downgrade(&primary)));
        primary
    }

    /// The URL of the server in use now.
    pub(crate) fn url(&self) -> String {
        self.hosts[*lock(&self.current)].url.clone()
    }

    /// One round: is the current server still the primary? If not, move to the one that is.
    async fn recheck(&self) -> Result<(), String> {
        let mut asking = self.asking.lock().await;
        if let Some(conn) = asking.as_mut() {
            let answer = tokio::time::timeout(self.timeout, read_only(conn)).await;
            if matches!(answer, Ok(Ok(false))) {
                return Ok(());
            }
            *asking = None;
        }
        let current = *lock(&self.current);
        let (found, conn) = find(&self.hosts, current, self.timeout).await?;
        *asking = Some(conn);
        if found != current {
            self.move_to(found)?;
        }
        Ok(())
    }

    fn move_to(&self, found: usize) -> Result<(), String> {
        let host = &self.hosts[found];
        let options: AnyConnectOptions =
            host.url.parse().map_err(|e: sqlx::Error| e.to_string())?;
        // New connections go there; the ones made before are closed as they are next taken
        // (`Store::connect`'s check), the kept ones handed back to sqlx's pool for that.
        self.pool.raw().set_connect_options(options);
        self.moved.now();
        let _ = self.pool.raw();
        *lock(&self.current) = found;
        crate::metrics::database_primary_changed();
        tracing::warn!(
            server = %host.label,
            "the database's primary is now another server: new connections go there"
        );
        Ok(())
    }
}

/// The follower: woken by an error any store met, or every `every` — every `PAUSE` while the
/// primary cannot be found; ends with the store. It says that the primary cannot be found once,
/// until it is found again.
async fn follow(primary: Weak<Primary>) {
    let mut seen = SUSPECTED.load(Ordering::SeqCst);
    let mut lost = false;
    loop {
        let Some(every) = primary.upgrade().map(|p| p.every) else {
            return;
        };
        let woken = WAKE.notified();
        tokio::pin!(woken);
        woken.as_mut().enable();
        // While no primary is found, ask again after the pause: requests waiting for a
        // connection retry on their own (sqlx) and fail no sooner than their deadline.
        if SUSPECTED.load(Ordering::SeqCst) == seen && !lost {
            let _ = tokio::time::timeout(every, woken).await;
        }
        seen = SUSPECTED.load(Ordering::SeqCst);
        let Some(p) = primary.upgrade() else { return };
        match p.recheck().await {
            Err(e) if !lost => {
                lost = true;
                tracing::warn!(error = %e, "the database's primary cannot be found yet");
            }
            Err(_) => {}
            Ok(()) => lost = false,
        }
        drop(p);
        tokio::time::sleep(PAUSE).await;
    }
}
