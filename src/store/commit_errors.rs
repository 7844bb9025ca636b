//! What a failed commit must not do (both seen by benches/faults/disk_full.sh): report a row that
//! is not stored — a login answered 303 with a session cookie whose session was gone a moment
//! later (SQLite commits a lone INSERT … RETURNING when the statement finishes, and a full disk
//! fails that commit) — or leave a pooled connection that refuses every later transaction.

#[cfg(test)]
mod tests {
    use crate::clock::Clock;
    use crate::config::Config;
    use crate::store::Store;
    use crate::store::sessions::NewSession;

    /// `PRAGMA defer_foreign_keys` moves the foreign-key check to the commit, so a session of an
    /// account that does not exist fails exactly where a full disk fails: at the commit.
    #[tokio::test]
    async fn an_insert_returning_whose_commit_fails_is_an_error() {
        let dir =
            std::env::temp_dir().join(format!("vhod-commit-{}", uuid::Uuid::now_v7().simple()));
        let mut c = Config::defaults();
        c.database.url = format!("sqlite://{}", dir.join("vhod.db").display());
        c.database.max_connections = 1;
        let store = Store::connect(&c, Clock::default()).await.unwrap();
        sqlx::query("PRAGMA defer_foreign_keys = ON")
            .execute(&store.pool)
            .await
            .unwrap();
        let result = store
            .create_session(NewSession {
                id_hash: "h1",
                account_id: "no-such-account",
                acr: "low",
                amr: "[]",
                persistent: false,
                user_agent: "t",
                ip: "127.0.0.1",
                ttl: 60,
            })
            .await;
        let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions")
            .fetch_one(&store.pool)
            .await
            .unwrap();
        assert!(
            result.is_err() || stored == 1,
            "create_session answered {:?} but {stored} sessions are stored",
            result.map(|r| r.id_hash)
        );
        store.pool.close().await;
        let _ = std::fs::remove_dir_all(dir);
    }

    /// A connection whose transaction SQLite ended by itself (as it may after a full disk): sqlx's
    /// ROLLBACK then fails and sqlx still counts the transaction. Here the transaction is ended
    /// behind sqlx's back with a plain COMMIT, which leaves the same state.
    #[tokio::test]
    async fn a_connection_left_inside_a_transaction_is_not_handed_out_again() {
        let dir = std::env::temp_dir().join(format!("vhod-tx-{}", uuid::Uuid::now_v7().simple()));
        let mut c = Config::defaults();
        c.database.url = format!("sqlite://{}", dir.join("vhod.db").display());
        c.database.max_connections = 1;
        c.database.acquire_timeout_secs = 2;
        let store = Store::connect(&c, Clock::default()).await.unwrap();
        let mut tx = store.begin().await.unwrap();
        sqlx::query("COMMIT").execute(&mut *tx).await.unwrap();
        drop(tx);
        let again = store.begin().await;
        assert!(
            again.is_ok(),
            "the next transaction on the pool: {:?}",
            again.err()
        );
        drop(again);
        store.pool.close().await;
        let _ = std::fs::remove_dir_all(dir);
    }
}
