//! Signing in for an organisation over OpenID Connect (issue 14): the choice page after sign-in,
//! the `org` claim in the ID token, the access token, userinfo and introspection, `organization:
//! ogrn=…` and `claims` requests, «как частное лицо», a portal that requires an organisation, and
//! the page in both languages. Both backends.

mod common;
#[path = "orgs/oidc.rs"]
mod oidc;
#[path = "common/tokens.rs"]
mod tokens;

use common::*;
use oidc::*;
use serde_json::Value;
use tokens::*;

#[tokio::test]
async fn a_member_picks_an_organisation_and_every_token_carries_it() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let me = t.add_person("boss@example.org").await;
        let other = t.add_person("other@example.org").await;
        let romashka = t.add_org(ROMASHKA, &me).await;
        let vasilek = t.add_org(VASILEK, &other).await;
        t.app
            .store
            .add_org_member(vasilek, &me, "employee")
            .await
            .unwrap();
        let (client, secret) = portal(&t, false).await;
        let b = signed_in(&t, "boss@example.org").await;

        let (html, verifier) =
            choice_page(&t, &b, &client, &[("scope", "openid organization")]).await;
        assert!(
            html.contains("ООО «Ромашка»") && html.contains("АО «Василёк»"),
            "{html}"
        );
        assert!(
            html.contains(ROMASHKA.0) && html.contains(VASILEK.0),
            "OGRNs shown"
        );
        assert!(
            html.contains("Руководитель") && html.contains("Сотрудник"),
            "roles shown"
        );
        assert!(html.contains("Как частное лицо"), "private sign-in offered");

        let consent = match choose(&b, &html, &vasilek.to_string()).await {
            Landing::Page(200, c) if c.contains("name=\"decision\"") => c,
            other => panic!("{other:?}"),
        };
        assert!(consent.contains("id=\"consent-org\""), "{consent}");
        assert!(consent.contains("АО «Василёк»") && consent.contains(VASILEK.0));
        assert!(consent.contains("ИНН") && consent.contains(VASILEK.1));
        // Every field of the `org` claim below is named on the page (id, type, ogrn, inn, kpp,
        // short_name, role).
        assert!(
            consent.contains("её номер в vhod, тип (юридическое лицо или ИП), наименование, ОГРН, ИНН, КПП, ваша роль"),
            "{consent}"
        );
        let tokens = allow_and_redeem(&t, &b, (&client, &secret), &consent, &verifier).await;

        let expected = serde_json::json!({"id": vasilek, "type": "LEGAL", "ogrn": VASILEK.0,
            "inn": VASILEK.1, "kpp": "770701001", "short_name": VASILEK.2, "role": "employee"});
        assert_eq!(id_token_claims(&tokens)["org"], expected, "ID token");
        let access = tokens["access_token"].as_str().unwrap();
        assert_eq!(jwt_payload(access)["org"], expected, "access token");
        let (status, info) = userinfo(&t, access).await;
        assert_eq!(status, 200);
        assert_eq!(info["org"], expected, "userinfo");
        let intro = introspect(&t, (&client, &secret), access).await;
        assert_eq!(intro["org"], expected, "introspection");
        let intro = introspect(
            &t,
            (&client, &secret),
            tokens["refresh_token"].as_str().unwrap(),
        )
        .await;
        assert_eq!(intro["active"], true);
        assert_eq!(intro["org"]["id"], vasilek);
        // A refresh keeps the organisation.
        let (status, refreshed) = refresh(&t, (&client, &secret), &tokens).await;
        assert_eq!(status, 200, "{refreshed}");
        assert_eq!(id_token_claims(&refreshed)["org"]["id"], vasilek);
        let _ = romashka;
    }
}

#[tokio::test]
async fn discovery_lists_the_scope_and_the_claim() {
    let t = TestServer::start(&backends()[0]).await;
    let meta: Value = reqwest::get(format!("{}/.well-known/openid-configuration", t.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let has = |k: &str, v: &str| meta[k].as_array().unwrap().iter().any(|x| x == v);
    assert!(has("scopes_supported", "organization"), "{meta}");
    assert!(has("claims_supported", "org"), "{meta}");
}

#[tokio::test]
async fn organization_ogrn_restricts_the_choice_and_a_single_org_is_still_shown() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let me = t.add_person("boss@example.org").await;
        let romashka = t.add_org(ROMASHKA, &me).await;
        t.add_org(VASILEK, &me).await;
        let (client, secret) = portal(&t, false).await;
        let b = signed_in(&t, "boss@example.org").await;
        let scope = format!("openid organization:ogrn={}", ROMASHKA.0);
        let (html, verifier) = choice_page(&t, &b, &client, &[("scope", &scope)]).await;
        assert!(html.contains("ООО «Ромашка»"), "{html}");
        assert!(
            !html.contains("АО «Василёк»"),
            "another OGRN is not offered"
        );
        let tokens = choose_and_redeem(
            &t,
            &b,
            (&client, &secret),
            &html,
            &verifier,
            &romashka.to_string(),
        )
        .await;
        assert_eq!(id_token_claims(&tokens)["org"]["role"], "chief");
        assert_eq!(
            tokens["scope"], "openid organization",
            "the OGRN scope is normalised"
        );
        // An organisation outside the filter is refused even when posted by hand.
        let (html, _) = choice_page(&t, &b, &client, &[("scope", &scope)]).await;
        let other = t
            .add_org(("1057746555811", "7714617793", "ООО «Третья»"), &me)
            .await;
        let res = b
            .submit(&html, "/org-choice", &[("org", &other.to_string())])
            .await;
        assert_eq!(res.status(), 403);
        // A malformed OGRN scope goes back to the portal.
        let (url, _) = auth_url(
            &t.base,
            &client,
            &[("scope", "openid organization:ogrn=12x")],
        );
        match b.follow(&url).await {
            Landing::Left(back) => assert_eq!(
                query_param(&back, "error").as_deref(),
                Some("invalid_scope")
            ),
            other => panic!("{other:?}"),
        }
    }
}

#[tokio::test]
async fn as_a_private_person_the_tokens_name_no_organisation() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let me = t.add_person("boss@example.org").await;
        t.add_org(ROMASHKA, &me).await;
        t.add_person("nobody@example.org").await;
        let (client, secret) = portal(&t, false).await;
        let b = signed_in(&t, "boss@example.org").await;
        let (html, verifier) =
            choice_page(&t, &b, &client, &[("scope", "openid organization")]).await;
        let consent = match choose(&b, &html, "private").await {
            Landing::Page(200, c) if c.contains("name=\"decision\"") => c,
            other => panic!("{other:?}"),
        };
        assert!(consent.contains("id=\"consent-private\""), "{consent}");
        let tokens = allow_and_redeem(&t, &b, (&client, &secret), &consent, &verifier).await;
        assert!(id_token_claims(&tokens).get("org").is_none());
        let (_, info) = userinfo(&t, tokens["access_token"].as_str().unwrap()).await;
        assert!(info.get("org").is_none(), "{info}");

        // A person with no organisation is not shown the page when the portal allows that.
        let nb = signed_in(&t, "nobody@example.org").await;
        let (html, _) = consent_page(&t, &nb, &client, &[("scope", "openid organization")]).await;
        assert!(html.contains("id=\"consent-private\""), "{html}");
    }
}

#[tokio::test]
async fn a_portal_that_requires_an_organisation_refuses_a_person_without_one() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let me = t.add_person("boss@example.org").await;
        let romashka = t.add_org(ROMASHKA, &me).await;
        t.add_person("nobody@example.org").await;
        let (client, secret) = portal(&t, true).await;

        let nb = signed_in(&t, "nobody@example.org").await;
        let (url, _) = auth_url(&t.base, &client, &[("scope", "openid")]);
        let html = match nb.follow(&url).await {
            Landing::Page(403, html) => html,
            other => panic!("{other:?}"),
        };
        assert!(
            html.contains("принимает вход только от имени организации"),
            "{html}"
        );
        let back = html
            .split("id=\"back-to-portal\"")
            .next()
            .and_then(|h| h.rsplit("href=\"").next())
            .and_then(|h| h.split('"').next())
            .unwrap()
            .replace("&amp;", "&")
            .replace("&#38;", "&");
        assert!(back.starts_with(REDIRECT), "{back}");
        assert_eq!(
            query_param(&back, "error").as_deref(),
            Some("access_denied")
        );
        assert!(
            query_param(&back, "error_description")
                .unwrap()
                .contains("organisation")
        );
        assert_eq!(query_param(&back, "state").as_deref(), Some("st-1"));

        // A member sees no private option, and posting it anyway is refused.
        let b = signed_in(&t, "boss@example.org").await;
        let (html, verifier) = choice_page(&t, &b, &client, &[("scope", "openid")]).await;
        assert!(!html.contains("value=\"private\""), "{html}");
        let res = b.submit(&html, "/org-choice", &[("org", "private")]).await;
        assert_eq!(res.status(), 403);
        let tokens = choose_and_redeem(
            &t,
            &b,
            (&client, &secret),
            &html,
            &verifier,
            &romashka.to_string(),
        )
        .await;
        assert_eq!(id_token_claims(&tokens)["org"]["id"], romashka);
    }
}

#[tokio::test]
async fn an_essential_org_claim_requires_an_organisation() {
    let t = TestServer::start(&backends()[0]).await;
    let me = t.add_person("boss@example.org").await;
    let romashka = t.add_org(ROMASHKA, &me).await;
    let (client, secret) = portal(&t, false).await;
    let b = signed_in(&t, "boss@example.org").await;
    let claims = r#"{"id_token":{"org":{"essential":true}}}"#;
    let (html, verifier) =
        choice_page(&t, &b, &client, &[("scope", "openid"), ("claims", claims)]).await;
    assert!(!html.contains("value=\"private\""), "{html}");
    let tokens = choose_and_redeem(
        &t,
        &b,
        (&client, &secret),
        &html,
        &verifier,
        &romashka.to_string(),
    )
    .await;
    assert_eq!(id_token_claims(&tokens)["org"]["ogrn"], ROMASHKA.0);
}

#[tokio::test]
async fn the_choice_page_speaks_both_languages_and_needs_a_sign_in() {
    let t = TestServer::start(&backends()[0]).await;
    let me = t.add_person("boss@example.org").await;
    t.add_org(ROMASHKA, &me).await;
    let (client, _) = portal(&t, false).await;
    let b = signed_in(&t, "boss@example.org").await;
    let (ru, _) = choice_page(&t, &b, &client, &[("scope", "openid organization")]).await;
    assert!(
        ru.contains("От чьего имени войти") && ru.contains("Как частное лицо"),
        "{ru}"
    );
    let (en, _) = choice_page(
        &t,
        &b,
        &client,
        &[("scope", "openid organization"), ("ui_locales", "en")],
    )
    .await;
    assert!(
        en.contains("Sign in on whose behalf") && en.contains("As a private person"),
        "{en}"
    );
    assert!(en.contains("Chief") || en.contains("Head"), "{en}");
    // Without CSRF the choice is refused; an unknown request reads as expired.
    let tx = query_param(
        &format!(
            "http://x/?{}",
            en.split("name=\"tx\" value=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .map(|v| format!("tx={v}"))
                .unwrap()
        ),
        "tx",
    )
    .unwrap();
    let res = b
        .post("/org-choice", &[("tx", &tx), ("org", "private")])
        .await;
    assert_eq!(res.status(), 403);
    match Browser::new(&t.base).follow("/org-choice?tx=nope").await {
        Landing::Page(400, html) => assert!(html.contains("истекло"), "{html}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn prompt_none_never_shows_the_choice_or_the_refusal() {
    let t = TestServer::start(&backends()[0]).await;
    let me = t.add_person("boss@example.org").await;
    t.add_org(ROMASHKA, &me).await;
    t.add_person("nobody@example.org").await;
    let (client, _) = portal(&t, true).await;
    let error_of = |l: Landing| match l {
        Landing::Left(back) => query_param(&back, "error").unwrap(),
        other => panic!("{other:?}"),
    };
    let b = signed_in(&t, "boss@example.org").await;
    let (url, _) = auth_url(&t.base, &client, &[("scope", "openid"), ("prompt", "none")]);
    assert_eq!(error_of(b.follow(&url).await), "interaction_required");
    let nb = signed_in(&t, "nobody@example.org").await;
    assert_eq!(error_of(nb.follow(&url).await), "access_denied");
}
