//! A transaction with the pool's deadline on each of its statements and on its commit
//! (bounded_pool.rs says why). `Store::begin` hands one out; `&mut *tx` is its connection for
//! statements, as with sqlx's own transaction. A transaction whose statement got no answer in time
//! fails with `PoolTimedOut` and, dropped, is rolled back by the database when it answers again
//! (the connection is not handed out before that). It runs on a connection of its own rather than
//! sqlx's `Transaction`, so that a committed one's connection is kept for the next call
//! (`warm.rs`) instead of going back to sqlx's pool — and its ping — after every commit; `BEGIN`,
//! `COMMIT` and the rollback are sqlx's own (its `TransactionManager`, as its `Transaction` does).

use super::warm::Warm;
use futures::StreamExt;
use futures::future::BoxFuture;
use futures::stream::BoxStream;
use sqlx::any::{AnyQueryResult, AnyRow, AnyStatement, AnyTypeInfo};
use sqlx::pool::PoolConnection;
use sqlx::{Any, Database, Describe, Either, Execute, Executor, TransactionManager};
use std::time::Duration;

type Manager = <Any as Database>::TransactionManager;

/// An open transaction; dropped without [`Tx::commit`], it is rolled back.
#[derive(Debug)]
pub(crate) struct Tx(TxConn);

/// The connection of a [`Tx`], the executor its statements run on.
#[derive(Debug)]
pub(crate) struct TxConn {
    /// Taken out when the transaction ends.
    conn: Option<PoolConnection<Any>>,
    limit: Duration,
    warm: Warm,
    /// The writer's turn it holds (`BoundedPool::begin_with`): kept for its drop, which gives the
    /// turn up as the transaction ends.
    _turn: Option<tokio::sync::OwnedSemaphorePermit>,
}

impl Tx {
    /// Sends `BEGIN` (or `statement`) on `conn`, holding the writer's `turn` if it took one (its
    /// caller bounds the call: `BoundedPool::begin`). When that fails or is cut short the
    /// connection is closed, not given back: sqlx's PostgreSQL `BEGIN` cut short after it was sent
    /// queues no rollback (its guard sees no transaction yet), so when the database answers at
    /// last the connection would be inside a transaction nobody knows of, and every later
    /// statement on it — each answered as done — would wait there uncommitted until something
    /// commits or rolls it back, or PostgreSQL ends the idle session and them with it.
    pub(crate) async fn begin(
        conn: PoolConnection<Any>,
        statement: Option<&'static str>,
        turn: Option<tokio::sync::OwnedSemaphorePermit>,
        limit: Duration,
        warm: Warm,
    ) -> Result<Tx, sqlx::Error> {
        let mut unfinished = Unfinished(Some(conn));
        let pending = unfinished
            .0
            .as_mut()
            .expect("the connection being begun on");
        Manager::begin(pending, statement.map(Into::into)).await?;
        Ok(Tx(TxConn {
            conn: unfinished.0.take(),
            limit,
            warm,
            _turn: turn,
        }))
    }

    /// Commits; the connection is kept for the next call. A failed or timed-out commit drops the
    /// transaction: rolled back, its connection back to sqlx.
    pub(crate) async fn commit(mut self) -> Result<(), sqlx::Error> {
        let limit = self.0.limit;
        bounded(limit, Manager::commit(self.0.conn_mut())).await?;
        if let Some(conn) = self.0.conn.take() {
            self.0.warm.keep(conn);
        }
        Ok(())
    }
}

/// A connection whose `BEGIN` has not finished: closed if dropped so (`Tx::begin`).
struct Unfinished(Option<PoolConnection<Any>>);

impl Drop for Unfinished {
    fn drop(&mut self) {
        if let Some(conn) = self.0.as_mut() {
            conn.close_on_drop();
        }
    }
}

impl TxConn {
    fn conn_mut(&mut self) -> &mut sqlx::AnyConnection {
        self.conn
            .as_mut()
            .expect("a transaction's connection until it ends")
    }
}

impl Drop for TxConn {
    /// Not committed: the rollback is queued on the connection (sent before anything else on it,
    /// at the latest by the ping sqlx sends as it takes the connection back).
    fn drop(&mut self) {
        if let Some(mut conn) = self.conn.take() {
            Manager::start_rollback(&mut conn);
        }
    }
}

impl std::ops::Deref for Tx {
    type Target = TxConn;
    fn deref(&self) -> &TxConn {
        &self.0
    }
}

impl std::ops::DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut TxConn {
        &mut self.0
    }
}

/// `call` within `limit`; `PoolTimedOut` past it, and at once when an earlier call of the same
/// request already waited its whole deadline (`metrics::silent`).
pub(crate) async fn bounded<T>(
    limit: Duration,
    call: impl std::future::Future<Output = Result<T, sqlx::Error>>,
) -> Result<T, sqlx::Error> {
    if crate::metrics::silent("database") {
        return Err(sqlx::Error::PoolTimedOut);
    }
    match tokio::time::timeout(limit, call).await {
        Ok(Err(sqlx::Error::PoolTimedOut)) | Err(_) => {
            crate::metrics::note_silent("database");
            Err(sqlx::Error::PoolTimedOut)
        }
        Ok(answer) => answer,
    }
}

/// `rows`, each next item within `limit` of the previous one (as [`bounded`]); ends after a
/// first timeout.
fn bounded_stream<'e, T: Send + 'e>(
    limit: Duration,
    rows: BoxStream<'e, Result<T, sqlx::Error>>,
) -> BoxStream<'e, Result<T, sqlx::Error>> {
    Box::pin(futures::stream::unfold(
        Some(rows),
        move |rows| async move {
            let mut rows = rows?;
            if crate::metrics::silent("database") {
                return Some((Err(sqlx::Error::PoolTimedOut), None));
            }
            match tokio::time::timeout(limit, rows.next()).await {
                Ok(Some(Err(sqlx::Error::PoolTimedOut))) | Err(_) => {
                    crate::metrics::note_silent("database");
                    // The stream is dropped with its connection; nothing follows the error.
                    Some((Err(sqlx::Error::PoolTimedOut), None))
                }
                Ok(Some(item)) => Some((item, Some(rows))),
                Ok(None) => None,
            }
        },
    ))
}

impl<'c> Executor<'c> for &'c mut TxConn {
    type Database = Any;

    fn fetch_many<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxStream<'e, Result<Either<AnyQueryResult, AnyRow>, sqlx::Error>>
    where
        'c: 'e,
        E: 'q + Execute<'q, Any>,
    {
        bounded_stream(self.limit, Executor::fetch_many(self.conn_mut(), query))
    }

    fn fetch_optional<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxFuture<'e, Result<Option<AnyRow>, sqlx::Error>>
    where
        'c: 'e,
        E: 'q + Execute<'q, Any>,
    {
        let limit = self.limit;
        Box::pin(bounded(
            limit,
            Executor::fetch_optional(self.conn_mut(), query),
        ))
    }

    fn prepare_with<'e, 'q: 'e>(
        self,
        sql: &'q str,
        parameters: &'e [AnyTypeInfo],
    ) -> BoxFuture<'e, Result<AnyStatement<'q>, sqlx::Error>>
    where
        'c: 'e,
    {
        let limit = self.limit;
        Box::pin(bounded(
            limit,
            Executor::prepare_with(self.conn_mut(), sql, parameters),
        ))
    }

    fn describe<'e, 'q: 'e>(self, sql: &'q str) -> BoxFuture<'e, Result<Describe<Any>, sqlx::Error>>
    where
        'c: 'e,
    {
        Executor::describe(self.conn_mut(), sql)
    }
}

#[cfg(test)]
#[path = "begin_cut_tests.rs"]
mod tests;
