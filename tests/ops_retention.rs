//! Every node sweeps what no longer answers for anything (`store::retention`): sessions, refresh
//! tokens and revoked access tokens expired more than `retention.expired_grace_secs` ago, and jobs
//! finished more than `retention.done_jobs_days` ago, go; live rows, rows inside the grace and
//! unfinished jobs stay. Both backends.

mod common;

use common::*;
use vhod::store::grants::NewGrant;
use vhod::store::sessions::NewSession;

const DAY: i64 = 86_400;

async fn count(t: &TestServer, table: &str) -> i64 {
    let mut db = t.raw_db().await;
    let (n,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}"))
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
