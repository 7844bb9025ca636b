//! An operator's change and its audit entry are committed together or not at all
//! (store/change.rs). benches/faults found changes with no entry: the change committed, then the
//! entry's own statement failed (a full disk, a dependency outage, a crash in between). Here the
//! entry is made to fail on purpose — a trigger on `audit_log` refuses one action — and the change
//! must be gone with it; a change that fails writes no entry; concurrent changes from two nodes
//! keep the chain whole; an entry whose position a writer without the chain's lock took (a node of
//! an older build in a rolling deploy) makes nothing and asks the operator to retry.

mod common;

use common::*;
use serde_json::{Value, json};
use vhod::admin::Role;
use vhod::admin::auth::issue_bootstrap_token;
use vhod::clients;

/// From now on the audit log refuses every entry with `action`.
async fn refuse_audit(t: &TestServer, action: &str) {
    let mut conn = t.raw_db().await;
    let sql = match t.backend {
        Backend::Sqlite => format!(
            "CREATE TRIGGER audit_refuses BEFORE INSERT ON audit_log WHEN NEW.action = '{action}' \
             BEGIN SELECT RAISE(ABORT, 'the audit log refuses {action}'); END"
        ),
        Backend::Postgres { .. } => format!(
            "CREATE FUNCTION audit_refuses() RETURNS trigger LANGUAGE plpgsql AS $$ \
             BEGIN RAISE EXCEPTION 'the audit log refuses {action}'; END $$; \
             CREATE TRIGGER audit_refuses BEFORE INSERT ON audit_log FOR EACH ROW \
             WHEN (NEW.action = '{action}') EXECUTE FUNCTION audit_refuses()"
        ),
    };
    sqlx::raw_sql(&sql).execute(&mut conn).await.unwrap();
}

/// The audit log takes every entry again.
async fn accept_audit(t: &TestServer) {
    let mut conn = t.raw_db().await;
    let sql = match t.backend {
        Backend::Sqlite => "DROP TRIGGER audit_refuses",
        Backend::Postgres { .. } => {
            "DROP TRIGGER audit_refuses ON audit_log; DROP FUNCTION audit_refuses()"
        }
    };
    sqlx::raw_sql(sql).execute(&mut conn).await.unwrap();
}

async fn entries(t: &TestServer, action: &str) -> usize {
    let log = t.app.store.audit_since(0).await.unwrap();
    log.iter().filter(|e| e.action == action).count()
}

async fn admin_token(t: &TestServer) -> String {
    issue_bootstrap_token(&t.app, &[Role::SecurityAdmin], "desk", 600)
        .await
        .unwrap()
        .0
}

async fn add_client(base: &str, token: &str, name: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{base}/admin/api/clients"))
        .bearer_auth(token)
        .json(&json!({ "name": name, "redirect_uris": ["https://rp.example/cb"] }))
        .send()
        .await
        .unwrap()
}

async fn client_named(t: &TestServer, name: &str) -> Option<clients::Client> {
    let list = clients::list(&t.app.store).await.unwrap();
    list.into_iter().find(|c| c.name == name)
}

#[tokio::test]
async fn an_api_registration_whose_audit_entry_fails_leaves_no_client() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let token = admin_token(&t).await;
        refuse_audit(&t, "client.add").await;

        let res = add_client(&t.base, &token, "Без записи").await;
        assert!(
            res.status().is_server_error(),
            "{}: {}",
            backend.name(),
            res.status()
        );
        assert_eq!(
            res.headers()["content-type"].to_str().unwrap(),
            "application/problem+json"
        );
        let body: Value = res.json().await.unwrap();
        assert!(body["request_id"].is_string(), "{body}");
        assert!(
            client_named(&t, "Без записи").await.is_none(),
            "{}: no client without its audit entry",
            backend.name()
        );
        assert_eq!(entries(&t, "client.add").await, 0);

        // The same request once the log takes entries again: the client and its entry, together.
        accept_audit(&t).await;
        let res = add_client(&t.base, &token, "Без записи").await;
        assert_eq!(res.status(), 201, "{}", backend.name());
        let id = res.json::<Value>().await.unwrap()["client_id"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(
            client_named(&t, "Без записи").await.unwrap().id.to_string(),
            id
        );
        let log = t.app.store.audit_since(0).await.unwrap();
        assert!(
            log.iter()
                .any(|e| e.action == "client.add" && e.target == id)
        );
        assert_eq!(t.app.store.verify_audit().await.unwrap(), None);
    }
}

#[tokio::test]
async fn a_console_change_whose_audit_entry_fails_changes_nothing() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (id, _) = t.add_client("https://rp.example/cb", false).await;
        let token = admin_token(&t).await;
        let b = Browser::new(&t.base);
        let login = match b.follow("/admin/console").await {
            Landing::Page(200, html) => html,
            other => panic!("{other:?}"),
        };
        b.submit(&login, "/admin/console/login", &[("token", &token)])
            .await;
        let page = match b.follow("/admin/console/clients").await {
            Landing::Page(200, html) => html,
            other => panic!("{other:?}"),
        };
        refuse_audit(&t, "client.update").await;

        // Redirect URIs and settings are two writes of one change: neither stays.
        let res = b
            .submit(
                &page,
                "/admin/console/clients",
                &[
                    ("action", "change"),
                    ("client_id", &id),
                    ("redirect_uris", "https://rp.example/other"),
                    ("scopes", "reports"),
                    ("id_token_alg", "ES256"),
                ],
            )
            .await;
        assert_eq!(res.status(), 500, "{}", backend.name());
        let c = clients::find(&t.app.store, &id).await.unwrap().unwrap();
        assert_eq!(
            c.redirect_uris,
            ["https://rp.example/cb"],
            "{}",
            backend.name()
        );
        assert_ne!(c.allowed_scopes, ["reports"]);
        assert_eq!(c.id_token_alg.name(), "RS256");
        assert_eq!(entries(&t, "client.update").await, 0);
    }
}

#[tokio::test]
async fn an_organisation_change_whose_audit_entry_fails_changes_nothing() {
    use vhod::orgs::{OrgError, Role as OrgRole, members};
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let chief = t.add_person("chief@example.org").await;
        let member = t.add_person("member@example.org").await;
        let oid = t.add_org(ROMASHKA, &chief).await;
        t.app
            .store
            .add_org_member(oid, &member, "employee")
            .await
            .unwrap();
        refuse_audit(&t, "org.role_changed").await;

        let refused = members::set_role(&t.app, &chief, oid, &member, OrgRole::Admin).await;
        assert!(
            matches!(refused, Err(OrgError::Store(_))),
            "{}: {refused:?}",
            backend.name()
        );
        assert_eq!(
            t.app.store.org_role(oid, &member).await.unwrap().as_deref(),
            Some("employee"),
            "{}: the role is not changed without its entry",
            backend.name()
        );
        assert_eq!(entries(&t, "org.role_changed").await, 0);

        accept_audit(&t).await;
        members::set_role(&t.app, &chief, oid, &member, OrgRole::Admin)
            .await
            .unwrap();
        assert_eq!(
            t.app.store.org_role(oid, &member).await.unwrap().as_deref(),
            Some("admin")
        );
        assert_eq!(entries(&t, "org.role_changed").await, 1);
    }
}

#[tokio::test]
async fn a_change_that_fails_writes_no_audit_entry() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let token = admin_token(&t).await;
        let http = reqwest::Client::new();
        let rotate = || {
            http.post(format!("{}/admin/api/keys/rotate", t.base))
                .bearer_auth(&token)
                .json(&json!({ "alg": "ES256" }))
                .send()
        };
        assert_eq!(rotate().await.unwrap().status(), 200, "{}", backend.name());
        // A second next key of the algorithm conflicts with the first: refused, and not audited.
        let second = rotate().await.unwrap();
        assert_eq!(second.status(), 409, "{}", backend.name());
        assert_eq!(entries(&t, "key.rotate").await, 1, "{}", backend.name());

        // A registration refused by the store (the id is taken) leaves no entry either.
        let (taken, _) = t.add_client("https://rp.example/cb", false).await;
        let refused = clients::register_staged(
            &t.app.store,
            &clients::strict_outbound().unwrap(),
            clients::NewClient {
                id: Some(taken.clone()),
                name: "Двойник".into(),
                redirect_uris: vec!["https://rp.example/cb".into()],
                ..clients::NewClient::default()
            },
        )
        .await;
        assert!(
            matches!(refused, Err(clients::RegisterError::Exists)),
            "{}",
            backend.name()
        );
        drop(refused);
        assert_eq!(entries(&t, "client.add").await, 0);
        assert_eq!(t.app.store.verify_audit().await.unwrap(), None);
    }
}

#[tokio::test]
async fn twenty_registrations_at_once_on_two_nodes_keep_the_chain_whole() {
    for backend in backends() {
        let node1 = TestServer::start(&backend).await;
        let mut cfg2 = node1.config.clone();
        cfg2.server.issuer = node1.issuer();
        let node2 = TestServer::start_with(&backend, cfg2).await;
        let token = admin_token(&node1).await;
        let before = node1.app.store.audit_since(0).await.unwrap();
        let first_seq = before.last().map_or(1, |e| e.seq + 1);

        let calls = (0..20).map(|i| {
            let base = if i % 2 == 0 {
                node1.base.clone()
            } else {
                node2.base.clone()
            };
            let token = token.clone();
            async move { add_client(&base, &token, &format!("Портал {i}")).await }
        });
        let answers = futures::future::join_all(calls).await;
        for a in &answers {
            assert_eq!(a.status(), 201, "{}", backend.name());
        }

        let log = node2.app.store.audit_since(0).await.unwrap();
        let added: Vec<_> = log.iter().filter(|e| e.action == "client.add").collect();
        assert_eq!(added.len(), 20, "{}", backend.name());
        let seqs: Vec<i64> = log.iter().map(|e| e.seq).collect();
        let expected: Vec<i64> = (1..=seqs.len() as i64).collect();
        assert_eq!(seqs, expected, "{}: consecutive positions", backend.name());
        assert!(added.iter().all(|e| e.seq >= first_seq));
        assert_eq!(
            node1.app.store.verify_audit().await.unwrap(),
            None,
            "{}: the chain is intact",
            backend.name()
        );
        for i in 0..20 {
            assert!(client_named(&node1, &format!("Портал {i}")).await.is_some());
        }
    }
}

#[tokio::test]
async fn a_key_rotation_whose_audit_entry_fails_publishes_no_key() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let token = admin_token(&t).await;
        let keys_before = t.app.store.all_signing_keys().await.unwrap();
        let jwks_before = t.app.keyring.jwks();
        refuse_audit(&t, "key.rotate").await;

        let res = reqwest::Client::new()
            .post(format!("{}/admin/api/keys/rotate", t.base))
            .bearer_auth(&token)
            .json(&json!({ "alg": "ES256", "now": true }))
            .send()
            .await
            .unwrap();
        assert!(res.status().is_server_error(), "{}", backend.name());
        let keys_after = t.app.store.all_signing_keys().await.unwrap();
        let states = |keys: &[vhod::store::keys::SigningKeyRow]| {
            keys.iter()
                .map(|k| (k.kid.clone(), k.state.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            states(&keys_after),
            states(&keys_before),
            "{}: no key added, none retired",
            backend.name()
        );
        assert_eq!(t.app.keyring.jwks(), jwks_before);
        assert_eq!(entries(&t, "key.rotate").await, 0);
    }
}

/// From now on every entry finds its position taken: before it is written, a writer that does
/// not take the chain's lock (a node of an older build during a rolling deploy) writes there.
async fn take_positions(t: &TestServer) {
    let mut conn = t.raw_db().await;
    let row = "(NEW.seq, NEW.at, 'older-node', 'older.change', 'x', '', '{}', NEW.prev_hash, 'x')";
    let sql = match t.backend {
        Backend::Sqlite => format!(
            "CREATE TRIGGER audit_taken BEFORE INSERT ON audit_log WHEN NEW.actor <> 'older-node' \
             BEGIN INSERT INTO audit_log (seq, at, actor, action, target, request_id, details, \
             prev_hash, hash) VALUES {row}; END"
        ),
        Backend::Postgres { .. } => format!(
            "CREATE FUNCTION audit_taken() RETURNS trigger LANGUAGE plpgsql AS $$ \
             BEGIN INSERT INTO audit_log (seq, at, actor, action, target, request_id, details, \
             prev_hash, hash) VALUES {row}; RETURN NEW; END $$; \
             CREATE TRIGGER audit_taken BEFORE INSERT ON audit_log FOR EACH ROW \
             WHEN (NEW.actor <> 'older-node') EXECUTE FUNCTION audit_taken()"
        ),
    };
    sqlx::raw_sql(&sql).execute(&mut conn).await.unwrap();
}

#[tokio::test]
async fn an_entry_whose_position_was_taken_asks_the_operator_to_retry_and_changes_nothing() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let token = admin_token(&t).await;
        take_positions(&t).await;

        let res = add_client(&t.base, &token, "Позиция занята").await;
        assert_eq!(res.status(), 503, "{}", backend.name());
        assert_eq!(res.headers()["retry-after"], "5", "{}", backend.name());
        assert_eq!(
            res.headers()["content-type"].to_str().unwrap(),
            "application/problem+json"
        );
        assert!(
            client_named(&t, "Позиция занята").await.is_none(),
            "{}: no client without its audit entry",
            backend.name()
        );
        assert_eq!(entries(&t, "client.add").await, 0);
        assert_eq!(entries(&t, "older.change").await, 0, "rolled back with it");
    }
}
