//! Every node sweeps what no longer answers for anything (`store::retention`): sessions, refresh
//! tokens and revoked access tokens expired more than `retention.expired_grace_secs` ago, and jobs
//! finished more than `retention.done_jobs_days` ago, go; live rows, rows inside the grace and
//! unfinished jobs stay. Both backends.

mod common;

use common::old_rows::{insert_grants, insert_sessions};
use common::*;
use vhod::store::grants::NewGrant;
use vhod::store::sessions::NewSession;

const DAY: i64 = 86_400;

async fn count(t: &TestServer, table: &str) -> i64 {
    count_where(t, table, "1 = 1").await
}

async fn count_where(t: &TestServer, table: &str, condition: &str) -> i64 {
    let mut db = t.raw_db().await;
    let (n,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {table} WHERE {condition}"))
        .fetch_one(&mut db)
        .await
        .unwrap();
    n
}

#[tokio::test]
async fn a_sweep_deletes_what_expired_past_the_grace_and_keeps_the_rest() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let store = &t.app.store;
        let person = t.add_person("+79003330001").await;
        let (client, _) = t.add_client("https://rp.example/cb", false).await;
        // Forty days from now: a row made now with a lifetime of one day expired 39 days before,
        // one of 40 days less an hour expired an hour before (inside the one-day grace), one of 60
        // days is live.
        let lifetimes = [DAY, 40 * DAY - 3600, 60 * DAY];
        for (i, ttl) in lifetimes.iter().enumerate() {
            store
                .create_session(NewSession {
                    id_hash: &format!("session-{i}"),
                    account_id: &person,
                    acr: "urn:vhod:acr:low",
                    amr: "[\"pwd\"]",
                    persistent: false,
                    user_agent: "test",
                    ip: "127.0.0.1",
                    ttl: *ttl,
                })
                .await
                .unwrap();
        }
        let grant = store
            .create_grant(NewGrant {
                account_id: &person,
                client_id: &client,
                scopes: "openid offline_access",
                acr: "urn:vhod:acr:low",
                amr: "[\"pwd\"]",
                auth_time: store.now(),
                claims: None,
                sid: None,
                dpop_jkt: None,
            })
            .await
            .unwrap();
        for (i, ttl) in lifetimes.iter().enumerate() {
            store
                .insert_refresh_token(&format!("refresh-{i}"), &grant.id, None, *ttl)
                .await
                .unwrap();
            store
                .revoke_access_token(&format!("jti-{i}"), &client, store.now() + ttl)
                .await
                .unwrap();
        }
        let finished = store.enqueue_job("test.kind", "{}", 3).await.unwrap();
        store.finish_job(&finished).await.unwrap();
        store.enqueue_job("test.kind", "{}", 3).await.unwrap();
        let jobs_before = count(&t, "jobs").await;
        let sessions_before = count(&t, "sessions").await;

        t.app.clock.advance(40 * DAY);
        vhod::server::housekeeping::sweep(&t.app).await;

        let mut db = t.raw_db().await;
        let sessions: Vec<(String,)> = sqlx::query_as(
            "SELECT id_hash FROM sessions WHERE id_hash LIKE 'session-%' ORDER BY 1",
        )
        .fetch_all(&mut db)
        .await
        .unwrap();
        assert_eq!(
            sessions,
            vec![("session-1".into(),), ("session-2".into(),)],
            "{}",
            backend.name()
        );
        assert_eq!(count(&t, "sessions").await, sessions_before - 1);
        let refresh: Vec<(String,)> = sqlx::query_as("SELECT hash FROM refresh_tokens ORDER BY 1")
            .fetch_all(&mut db)
            .await
            .unwrap();
        assert_eq!(refresh, vec![("refresh-1".into(),), ("refresh-2".into(),)]);
        let revoked: Vec<(String,)> =
            sqlx::query_as("SELECT jti FROM revoked_access_tokens ORDER BY 1")
                .fetch_all(&mut db)
                .await
                .unwrap();
        assert_eq!(revoked, vec![("jti-1".into(),), ("jti-2".into(),)]);
        let finished_left: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM jobs WHERE id = $1")
            .bind(&finished)
            .fetch_one(&mut db)
            .await
            .unwrap();
        assert_eq!(finished_left.0, 0, "the job finished 40 days ago is gone");
        assert_eq!(
            count(&t, "jobs").await,
            jobs_before - 1,
            "the unfinished one stays"
        );

        // A second sweep finds nothing more.
        let again = store
            .sweep(store.now() - DAY, store.now() - 30 * DAY, 10)
            .await
            .unwrap();
        assert!(again.0.iter().all(|(_, n)| *n == 0), "{again:?}");
    }
}

#[tokio::test]
async fn a_backlog_larger_than_a_sweep_is_worked_off_by_the_next_sweeps_without_waiting_a_period() {
    for backend in backends() {
        let mut config = test_config(&backend);
        // A sweep an hour, one statement of 1000 rows a table each.
        config.retention.sweep_secs = 3600;
        config.retention.sweep_batches = 1;
        let t = TestServer::start_with(&backend, config).await;
        let person = t.add_person("+79003330002").await;
        let (client, _) = t.add_client("https://rp.example/cb", false).await;
        let now = t.app.store.now();
        let mut db = t.raw_db().await;
        // 2500 sessions that expired ten days ago, and 2500 grants of ninety days ago with no
        // refresh token and no live session: three sweeps' worth of each.
        insert_sessions(
            &mut db,
            "old-",
            2500,
            &person,
            now - 20 * DAY,
            now - 10 * DAY,
        )
        .await;
        insert_grants(
            &mut db,
            "spent-",
            2500,
            &person,
            &client,
            "openid",
            now - 90 * DAY,
            1,
        )
        .await;

        let sweeper = tokio::spawn(vhod::server::housekeeping::sweeps(
            t.app.clone(),
            std::time::Duration::ZERO,
        ));
        // Four sweeps (three with a full batch, the fourth finds the walk through), a second or
        // so apart: well within the deadline, nowhere near the hour.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        loop {
            let sessions = count_where(&t, "sessions", "id_hash LIKE 'old-%'").await;
            let grants = count_where(&t, "grants", "id LIKE 'spent-%'").await;
            if sessions == 0 && grants == 0 && t.app.store.grant_walk().await.unwrap().is_none() {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{}: {sessions} sessions and {grants} grants left a minute on",
                backend.name()
            );
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }

        // The backlog worked off, the sweeper waits its hour: a session expired now is kept.
        insert_sessions(&mut db, "late-", 1, &person, now - 20 * DAY, now - 10 * DAY).await;
        tokio::time::sleep(std::time::Duration::from_secs(3)).await;
        assert_eq!(
            count_where(&t, "sessions", "id_hash LIKE 'late-%'").await,
            1,
            "{}: no sweep within three seconds once nothing is left",
            backend.name()
        );
        sweeper.abort();
    }
}
