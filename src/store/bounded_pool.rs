//! The connection pool with a deadline on every call. sqlx bounds only the wait for a connection
//! (`acquire_timeout`); once a statement is sent, it waits for the answer as long as the socket
//! lives. A database that stops answering without closing its connections — frozen by a storage
//! stall, a lock queue behind a migration, or a network that drops packets instead of refusing them
//! — then held every request that had a connection, and every connection, until the database came
//! back (or TCP gave up: minutes). Here a call through the pool (waiting for a connection included,
//! and for a result stream each next item) that has no answer within `database.acquire_timeout_secs`
//! fails with `PoolTimedOut`, which the request answers 503 with Retry-After. The abandoned
//! connection is not handed out again before it answers: sqlx pings a connection as it comes back.

use super::bounded_tx::{Tx, bounded, bounded_stream};
use futures::future::BoxFuture;
use futures::stream::BoxStream;
use sqlx::any::{AnyQueryResult, AnyRow, AnyStatement, AnyTypeInfo};
use sqlx::{Any, AnyPool, Describe, Either, Execute, Executor};
use std::time::Duration;

#[derive(Clone, Debug)]
pub(crate) struct BoundedPool {
    raw: AnyPool,
    limit: Duration,
}

impl BoundedPool {
    pub(crate) fn new(raw: AnyPool, limit: Duration) -> BoundedPool {
        BoundedPool { raw, limit }
    }

    /// The pool itself, for what must not be cut short (migrations).
    pub(crate) fn raw(&self) -> &AnyPool {
        &self.raw
    }

    pub(crate) async fn begin(&self) -> Result<Tx, sqlx::Error> {
        Ok(Tx::new(
            bounded(self.limit, self.raw.begin()).await?,
            self.limit,
        ))
    }

    pub(crate) async fn begin_with(&self, statement: &'static str) -> Result<Tx, sqlx::Error> {
        let tx = bounded(self.limit, self.raw.begin_with(statement)).await?;
        Ok(Tx::new(tx, self.limit))
    }

    pub(crate) async fn acquire(&self) -> Result<sqlx::pool::PoolConnection<Any>, sqlx::Error> {
        bounded(self.limit, self.raw.acquire()).await
    }

    #[cfg(test)]
    pub(crate) async fn close(&self) {
        self.raw.close().await;
    }

    pub(crate) fn size(&self) -> u32 {
        self.raw.size()
    }

    pub(crate) fn num_idle(&self) -> usize {
        self.raw.num_idle()
    }
}

impl<'p> Executor<'p> for &'_ BoundedPool {
    type Database = Any;

    fn fetch_many<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxStream<'e, Result<Either<AnyQueryResult, AnyRow>, sqlx::Error>>
    where
        'p: 'e,
        E: 'q + Execute<'q, Any>,
    {
        // sqlx's pool executor owns a clone of the pool: the stream does not borrow `self`.
        bounded_stream(self.limit, Executor::fetch_many(&self.raw, query))
    }

    fn fetch_optional<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxFuture<'e, Result<Option<AnyRow>, sqlx::Error>>
    where
        'p: 'e,
        E: 'q + Execute<'q, Any>,
    {
        Box::pin(bounded(
            self.limit,
            Executor::fetch_optional(&self.raw, query),
        ))
    }

    fn prepare_with<'e, 'q: 'e>(
        self,
        sql: &'q str,
        parameters: &'e [AnyTypeInfo],
    ) -> BoxFuture<'e, Result<AnyStatement<'q>, sqlx::Error>>
    where
        'p: 'e,
    {
        Box::pin(bounded(
            self.limit,
            Executor::prepare_with(&self.raw, sql, parameters),
        ))
    }

    fn describe<'e, 'q: 'e>(self, sql: &'q str) -> BoxFuture<'e, Result<Describe<Any>, sqlx::Error>>
    where
        'p: 'e,
    {
        Executor::describe(&self.raw, sql)
    }
}
