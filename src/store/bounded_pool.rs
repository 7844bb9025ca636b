//! The connection pool with a deadline on every call. sqlx bounds only the wait for a connection
//! (`acquire_timeout`); once a statement is sent, it waits for the answer as long as the socket
//! lives. A database that stops answering without closing its connections — frozen by a storage
//! stall, a lock queue behind a migration, or a network that drops packets instead of refusing them
//! — then held every request that had a connection, and every connection, until the database came
//! back (or TCP gave up: minutes). Here a call through the pool (waiting for a connection included,
//! and for a result stream each next item) that has no answer within `database.acquire_timeout_secs`
//! fails with `PoolTimedOut`, which the request answers 503 with Retry-After. The abandoned
//! connection is not handed out again before it answers: sqlx pings a connection as it comes back.
//! A connection whose call finished is kept for the next one instead (`warm.rs`).

use super::bounded_tx::{Tx, bounded};
use super::warm::{Taken, Warm, reusable};
use futures::StreamExt;
use futures::future::BoxFuture;
use futures::stream::BoxStream;
use sqlx::any::{AnyQueryResult, AnyRow, AnyStatement, AnyTypeInfo};
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyPool, Describe, Either, Execute, Executor};
use std::time::Duration;
use tokio::sync::OwnedSemaphorePermit;

#[derive(Clone, Debug)]
pub(crate) struct BoundedPool {
    raw: AnyPool,
    limit: Duration,
    warm: Warm,
    /// SQLite's one writer, taken in this process before a connection (`begin_with`, and a lone
    /// statement that may write); `None` on PostgreSQL.
    writer: Option<std::sync::Arc<tokio::sync::Semaphore>>,
}

impl BoundedPool {
    /// `one_writer`: the database takes one writer at a time (SQLite); `moved`: the node follows
    /// PostgreSQL's primary among several servers (`primary.rs`).
    pub(crate) fn new(
        raw: AnyPool,
        limit: Duration,
        one_writer: bool,
        moved: Option<super::primary::Moved>,
    ) -> BoundedPool {
        BoundedPool {
            raw,
            limit,
            // Three deadlines: what a session may sit inside a transaction (`Store::connect`).
            warm: moved.map_or_else(Warm::default, |m| Warm::following(m, limit * 3)),
            writer: one_writer.then(|| std::sync::Arc::new(tokio::sync::Semaphore::new(1))),
        }
    }

    /// The writer's turn, for a statement that may write (anything but a `SELECT`) when the
    /// database takes one writer at a time: waiting here, not in SQLite's busy handler.
    async fn turn(&self, sql: &str) -> Result<Option<OwnedSemaphorePermit>, sqlx::Error> {
        match &self.writer {
            Some(writer) if !reads_only(sql) => writer
                .clone()
                .acquire_owned()
                .await
                .map(Some)
                .map_err(|_| sqlx::Error::PoolClosed),
            _ => Ok(None),
        }
    }

    /// The pool itself, for what must not be cut short (migrations), with every kept connection
    /// back in it.
    pub(crate) fn raw(&self) -> &AnyPool {
        self.warm.drain();
        &self.raw
    }

    /// A transaction (`BEGIN`) on a kept connection or one from the pool.
    pub(crate) async fn begin(&self) -> Result<Tx, sqlx::Error> {
        bounded(self.limit, async {
            let conn = self.conn().await?;
            Tx::begin(conn, None, None, self.limit, self.warm.clone()).await
        })
        .await
    }

    /// A transaction begun with `statement` (SQLite's `BEGIN IMMEDIATE`: it takes the database's
    /// one write lock). Writers of this process queue here for their turn before they take a
    /// connection: waiting in SQLite instead, each would hold a connection and poll the lock in
    /// its busy handler (sleeping 1 to 100 ms between tries, the lock free meanwhile), and a
    /// handful of them kept every connection from the readers. The turn, the connection and the
    /// `BEGIN` together have one deadline.
    pub(crate) async fn begin_with(&self, statement: &'static str) -> Result<Tx, sqlx::Error> {
        bounded(self.limit, async {
            let turn = self.turn(statement).await?;
            let conn = self.conn().await?;
            Tx::begin(conn, Some(statement), turn, self.limit, self.warm.clone()).await
        })
        .await
    }

    /// A connection: the most recently kept one, or one from the pool within the deadline. Give
    /// it back with [`BoundedPool::keep`] when its last call finished.
    pub(crate) async fn acquire(&self) -> Result<PoolConnection<Any>, sqlx::Error> {
        bounded(self.limit, self.conn()).await
    }

    /// [`BoundedPool::acquire`] for a call already under the deadline.
    async fn conn(&self) -> Result<PoolConnection<Any>, sqlx::Error> {
        match self.warm.take_or_wait() {
            Taken::Kept(conn) => Ok(conn),
            Taken::Wait(_waiting) => self.raw.acquire().await,
        }
    }

    pub(crate) fn keep(&self, conn: PoolConnection<Any>) {
        self.warm.keep(conn);
    }

    #[cfg(test)]
    pub(crate) async fn close(&self) {
        self.warm.drain();
        self.raw.close().await;
    }

    pub(crate) fn size(&self) -> u32 {
        self.raw.size()
    }

    /// Connections not serving a request: idle in sqlx's pool or kept here.
    pub(crate) fn num_idle(&self) -> usize {
        self.raw.num_idle() + self.warm.len()
    }

    #[cfg(test)]
    pub(crate) fn kept(&self) -> usize {
        self.warm.len()
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
        // Read to the end on one connection, then handed out: every caller through the pool
        // reads to the end anyway (`execute`, `fetch_all`); nothing streams a large read through
        // it (the audit log is read a page or a chunk at a time, `store::audit_reads`).
        let pool = self.clone();
        let answers = bounded(self.limit, async move {
            let _turn = pool.turn(query.sql()).await?;
            let mut conn = pool.conn().await?;
            let answers: Vec<_> = Executor::fetch_many(&mut *conn, query).collect().await;
            if answers.iter().all(reusable) {
                pool.keep(conn);
            }
            Ok(answers)
        });
        Box::pin(futures::stream::once(answers).flat_map(|answers| {
            futures::stream::iter(match answers {
                Ok(answers) => answers,
                Err(cut) => vec![Err(cut)],
            })
        }))
    }

    fn fetch_optional<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxFuture<'e, Result<Option<AnyRow>, sqlx::Error>>
    where
        'p: 'e,
        E: 'q + Execute<'q, Any>,
    {
        let pool = self.clone();
        Box::pin(bounded(self.limit, async move {
            let _turn = pool.turn(query.sql()).await?;
            let mut conn = pool.conn().await?;
            let answer = Executor::fetch_optional(&mut *conn, query).await;
            if reusable(&answer) {
                pool.keep(conn);
            }
            answer
        }))
    }

    fn prepare_with<'e, 'q: 'e>(
        self,
        sql: &'q str,
        parameters: &'e [AnyTypeInfo],
    ) -> BoxFuture<'e, Result<AnyStatement<'q>, sqlx::Error>>
    where
        'p: 'e,
    {
        let pool = self.clone();
        Box::pin(bounded(self.limit, async move {
            let mut conn = pool.conn().await?;
            let answer = Executor::prepare_with(&mut *conn, sql, parameters).await;
            if reusable(&answer) {
                pool.keep(conn);
            }
            answer
        }))
    }

    fn describe<'e, 'q: 'e>(self, sql: &'q str) -> BoxFuture<'e, Result<Describe<Any>, sqlx::Error>>
    where
        'p: 'e,
    {
        Executor::describe(&self.raw, sql)
    }
}

/// Whether `sql` is a plain `SELECT` (it takes no write lock).
fn reads_only(sql: &str) -> bool {
    let head = sql.trim_start();
    head.get(..6)
        .is_some_and(|word| word.eq_ignore_ascii_case("select"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_a_plain_select_goes_without_the_writers_turn() {
        assert!(super::reads_only("\n\nSELECT id FROM accounts"));
        assert!(super::reads_only("select 1"));
        for writes in [
            "INSERT INTO t VALUES (1)",
            "\n UPDATE t SET x = 1",
            "DELETE FROM t",
            "WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x",
            "-- SELECT\nDELETE FROM t",
            "",
        ] {
            assert!(!super::reads_only(writes), "{writes}");
        }
    }
}
