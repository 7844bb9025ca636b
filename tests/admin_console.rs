//! The admin web console: sign-in by bootstrap token, pages by role, CSRF-protected actions, audited.

mod common;

use common::*;
use vhod::admin::Role;
use vhod::admin::auth::issue_bootstrap_token;

async fn console(browser: &Browser) -> (u16, String) {
    match browser.follow("/admin/console").await {
        Landing::Page(s, html) => (s, html),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn the_console_shows_and_does_what_the_role_allows() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (admin, _) = issue_bootstrap_token(
            &t.app,
            &[Role::SecurityAdmin, Role::Auditor],
            "console",
            600,
        )
        .await
        .unwrap();
        let (operator, _) = issue_bootstrap_token(&t.app, &[Role::Operator], "op", 600)
            .await
            .unwrap();
        let browser = Browser::new(&t.base);
        let (status, login) = console(&browser).await;
        assert_eq!(status, 200);
        assert!(login.contains("Токен доступа"));
        match browser
            .submit_follow(&login, "/admin/console/login", &[("token", "vba_wrong")])
            .await
        {
            Landing::Page(401, html) => assert!(html.contains("Токен неизвестен или истёк")),
            other => panic!("{other:?}"),
        }
        let res = browser
            .submit(&login, "/admin/console/login", &[("token", &admin)])
            .await;
        assert_eq!(res.status(), 303);
        let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
        assert!(
            cookie.contains("HttpOnly")
                && cookie.contains("SameSite=Strict")
                && cookie.contains("Path=/admin"),
            "{cookie}"
        );
        let (_, page) = console(&browser).await;
        assert!(
            page.contains("id=\"keys\"")
                && page.contains("id=\"clients\"")
                && page.contains("id=\"audit\"")
        );
        let keys_before = t.app.store.all_signing_keys().await.unwrap().len();
        let res = browser
            .post(
                "/admin/console/action",
                &[("action", "rotate"), ("alg", "ES256")],
            )
            .await;
        assert_eq!(res.status(), 403, "no CSRF token, no action");
        match browser
            .submit_follow(
                &page,
                "/admin/console/action",
                &[("action", "rotate"), ("alg", "ES256")],
            )
            .await
        {
            Landing::Page(200, html) => assert!(html.contains("key.rotate:"), "{html}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            t.app.store.all_signing_keys().await.unwrap().len(),
            keys_before + 1,
            "{}",
            backend.name()
        );
        let log = t.app.store.audit_since(0).await.unwrap();
        assert!(
            log.iter()
                .any(|e| e.actor == "bootstrap:console" && e.action == "key.rotate")
        );

        // Granting an operator role from the console, audited.
        let person = t.add_person("operator@example.org").await;
        let (_, page) = console(&browser).await;
        match browser
            .submit_follow(
                &page,
                "/admin/console/action",
                &[
                    ("action", "grant"),
                    ("target", &person),
                    ("role", "operator"),
                ],
            )
            .await
        {
            Landing::Page(200, html) => {
                assert!(html.contains("admin.grant_role:") && html.contains("id=\"admins\""))
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            t.app.store.roles_of(&person).await.unwrap(),
            vec!["operator".to_string()]
        );
        // An operator sees no key management and cannot rotate.
        let other = Browser::new(&t.base);
        let (_, login) = console(&other).await;
        other
            .submit(&login, "/admin/console/login", &[("token", &operator)])
            .await;
        let (_, page) = console(&other).await;
        assert!(!page.contains("id=\"keys\""));
        match other
            .submit_follow(
                &page,
                "/admin/console/action",
                &[("action", "rotate"), ("alg", "ES256")],
            )
            .await
        {
            Landing::Page(403, html) => assert!(html.contains("Недостаточно прав")),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            t.app.store.all_signing_keys().await.unwrap().len(),
            keys_before + 1
        );
        // Sign out.
        let (_, page) = console(&browser).await;
        browser.submit(&page, "/admin/console/logout", &[]).await;
        let (_, after) = console(&browser).await;
        assert!(after.contains("Токен доступа"));
    }
}
