//! A person's consent to a portal is widened, never overwritten by a consent given at the same
//! moment. It used to be read, then upserted whole: two consents for the same portal at once (two
//! tabs, two devices) could each write the union with what it had read, and the later write
//! dropped the scopes the earlier one had added. Now the write happens only if the consent is
//! still what was read (`Store::replace_consent`), and `permissions::give` reads again otherwise.

mod common;

use common::*;
use vhod::identity::permissions;

const PORTAL_URI: &str = "https://rp.example/cb";

fn pair(scopes: &str, claims: &str) -> (String, String) {
    (scopes.to_owned(), claims.to_owned())
}

/// Runs `give(0)` … `give(5)` as six tasks at once; each must succeed.
async fn all_at_once<F>(give: impl Fn(usize) -> F)
where
    F: std::future::Future<Output = Result<(), vhod::store::StoreError>> + Send + 'static,
{
    let tasks: Vec<_> = (0..6).map(|i| tokio::spawn(give(i))).collect();
    for task in tasks {
        task.await.unwrap().expect("each consent is given");
    }
}

#[tokio::test]
async fn a_consent_is_replaced_only_if_it_is_still_what_was_read() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (client, _) = t.add_client(PORTAL_URI, false).await;
        let account = t.add_person("cas@example.org").await;
        let store = &t.app.store;
        let name = backend.name();

        assert!(
            store
                .replace_consent(&account, &client, None, "openid", "")
                .await
                .unwrap(),
            "{name}: the first consent is written"
        );
        assert!(
            !store
                .replace_consent(&account, &client, None, "openid email", "")
                .await
                .unwrap(),
            "{name}: a writer that saw no consent does not overwrite the one written since"
        );
        assert!(
            !store
                .replace_consent(&account, &client, Some(&pair("", "")), "phone", "")
                .await
                .unwrap(),
            "{name}: nor does one that saw another consent"
        );
        assert_eq!(
            store.consent(&account, &client).await.unwrap(),
            Some(pair("openid", "")),
            "{name}: the refused writes changed nothing"
        );
        assert!(
            store
                .replace_consent(
                    &account,
                    &client,
                    Some(&pair("openid", "")),
                    "openid phone",
                    "birthdate"
                )
                .await
                .unwrap(),
            "{name}: a writer that saw the consent as it is replaces it"
        );
        assert_eq!(
            store.consent(&account, &client).await.unwrap(),
            Some(pair("openid phone", "birthdate"))
        );
    }
}

#[tokio::test]
async fn consents_given_for_one_portal_at_the_same_moment_all_count() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (client, _) = t.add_client(PORTAL_URI, false).await;
        let account = t.add_person("together@example.org").await;
        let account = vhod::types::AccountId::new(account);
        all_at_once(|i| {
            let (app, account, client) = (t.app.clone(), account.clone(), client.clone());
            async move {
                permissions::give(
                    &app,
                    &account,
                    &client,
                    &[format!("s{i}")],
                    &[format!("c{i}")],
                )
                .await
            }
        })
        .await;
        let (scopes, claims) = t
            .app
            .store
            .consent(&account, &client)
            .await
            .unwrap()
            .unwrap();
        let (mut scopes, mut claims): (Vec<_>, Vec<_>) =
            (scopes.split(' ').collect(), claims.split(' ').collect());
        scopes.sort_unstable();
        claims.sort_unstable();
        assert_eq!(
            (scopes, claims),
            (
                vec!["s0", "s1", "s2", "s3", "s4", "s5"],
                vec!["c0", "c1", "c2", "c3", "c4", "c5"]
            ),
            "{}: every consent's scopes and claims are remembered",
            backend.name()
        );
    }
}

#[tokio::test]
async fn consents_given_for_one_organisation_at_the_same_moment_all_count_and_are_audited() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (client, _) = t.add_client(PORTAL_URI, false).await;
        let chief = t.add_person("chief@example.org").await;
        let oid = t.add_org(ROMASHKA, &chief).await;
        all_at_once(|i| {
            let (app, chief, client) = (t.app.clone(), chief.clone(), client.clone());
            async move {
                vhod::orgs::portals::give(&app, &chief, &client, oid, &[format!("s{i}")], &[]).await
            }
        })
        .await;
        let (scopes, _) = t
            .app
            .store
            .org_consent(&chief, &client, oid)
            .await
            .unwrap()
            .unwrap();
        let mut scopes: Vec<_> = scopes.split(' ').collect();
        scopes.sort_unstable();
        assert_eq!(
            scopes,
            vec!["s0", "s1", "s2", "s3", "s4", "s5"],
            "{}: every consent for the organisation is remembered",
            backend.name()
        );
        let given = t
            .app
            .store
            .audit_since(0)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.action == "org.consent.give")
            .count();
        assert_eq!(given, 6, "{}: one audit entry per consent", backend.name());
        assert_eq!(t.app.store.verify_audit().await.unwrap(), None);
    }
}
