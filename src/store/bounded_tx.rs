//! A transaction with the pool's deadline on each of its statements and on its commit
//! (bounded_pool.rs says why). `Store::begin` hands one out; `&mut *tx` is its connection for
//! statements, as with sqlx's own transaction. A transaction whose statement got no answer in time
//! fails with `PoolTimedOut` and, dropped, is rolled back by the database when it answers again
//! (the connection is not handed out before that).

use futures::StreamExt;
use futures::future::BoxFuture;
use futures::stream::BoxStream;
use sqlx::any::{AnyQueryResult, AnyRow, AnyStatement, AnyTypeInfo};
use sqlx::{Any, Describe, Either, Execute, Executor};
use std::time::Duration;

/// An open transaction; dropped without [`Tx::commit`], it is rolled back.
#[derive(Debug)]
pub(crate) struct Tx(TxConn);

/// The connection of a [`Tx`], the executor its statements run on.
#[derive(Debug)]
pub(crate) struct TxConn {
    tx: sqlx::Transaction<'static, Any>,
    limit: Duration,
}

impl Tx {
    pub(crate) fn new(tx: sqlx::Transaction<'static, Any>, limit: Duration) -> Tx {
        Tx(TxConn { tx, limit })
    }

    pub(crate) async fn commit(self) -> Result<(), sqlx::Error> {
        let TxConn { tx, limit } = self.0;
        bounded(limit, tx.commit()).await
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
pub(crate) fn bounded_stream<'e, T: Send + 'e>(
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
        bounded_stream(self.limit, Executor::fetch_many(&mut *self.tx, query))
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
            Executor::fetch_optional(&mut *self.tx, query),
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
            Executor::prepare_with(&mut *self.tx, sql, parameters),
        ))
    }

    fn describe<'e, 'q: 'e>(self, sql: &'q str) -> BoxFuture<'e, Result<Describe<Any>, sqlx::Error>>
    where
        'c: 'e,
    {
        Executor::describe(&mut *self.tx, sql)
    }
}
