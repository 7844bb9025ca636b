//! The console's OpenID portals page: registration (the secret shown once), changes to redirect
//! URIs, scopes, algorithm, PAR/DPoP and minimums, disabling and removing only when confirmed;
//! CSRF, audit, both languages.

mod common;

use common::*;
use vhod::admin::Role;
use vhod::admin::auth::issue_bootstrap_token;
use vhod::clients;

const PAGE: &str = "/admin/console/clients";

fn page_of(landing: Landing) -> String {
    match landing {
        Landing::Page(200, html) => html,
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_portal_is_created_changed_and_removed_from_the_console() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (token, _) = issue_bootstrap_token(
            &t.app,
            &[Role::SecurityAdmin, Role::Auditor],
            "clients",
            3600,
        )
        .await
        .unwrap();
        let b = Browser::new(&t.base);
        let login = page_of(b.follow("/admin/console").await);
        b.submit(&login, "/admin/console/login", &[("token", &token)])
            .await;
        let console = page_of(b.follow("/admin/console").await);
        assert!(console.contains("href=\"/admin/console/clients\""));
        let page = page_of(b.follow(PAGE).await);
        assert!(page.contains("Порталы OpenID Connect"), "{page}");
        assert_eq!(
            b.post(PAGE, &[("action", "add"), ("name", "x")])
                .await
                .status(),
            403
        );

        // Registered: the answer itself shows the secret once.
        let res = b
            .submit(
                &page,
                PAGE,
                &[
                    ("action", "add"),
                    ("name", "Портал услуг"),
                    ("redirect_uris", "https://rp.example/cb"),
                    ("id_token_alg", "ES256"),
                ],
            )
            .await;
        assert_eq!(res.status(), 200, "{}", backend.name());
        let page = res.text().await.unwrap();
        assert!(page.contains("id=\"client-secret\"") && page.contains("Секрет показан один раз"));
        let list = clients::list(&t.app.store).await.unwrap();
        let c = list.iter().find(|c| c.name == "Портал услуг").unwrap();
        let id = c.id.to_string();
        assert_eq!(c.id_token_alg.name(), "ES256");
        assert!(!c.is_public);
        // A bad redirect URI says why.
        let res = b
            .submit(
                &page,
                PAGE,
                &[
                    ("action", "add"),
                    ("name", "y"),
                    ("redirect_uris", "http://evil.example/cb"),
                ],
            )
            .await;
        assert!(res.text().await.unwrap().contains("Не сделано:"));

        // Changed: redirect URIs, scopes, algorithm, PAR, level, acr.
        let page = page_of(
            b.submit_follow(
                &page,
                PAGE,
                &[
                    ("action", "change"),
                    ("client_id", &id),
                    (
                        "redirect_uris",
                        "https://rp.example/cb\nhttps://rp.example/cb2",
                    ),
                    ("scopes", "reports"),
                    ("id_token_alg", "RS256"),
                    ("min_level", "standard"),
                    ("min_acr", vhod::authn::ACR_SUBSTANTIAL),
                    ("require_par", "on"),
                ],
            )
            .await,
        );
        assert!(
            page.contains(&format!("Сделано: client.update: {id}")),
            "{page}"
        );
        let c = clients::find(&t.app.store, &id).await.unwrap().unwrap();
        assert_eq!(
            c.redirect_uris,
            ["https://rp.example/cb", "https://rp.example/cb2"]
        );
        assert_eq!(c.allowed_scopes, ["reports"]);
        assert_eq!(c.id_token_alg.name(), "RS256");
        assert_eq!(c.min_level, "standard");
        assert_eq!(c.min_acr, vhod::authn::ACR_SUBSTANTIAL);
        assert!(c.require_par && !c.require_dpop);
        assert!(page.contains("пароль и второй фактор"), "acr in words");

        // The audit log names the portal, not only its id.
        let console = page_of(b.follow("/admin/console").await);
        assert!(
            console.contains(&format!("{id}<br><span class=\"hint\">Портал услуг</span>")),
            "{console}"
        );

        // Removing needs the confirmation box.
        let res = b
            .submit(&page, PAGE, &[("action", "remove"), ("client_id", &id)])
            .await;
        assert_eq!(res.status(), 400);
        assert!(clients::find(&t.app.store, &id).await.unwrap().is_some());
        let page = page_of(
            b.submit_follow(
                &page,
                PAGE,
                &[("action", "remove"), ("client_id", &id), ("confirm", "yes")],
            )
            .await,
        );
        assert!(page.contains(&format!("client.remove: {id}")), "{page}");
        assert!(clients::find(&t.app.store, &id).await.unwrap().is_none());

        let audit = t.app.store.audit_since(0).await.unwrap();
        for action in ["client.add", "client.update", "client.remove"] {
            assert!(
                audit.iter().any(|e| e.action == action && e.target == id),
                "{action}"
            );
        }

        // English.
        b.get(&format!("/lang?to=en&back={}", urlencode(PAGE)))
            .await;
        let page = page_of(b.follow(PAGE).await);
        assert!(page.contains("OpenID Connect portals") && page.contains("Register the portal"));
    }
}

#[tokio::test]
async fn device_code_and_ciba_portals_are_registered_from_the_console() {
    use josekit::jws::ES256;
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (token, _) = issue_bootstrap_token(&t.app, &[Role::SecurityAdmin], "grants", 3600)
            .await
            .unwrap();
        let b = Browser::new(&t.base);
        let login = page_of(b.follow("/admin/console").await);
        b.submit(&login, "/admin/console/login", &[("token", &token)])
            .await;
        let page = page_of(b.follow(PAGE).await);
        assert!(
            page.contains("Подтверждение на телефоне гражданина (CIBA)"),
            "{page}"
        );

        // A public kiosk portal with the device grant beside the code flow.
        let res = b
            .submit(
                &page,
                PAGE,
                &[
                    ("action", "add"),
                    ("name", "Киоск МФЦ"),
                    ("redirect_uris", "https://kiosk.example/cb"),
                    ("public", "on"),
                    ("grant_device", "on"),
                ],
            )
            .await;
        assert_eq!(res.status(), 200, "{}", backend.name());
        let list = clients::list(&t.app.store).await.unwrap();
        let kiosk = list.iter().find(|c| c.name == "Киоск МФЦ").unwrap();
        assert!(kiosk.is_public);
        assert!(
            kiosk
                .grant_types
                .iter()
                .any(|g| g == clients::DEVICE_CODE_GRANT)
        );
        assert!(kiosk.grant_types.iter().any(|g| g == "authorization_code"));

        // A CIBA ping portal: private_key_jwt with its keys, no redirect URIs.
        let kp = ES256.generate_key_pair().unwrap();
        let mut public = kp.to_jwk_public_key();
        public.set_key_id("desk-1");
        let jwks = serde_json::json!({ "keys": [public.as_ref()] }).to_string();
        let form = [
            ("action", "add"),
            ("name", "Стойка оператора"),
            ("grant_ciba", "on"),
            ("jwks", jwks.as_str()),
            ("ciba_mode", "ping"),
            ("ciba_notification_endpoint", "https://desk.example/ciba"),
        ];
        let res = b.submit(&page, PAGE, &form).await;
        assert_eq!(res.status(), 200);
        let html = res.text().await.unwrap();
        let list = clients::list(&t.app.store).await.unwrap();
        let desk = list.iter().find(|c| c.name == "Стойка оператора").unwrap();
        assert_eq!(desk.grant_types, vec![clients::CIBA_GRANT.to_string()]);
        assert_eq!(desk.auth_method.name(), "private_key_jwt");
        assert_eq!(desk.ciba_mode.map(|m| m.name()), Some("ping"));
        assert_eq!(
            desk.ciba_notification_endpoint.as_deref(),
            Some("https://desk.example/ciba")
        );
        assert!(html.contains("ciba"), "the list names the grant");

        // Ping without a notification address: refused with the reason, nothing stored.
        let res = b
            .submit(
                &page,
                PAGE,
                &[
                    ("action", "add"),
                    ("name", "Без адреса"),
                    ("grant_ciba", "on"),
                    ("jwks", jwks.as_str()),
                    ("ciba_mode", "ping"),
                ],
            )
            .await;
        let html = res.text().await.unwrap();
        assert!(html.contains("Не сделано"), "{html}");
        let list = clients::list(&t.app.store).await.unwrap();
        assert!(!list.iter().any(|c| c.name == "Без адреса"));
    }
}
