//! Deleting an account: fresh login and «безвозвратно»; sessions, grants and tokens die; the
//! identifiers are free again; the audit log keeps no personal data.

mod common;

use common::login::sign_in_303;
use common::*;

#[tokio::test]
async fn deleting_needs_a_fresh_login_and_confirmation_then_erases_everything() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (client_id, secret) = t.add_client(REDIRECT, false).await;
        let secret = secret.unwrap();
        t.add_person("+79006660001").await;
        let b = Browser::new(&t.base);
        let (code, verifier) = obtain_code(&t, &b, &client_id, "+79006660001").await;
        let (status, tokens) = redeem(&t, &client_id, &secret, &code, &verifier).await;
        assert_eq!(status, 200);
        let access = tokens["access_token"].as_str().unwrap().to_string();
        assert_eq!(userinfo(&t, &access).await.0, 200);

        // Six minutes later the login is not fresh: refused with the reason.
        t.app.clock.advance(360);
        let page = match b.follow("/account/delete").await {
            Landing::Page(200, html) => html,
            other => panic!("{other:?}"),
        };
        assert!(page.contains("войдите заново"), "{page}");
        let res = b
            .submit(&page, "/account/delete", &[("confirm", "безвозвратно")])
            .await;
        assert_eq!(res.status(), 403);

        sign_in_303(&b, "+79006660001", t.backend.name()).await;
        let page = match b.follow("/account/delete").await {
            Landing::Page(200, html) => html,
            other => panic!("{other:?}"),
        };
        let res = b
            .submit(&page, "/account/delete", &[("confirm", "да")])
            .await;
        assert_eq!(res.status(), 400);
        assert!(
            res.text()
                .await
                .unwrap()
                .contains("Удаление не подтверждено")
        );
        assert_eq!(
            t.app.store.count_accounts().await.unwrap(),
            1,
            "nothing deleted yet"
        );

        let res = b
            .submit(&page, "/account/delete", &[("confirm", "безвозвратно")])
            .await;
        assert_eq!(res.status(), 303, "Post/Redirect/Get");
        match b.follow(&location(&res).unwrap()).await {
            Landing::Page(200, html) => assert!(html.contains("удалена безвозвратно")),
            other => panic!("{other:?}"),
        }
        assert_eq!(t.app.store.count_accounts().await.unwrap(), 0);
        // Tokens and sessions are dead, the login is gone.
        assert_eq!(userinfo(&t, &access).await.0, 401);
        let (status, body) = token_request(
            &t,
            &client_id,
            &secret,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", tokens["refresh_token"].as_str().unwrap()),
            ],
        )
        .await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some("invalid_grant"))
        );
        assert_eq!(b.get("/account").await.status(), 303);
        // The phone number is free to register again.
        t.add_person("+79006660001").await;
        // Audited with the account id only.
        let audit = t.app.store.audit_since(0).await.unwrap();
        let entry = audit.iter().find(|a| a.action == "account.delete").unwrap();
        assert_eq!(entry.details, "{}");
        assert!(!entry.target.contains("7900"));
    }
}
