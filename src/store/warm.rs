//! Connections kept between statements, out of sqlx's pool. sqlx pings every connection that goes
//! back to its pool, in a task it spawns for that: one more round trip per statement outside a
//! transaction and per transaction — on SQLite to the connection's worker thread and back (two
//! thread switches on a busy core), on PostgreSQL over the network. A statement or a commit that
//! finished here leaves its connection as a connection used on its own is left between two
//! statements, so it waits in this list for the next one instead and goes back to sqlx (and its
//! ping) only when:
//! - its statement was cut short (the request's deadline dropped it mid-way) or failed in the
//!   connection itself (anything but an error the database answered): never put back;
//! - a transaction on it ended without a commit: rolled back on the way (`bounded_tx.rs`);
//! - it sat here unused for [`FRESH`] (a PostgreSQL restarted meanwhile would have closed it: sqlx's
//!   ping finds that out and opens another), or sqlx's own pool is wanted ([`Warm::drain`]);
//! - a call is waiting in sqlx's pool for a connection (every connection busy): kept here, the
//!   connection would serve whoever came next while that call waited out its whole deadline.

use super::primary::Moved;
use sqlx::Any;
use sqlx::pool::PoolConnection;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a kept connection is reused without a check: the same second after which sqlx pings
/// an idle connection before handing it out (`Store::connect`).
pub(crate) const FRESH: Duration = Duration::from_secs(1);

/// A kept connection and when it was kept.
type Kept = (PoolConnection<Any>, Instant);

#[derive(Clone, Debug, Default)]
pub(crate) struct Warm {
    /// Most recently kept last.
    kept: Arc<Mutex<Vec<Kept>>>,
    /// Calls waiting in sqlx's pool for a connection.
    waiting: Arc<AtomicUsize>,
    /// With several PostgreSQL servers: when the node last moved to another one, and for how
    /// long after it nothing is kept (`Warm::following`).
    moved: Option<(Moved, Duration)>,
}

/// Counts one call waiting in sqlx's pool while it lives.
pub(crate) struct Waiting(Arc<AtomicUsize>);

impl Drop for Waiting {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// What [`Warm::take_or_wait`] gives: a kept connection, or the right to wait in sqlx's pool.
pub(crate) enum Taken {
    Kept(PoolConnection<Any>),
    /// None kept: hold this while waiting in sqlx's pool (so connections finishing meanwhile go
    /// there, not here).
    Wait(Waiting),
}

impl Warm {
    /// Kept connections of a node that follows PostgreSQL's primary (`primary.rs`). A connection
    /// in use when the node moves comes back afterwards and may be to the old server: for
    /// `window` after a move (longer than a call through the pool takes) every connection goes
    /// back to sqlx, whose check closes one made before the move (`Store::connect`).
    pub(crate) fn following(moved: Moved, window: Duration) -> Warm {
        Warm {
            moved: Some((moved, window)),
            ..Warm::default()
        }
    }

    /// The most recently kept connection, if it is fresh; else this call is counted as waiting in
    /// sqlx's pool — both under the list's lock, so no connection is kept while a call that found
    /// none goes to wait for one. A stale top means none below it is fresh either: all go back to
    /// sqlx.
    pub(crate) fn take_or_wait(&self) -> Taken {
        let mut back = Vec::new();
        let taken = {
            let mut kept = self.lock();
            let top = match kept.pop() {
                Some((conn, since)) if since.elapsed() < FRESH => Some(conn),
                Some(old) => {
                    back.push(old.0);
                    back.extend(kept.drain(..).map(|(conn, _)| conn));
                    None
                }
                None => None,
            };
            // A transaction sqlx still counts (a failed rollback after a full disk): not reused.
            let top = match top {
                Some(conn) if in_transaction(&conn) => {
                    back.push(conn);
                    None
                }
                top => top,
            };
            match top {
                Some(conn) => Taken::Kept(conn),
                None => {
                    self.waiting.fetch_add(1, Ordering::SeqCst);
                    Taken::Wait(Waiting(self.waiting.clone()))
                }
            }
        };
        drop(back);
        taken
    }

    /// Keeps `conn` for the next call — or gives it to sqlx's pool at once when a call waits
    /// there. The oldest kept connection, unused for [`FRESH`], goes back to sqlx meanwhile (so
    /// none stays out of the pool, unchecked, under a light load).
    pub(crate) fn keep(&self, conn: PoolConnection<Any>) {
        if let Some((moved, window)) = &self.moved
            && moved.within(*window)
        {
            drop(conn);
            return;
        }
        let back = {
            let mut kept = self.lock();
            if self.waiting.load(Ordering::SeqCst) > 0 {
                Some(conn)
            } else {
                kept.push((conn, Instant::now()));
                match kept.first() {
                    Some((_, since)) if since.elapsed() >= FRESH => Some(kept.remove(0).0),
                    _ => None,
                }
            }
        };
        drop(back);
    }

    /// Gives every kept connection back to sqlx's pool (returned by tasks sqlx spawns).
    pub(crate) fn drain(&self) {
        let all = std::mem::take(&mut *self.lock());
        drop(all);
    }

    pub(crate) fn len(&self) -> usize {
        self.lock().len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Kept>> {
        // A panic while holding the lock leaves a plain list behind: still usable.
        self.kept
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn in_transaction(conn: &PoolConnection<Any>) -> bool {
    use sqlx::Connection;
    conn.is_in_transaction()
}

/// Whether a connection is in a known state after a call that ended with `answer`: it succeeded,
/// or the database itself refused the statement (a constraint, a full disk) and said so.
pub(crate) fn reusable<T>(answer: &Result<T, sqlx::Error>) -> bool {
    matches!(answer, Ok(_) | Err(sqlx::Error::Database(_)))
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn pool() -> sqlx::AnyPool {
        sqlx::any::install_default_drivers();
        sqlx::any::AnyPoolOptions::new()
            .max_connections(2)
            .connect("sqlite::memory:")
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn a_kept_connection_is_handed_out_again_until_it_sat_a_second() {
        let pool = pool().await;
        let warm = Warm::default();
        warm.keep(pool.acquire().await.unwrap());
        let Taken::Kept(conn) = warm.take_or_wait() else {
            panic!("the connection kept a moment ago")
        };
        warm.keep(conn);
        assert_eq!(warm.len(), 1);
        std::thread::sleep(FRESH + Duration::from_millis(50));
        assert!(
            matches!(warm.take_or_wait(), Taken::Wait(_)),
            "a connection unused for a second goes back to sqlx (its ping)"
        );
        assert_eq!(warm.len(), 0);
    }

    #[tokio::test]
    async fn a_finished_connection_goes_to_a_call_waiting_in_the_pool_not_to_the_list() {
        let pool = pool().await;
        let warm = Warm::default();
        let conn = pool.acquire().await.unwrap();
        let Taken::Wait(waiting) = warm.take_or_wait() else {
            panic!("nothing kept yet")
        };
        warm.keep(conn);
        assert_eq!(warm.len(), 0, "given to sqlx's pool for the waiting call");
        drop(waiting);
        warm.keep(pool.acquire().await.unwrap());
        assert_eq!(warm.len(), 1, "no one waits: kept");
    }

    #[test]
    fn only_an_error_the_database_answered_leaves_a_connection_reusable() {
        assert!(reusable(&Ok::<(), sqlx::Error>(())));
        assert!(!reusable(&Err::<(), _>(sqlx::Error::PoolTimedOut)));
        assert!(!reusable(&Err::<(), _>(sqlx::Error::Io(
            std::io::ErrorKind::BrokenPipe.into()
        ))));
    }
}
