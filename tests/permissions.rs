//! «Разрешения доступа к персональным данным»: the portals a person allowed, revocable; revoking
//! kills the portal's tokens and asks for consent again next time.

mod common;

use common::*;

#[tokio::test]
async fn revoking_a_portal_permission_kills_its_tokens_and_asks_again() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (client_id, secret) = t.add_client(REDIRECT, false).await;
        let secret = secret.unwrap();
        t.add_person("+79007770009").await;
        let b = Browser::new(&t.base);
        let (code, verifier) = obtain_code(&t, &b, &client_id, "+79007770009").await;
        let (_, tokens) = redeem(&t, &client_id, &secret, &code, &verifier).await;
        let access = tokens["access_token"].as_str().unwrap().to_string();
        assert_eq!(userinfo(&t, &access).await.0, 200);

        let page = match b.follow("/account/permissions").await {
            Landing::Page(200, html) => html,
            other => panic!("{other:?}"),
        };
        // The data in words, as the consent page named it — not the scope codes.
        assert!(page.contains("<li>Фамилия, имя, отчество</li>"), "{page}");
        assert!(page.contains("<li>Дата рождения</li>"), "{page}");
        assert!(!page.contains("openid profile"), "{page}");
        let res = b
            .submit(
                &page,
                "/account/permissions/revoke",
                &[("client_id", &client_id)],
            )
            .await;
        assert_eq!(res.status(), 303);
        match b.follow("/account/permissions").await {
            Landing::Page(200, html) => assert!(html.contains("Вы пока не разрешали"), "{html}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(userinfo(&t, &access).await.0, 401, "{}", backend.name());
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
        // The next authorization asks for consent again.
        let (_, challenge) = pkce_pair();
        let url = authorize_url(
            &t.base,
            &client_id,
            REDIRECT,
            &[
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
            ],
        );
        match b.follow(&url).await {
            Landing::Page(200, html) => assert!(html.contains("name=\"decision\""), "{html}"),
            other => panic!("{other:?}"),
        }
    }
}
