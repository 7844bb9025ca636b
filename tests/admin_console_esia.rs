//! The console's ESIA portals page: list, registration with a pasted certificate, flags changed
//! later, certificate replaced with an overlap, disabling (confirmed); CSRF, roles, audit, both
//! languages.

mod common;
mod esia_rp;

use common::*;
use esia_rp::{CERT_PEM, PORTAL_REDIRECT};
use vhod::admin::Role;
use vhod::admin::auth::issue_bootstrap_token;
use vhod::clients::esia;

const NEW_CERT_PEM: &str = include_str!("fixtures/gost/256-B.cert.pem");
const CERT_512_PEM: &str = include_str!("fixtures/gost/512-A.cert.pem");
const PAGE: &str = "/admin/console/esia";

/// A node without the demo portals (dev mode registers the demo B2B portal's ESIA client): the
/// page starts with no ESIA portal.
async fn start(backend: &Backend) -> TestServer {
    let mut config = test_config(backend);
    config.demo.enabled = false;
    TestServer::start_with(backend, config).await
}

/// A browser signed in to the console with a bootstrap token of `roles`.
async fn console_browser(t: &TestServer, roles: &[Role]) -> Browser {
    let (token, _) = issue_bootstrap_token(&t.app, roles, "esia-console", 3600)
        .await
        .unwrap();
    let b = Browser::new(&t.base);
    let login = page_of(b.follow("/admin/console").await);
    let res = b
        .submit(&login, "/admin/console/login", &[("token", &token)])
        .await;
    assert_eq!(res.status(), 303);
    b
}

fn page_of(landing: Landing) -> String {
    match landing {
        Landing::Page(200, html) => html,
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn an_esia_portal_is_registered_changed_and_disabled_from_the_console() {
    for backend in backends() {
        let t = start(&backend).await;
        let b = console_browser(&t, &[Role::SecurityAdmin, Role::Auditor]).await;
        let console = page_of(b.follow("/admin/console").await);
        assert!(console.contains("href=\"/admin/console/esia\""), "linked");
        let page = page_of(b.follow(PAGE).await);
        assert!(page.contains("Порталы ЕСИА") && page.contains("id=\"esia-none\""));

        let res = b
            .post(PAGE, &[("action", "add"), ("client_id", "PORTAL_CON")])
            .await;
        assert_eq!(res.status(), 403, "no CSRF token, no action");

        let fields = [
            ("action", "add"),
            ("client_id", "PORTAL_CON"),
            ("name", "Портал консоли"),
            ("redirect_uris", PORTAL_REDIRECT),
            ("scopes", "openid fullname"),
            ("certificate", CERT_PEM),
            ("token_alg", "RS256"),
            ("min_level", "confirmed"),
            ("require_pkce", "on"),
        ];
        let page = page_of(b.submit_follow(&page, PAGE, &fields).await);
        assert!(
            page.contains("Сделано: client.add: PORTAL_CON"),
            "{}: {page}",
            backend.name()
        );
        assert!(page.contains("id=\"esia-PORTAL_CON\"") && page.contains("Портал консоли"));
        let c = esia::find(&t.app.store, "PORTAL_CON")
            .await
            .unwrap()
            .unwrap();
        assert!(c.client.require_pkce && !c.legacy);
        assert_eq!(c.client.min_level, "confirmed");
        assert_eq!(c.client.id_token_alg.name(), "RS256");
        assert_eq!(c.client.allowed_scopes, ["openid", "fullname"]);
        assert_eq!(c.client.redirect_uris, [PORTAL_REDIRECT]);

        // Bad input says why and registers nothing.
        let mut bad = fields;
        bad[1] = ("client_id", "PORTAL_512");
        bad[5] = ("certificate", CERT_512_PEM);
        let page = page_of(b.submit_follow(&page, PAGE, &bad).await);
        assert!(
            page.contains("Не сделано:") && page.contains("256-bit"),
            "{page}"
        );
        assert!(
            esia::find(&t.app.store, "PORTAL_512")
                .await
                .unwrap()
                .is_none()
        );

        // The flags change later: legacy on, PKCE optional, GOST tokens, any level.
        let page = page_of(
            b.submit_follow(
                &page,
                PAGE,
                &[
                    ("action", "flags"),
                    ("client_id", "PORTAL_CON"),
                    ("legacy", "on"),
                    ("token_alg", "GOST3410_2012_256"),
                    ("min_level", "simplified"),
                ],
            )
            .await,
        );
        assert!(
            page.contains("Сделано: client.update: PORTAL_CON"),
            "{page}"
        );
        let c = esia::find(&t.app.store, "PORTAL_CON")
            .await
            .unwrap()
            .unwrap();
        assert!(c.legacy && !c.client.require_pkce);
        assert_eq!(c.client.min_level, "simplified");
        assert_eq!(c.client.id_token_alg.name(), "GOST3410_2012_256");

        // A new certificate; the old one stays for the overlap.
        let page = page_of(
            b.submit_follow(
                &page,
                PAGE,
                &[
                    ("action", "certificate"),
                    ("client_id", "PORTAL_CON"),
                    ("certificate", NEW_CERT_PEM),
                    ("overlap", "600"),
                ],
            )
            .await,
        );
        assert!(
            page.contains("client.replace_certificate: PORTAL_CON"),
            "{page}"
        );
        assert!(page.contains("действует до") && page.contains("действующий"));
        let c = esia::find(&t.app.store, "PORTAL_CON")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(c.certificates.len(), 2);
        t.app.clock.advance(601);
        let c = esia::find(&t.app.store, "PORTAL_CON")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            c.certificates.len(),
            1,
            "only the new one after the overlap"
        );

        // Disabling needs the confirmation box.
        let res = b
            .submit(
                &page,
                PAGE,
                &[("action", "disable"), ("client_id", "PORTAL_CON")],
            )
            .await;
        assert_eq!(res.status(), 400);
        assert!(res.text().await.unwrap().contains("отметьте"));
        assert!(
            esia::find(&t.app.store, "PORTAL_CON")
                .await
                .unwrap()
                .is_some()
        );
        let page = page_of(
            b.submit_follow(
                &page,
                PAGE,
                &[
                    ("action", "disable"),
                    ("client_id", "PORTAL_CON"),
                    ("confirm", "yes"),
                ],
            )
            .await,
        );
        assert!(page.contains("client.disable: PORTAL_CON"), "{page}");
        assert!(
            esia::find(&t.app.store, "PORTAL_CON")
                .await
                .unwrap()
                .is_none()
        );

        // Audited as the API audits, under the console's administrator.
        let audit = t.app.store.audit_since(0).await.unwrap();
        for action in [
            "client.add",
            "client.update",
            "client.replace_certificate",
            "client.disable",
        ] {
            assert!(
                audit
                    .iter()
                    .any(|e| e.action == action && e.target == "PORTAL_CON"),
                "{action}"
            );
        }
    }
}

#[tokio::test]
async fn the_esia_page_is_in_english_and_closed_to_other_roles() {
    for backend in backends() {
        let t = start(&backend).await;
        let b = console_browser(&t, &[Role::SecurityAdmin]).await;
        let res = b
            .get(&format!("/lang?to=en&back={}", urlencode(PAGE)))
            .await;
        assert_eq!(res.status(), 303);
        let page = page_of(b.follow(PAGE).await);
        assert!(page.contains("ESIA portals") && page.contains("No ESIA portals yet."));
        assert!(page.contains("PKCE required") && page.contains("Register"));
        assert!(!page.contains("Порталы ЕСИА"));

        let operator = console_browser(&t, &[Role::Operator]).await;
        match operator.follow(PAGE).await {
            Landing::Page(403, _) => {}
            other => panic!("{}: {other:?}", backend.name()),
        }
        let anonymous = Browser::new(&t.base);
        let res = anonymous.get(PAGE).await;
        assert_eq!(location(&res).as_deref(), Some("/admin/console"));
    }
}
