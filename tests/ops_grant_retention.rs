//! Grants that answer for nothing are swept (`store::grant_retention`): one goes once it has no
//! refresh token, its access tokens have expired and no session of its person begun before it is
//! live; a grant kept by a refresh token in use, by a live session or by a young access token
//! stays, and a portal's refresh after the sweep still works. The walk over old grants goes on
//! from where the previous sweep stopped — its position is stored, so any node's next sweep goes
//! on from it — past grants it must keep. Both backends.

mod common;

use common::old_rows::insert_grants;
use common::*;
use vhod::store::grant_retention::GrantSweep;
use vhod::store::grants::NewGrant;
use vhod::store::sessions::NewSession;

const DAY: i64 = 86_400;

async fn grant(t: &TestServer, person: &str, client: &str, scopes: &str) -> String {
    let store = &t.app.store;
    store
        .create_grant(NewGrant {
            account_id: person,
            client_id: client,
            scopes,
            acr: "urn:vhod:acr:low",
            amr: "[\"pwd\"]",
            auth_time: store.now(),
            claims: None,
            sid: Some("sid-of-the-session"),
            dpop_jkt: None,
        })
        .await
        .unwrap()
        .id
}

async fn session(t: &TestServer, id: &str, person: &str, ttl: i64) {
    t.app
        .store
        .create_session(NewSession {
            id_hash: id,
            account_id: person,
            acr: "urn:vhod:acr:low",
            amr: "[\"pwd\"]",
            persistent: false,
            user_agent: "test",
            ip: "127.0.0.1",
            ttl,
        })
        .await
        .unwrap();
}

async fn grants_left(t: &TestServer) -> Vec<String> {
    let mut db = t.raw_db().await;
    let rows: Vec<(String,)> = sqlx::query_as("SELECT id FROM grants ORDER BY id")
        .fetch_all(&mut db)
        .await
        .unwrap();
    rows.into_iter().map(|(id,)| id).collect()
}

#[tokio::test]
async fn a_grant_goes_once_its_tokens_and_its_session_are_over() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let store = &t.app.store;
        let (client, _) = t.add_client("https://rp.example/cb", false).await;
        let ann = t.add_person("+79003340001").await;
        let bob = t.add_person("+79003340002").await;
        // Ann signs in for eight hours; Bob's session lasts sixty days.
        session(&t, "ann-session", &ann, 8 * 3600).await;
        session(&t, "bob-session", &bob, 60 * DAY).await;
        t.app.clock.advance(60);
        let spent = grant(&t, &ann, &client, "openid").await;
        let offline = grant(&t, &ann, &client, "openid offline_access").await;
        store
            .insert_refresh_token("offline-refresh", &offline, None, 60 * DAY)
            .await
            .unwrap();
        let refreshed_out = grant(&t, &ann, &client, "openid").await;
        store
            .insert_refresh_token("short-refresh", &refreshed_out, None, DAY)
            .await
            .unwrap();
        let in_bobs_session = grant(&t, &bob, &client, "openid").await;

        // Forty days on: Ann's session, the one-day refresh token and every access token of
        // then are long over; a grant made now has live access tokens.
        t.app.clock.advance(40 * DAY);
        let young = grant(&t, &ann, &client, "openid").await;
        vhod::server::housekeeping::sweep(&t.app).await;

        let mut kept = vec![offline, in_bobs_session, young];
        kept.sort();
        let left = grants_left(&t).await;
        assert_eq!(left, kept, "{}", backend.name());
        assert!(!left.contains(&spent) && !left.contains(&refreshed_out));
        assert_eq!(
            store.grant_walk().await.unwrap(),
            None,
            "the walk reached the young grants and starts over"
        );

        // A second sweep finds nothing more to delete.
        let again = store
            .sweep_grants(store.now() - DAY, store.now() - DAY, 10)
            .await
            .unwrap();
        assert_eq!(
            again,
            GrantSweep {
                deleted: 0,
                batches: 1,
                through: true
            },
            "{}",
            backend.name()
        );
    }
}

#[tokio::test]
async fn the_walk_goes_on_past_grants_it_keeps_from_one_sweep_to_the_next() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let store = &t.app.store;
        let (client, _) = t.add_client("https://rp.example/cb", false).await;
        let person = t.add_person("+79003340003").await;
        let now = store.now();
        // A full batch of old grants each kept by a live refresh token, made before five old
        // grants that answer for nothing.
        let mut db = t.raw_db().await;
        let scopes = "openid offline_access";
        insert_grants(
            &mut db,
            "kept-",
            1000,
            &person,
            &client,
            scopes,
            now - 90 * DAY,
            1,
        )
        .await;
        sqlx::query(
            "INSERT INTO refresh_tokens (hash, grant_id, created_at, expires_at) \
             SELECT 'r-' || id, id, created_at, $1 FROM grants WHERE id LIKE 'kept-%'",
        )
        .bind(now + 30 * DAY)
        .execute(&mut db)
        .await
        .unwrap();
        insert_grants(
            &mut db,
            "spent-",
            5,
            &person,
            &client,
            "openid",
            now - 80 * DAY,
            0,
        )
        .await;

        let cutoff = now - DAY;
        let first = store.sweep_grants(cutoff, cutoff, 1).await.unwrap();
        assert_eq!(first.deleted, 0, "one batch: the thousand kept grants");
        assert!(!first.through);
        assert_eq!(
            store.grant_walk().await.unwrap(),
            Some((now - 90 * DAY + 1000, "kept-11000".to_string())),
            "{}: the position stored, for whichever node sweeps next",
            backend.name()
        );
        let second = store.sweep_grants(cutoff, cutoff, 1).await.unwrap();
        assert_eq!(
            second.deleted,
            5,
            "{}: the next sweep goes on",
            backend.name()
        );
        let third = store.sweep_grants(cutoff, cutoff, 1).await.unwrap();
        assert_eq!(
            third,
            GrantSweep {
                deleted: 0,
                batches: 0,
                through: true
            }
        );
        assert_eq!(
            store.grant_walk().await.unwrap(),
            None,
            "the next sweep starts over"
        );
        let left = grants_left(&t).await;
        assert_eq!(left.len(), 1000);
        assert!(left.iter().all(|id| id.starts_with("kept-")));
    }
}

#[tokio::test]
async fn nodes_sweeping_at_once_take_the_walk_s_batches_in_turn() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let store = &t.app.store;
        let (client, _) = t.add_client("https://rp.example/cb", false).await;
        let person = t.add_person("+79003340004").await;
        let now = store.now();
        let mut db = t.raw_db().await;
        insert_grants(
            &mut db,
            "spent-",
            5000,
            &person,
            &client,
            "openid",
            now - 80 * DAY,
            1,
        )
        .await;

        // Two sweeps at once on the one store, as two nodes' would be.
        let cutoff = now - DAY;
        let (a, b) = tokio::join!(
            store.sweep_grants(cutoff, cutoff, 10),
            store.sweep_grants(cutoff, cutoff, 10)
        );
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(
            a.batches + b.batches,
            5,
            "{}: each of the five batches taken once ({a:?}, {b:?})",
            backend.name()
        );
        assert_eq!(a.deleted + b.deleted, 5000, "{a:?}, {b:?}");
        assert!(grants_left(&t).await.is_empty());
    }
}

#[tokio::test]
async fn a_portal_refreshes_after_the_sweep_with_the_grant_it_still_uses() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (client, secret) = t.add_client(REDIRECT, false).await;
        let secret = secret.unwrap();
        t.add_person("+79003340004").await;
        let browser = Browser::new(&t.base);
        let (code, verifier) = obtain_code(&t, &browser, &client, "+79003340004").await;
        let (status, tokens) = redeem(&t, &client, &secret, &code, &verifier).await;
        assert_eq!(status, 200, "{tokens}");
        // Three days on the sign-in's session is over, its access token expired, and the
        // grant is held only by its refresh token (thirty days).
        t.app.clock.advance(3 * DAY);
        vhod::server::housekeeping::sweep(&t.app).await;
        assert_eq!(grants_left(&t).await.len(), 1, "{}", backend.name());
        let refresh = tokens["refresh_token"].as_str().unwrap();
        let (status, body) = token_request(
            &t,
            &client,
            &secret,
            &[("grant_type", "refresh_token"), ("refresh_token", refresh)],
        )
        .await;
        assert_eq!(status, 200, "{}: {body}", backend.name());
        let (status, _) = userinfo(&t, body["access_token"].as_str().unwrap()).await;
        assert_eq!(status, 200);
    }
}
