//! A portal written against ESIA signs in through vhod unchanged: /aas/oauth2/v2/ac through the real
//! login and consent pages, /aas/oauth2/v3/te for the code (tokens in ESIA's shape), refresh in both
//! signing conventions, client_credentials, /idp/ext/Logout — for the signing variants the public
//! client libraries use.

mod common;
mod esia_rp;

use common::login::{enrol_app, submit_code};
use common::*;
use esia_rp::*;
use serde_json::Value;
use vhod::authn::totp;

async fn code_for(
    t: &TestServer,
    rp: &EsiaRp,
    browser: &Browser,
    login: &str,
    scope: &str,
    style: Style,
) -> String {
    let state = new_state();
    let url = rp.ac_url(&rp.ac_params(t.app.clock.now(), scope, &state, style));
    let back = sign_in_and_allow(browser, &url, login).await;
    assert!(
        back.starts_with(PORTAL_REDIRECT),
        "back to the portal: {back}"
    );
    assert_eq!(
        param(&back, "state").as_deref(),
        Some(state.as_str()),
        "state echoed"
    );
    assert_eq!(param(&back, "error"), None, "{back}");
    param(&back, "code").expect("a code")
}

#[tokio::test]
async fn esia_portal_signs_in_through_login_and_consent_and_gets_esia_shaped_tokens() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let rp = register_rp(&t, "PORTAL_01", &[]).await;
        let account = t.add_person("+79005550101").await;
        let oid = t.app.store.person_oid(&account).await.unwrap();
        let scope = "openid fullname snils";
        let browser = Browser::new(&t.base);

        // The ESIA request lands on the same login page as OpenID's, then the same consent page,
        // naming each item the portal receives.
        let state = new_state();
        let url = rp.ac_url(&rp.ac_params(t.app.clock.now(), scope, &state, PHP));
        let page = match browser.follow(&url).await {
            Landing::Page(200, html) => html,
            other => panic!("{}: login page expected, got {other:?}", backend.name()),
        };
        assert!(page.contains("name=\"password\""), "the login page");
        let consent = match browser
            .submit_follow(
                &page,
                "/login",
                &[("login", "+79005550101"), ("password", PASSWORD)],
            )
            .await
        {
            Landing::Page(200, html) => html,
            other => panic!("consent page expected, got {other:?}"),
        };
        // The page is in Russian (no Accept-Language): each item the portal receives is named.
        // The identifier and the level come with every ESIA token (sbj_id, is_tru, amd).
        for item in [
            "Идентификатор пользователя",
            "Уровень учётной записи",
            "Фамилия, имя, отчество",
            "СНИЛС",
            "пока вы его не отзовёте",
        ] {
            assert!(consent.contains(item), "consent names {item}: {consent}");
        }
        assert!(!consent.contains("Дата рождения"), "nothing not asked for");
        assert_eq!(form_action(&consent), "/aas/oauth2/v2/consent");
        let back = match browser
            .submit_follow(&consent, &form_action(&consent), &[("decision", "allow")])
            .await
        {
            Landing::Left(url) => url,
            other => panic!("{other:?}"),
        };
        assert!(back.starts_with(PORTAL_REDIRECT));
        assert_eq!(param(&back, "state").as_deref(), Some(state.as_str()));
        assert_eq!(param(&back, "iss"), None, "ESIA sends code and state only");
        let code = param(&back, "code").unwrap();

        // The token request, with a new state and timestamp.
        let form = rp.code_form(t.app.clock.now(), &code, scope, PHP);
        let te_state = form.iter().find(|(k, _)| k == "state").unwrap().1.clone();
        let (status, body) = rp.te(&form).await;
        assert_eq!(status, 200, "{}: {body}", backend.name());
        assert_eq!(
            body["state"],
            te_state.as_str(),
            "this request's state echoed"
        );
        assert_eq!(body["token_type"], "Bearer");
        assert!(body["expires_in"].is_i64());
        assert!(body["refresh_token"].is_string(), "access_type=offline");

        let (header, at) = claims(body["access_token"].as_str().unwrap());
        assert_eq!(header["ver"], 1);
        assert_eq!(header["typ"], "JWT");
        assert_eq!(header["sbt"], "access");
        assert!(header.get("kid").is_none(), "ESIA tokens carry no kid");
        assert_eq!(
            header["alg"], "GOST3410_2012_256",
            "ESIA's default algorithm"
        );
        // A portal checks it as it checks ESIA's: with the published GOST certificate.
        let cert = reqwest::get(format!("{}/keys/gost-256.pem", t.base))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        vhod::crypto::jws_verify::verify_compact(body["access_token"].as_str().unwrap(), &cert)
            .expect("verifies with vhod's GOST certificate");
        assert_eq!(
            at["scope"],
            format!("openid fullname?oid={oid} snils?oid={oid}").as_str()
        );
        assert_eq!(at["urn:esia:sbj_id"], oid);
        assert_eq!(at["client_id"], "PORTAL_01");
        assert_eq!(at["iss"], t.issuer().as_str());
        for c in ["nbf", "exp", "iat"] {
            assert!(at[c].is_i64(), "{c}");
        }
        assert!(at["urn:esia:sid"].is_string());
        let (id_header, id) = claims(body["id_token"].as_str().unwrap());
        assert_eq!(id_header["sbt"], "id");
        assert_eq!(id["sub"], oid);
        assert_eq!(id["aud"], "PORTAL_01");
        assert_eq!(id["urn:esia:amd"], "PWD");
        assert_eq!(id["urn:esia:sbj"]["urn:esia:sbj:typ"], "P");
        assert_eq!(id["urn:esia:sbj"]["urn:esia:sbj:oid"], oid);
        assert_eq!(
            id["urn:esia:sbj"]["urn:esia:sbj:nam"],
            format!("OID.{oid}").as_str()
        );
        assert!(
            id["urn:esia:sbj"].get("urn:esia:sbj:is_tru").is_none(),
            "is_tru only for confirmed accounts"
        );
        // Signed by vhod's published keys (no kid: every key is tried).
        assert!(
            t.app
                .keyring
                .verify_without_kid(body["access_token"].as_str().unwrap())
                .is_some()
        );

        // The portal reads the person with it, as from ESIA (src/esia/rest).
        let person: Value = reqwest::Client::new()
            .get(format!("{}/rs/prns/{oid}", t.base))
            .bearer_auth(body["access_token"].as_str().unwrap())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(person["firstName"], "Иван", "{person}");
        assert_eq!(person["lastName"], "Иванов");

        // The code is single use.
        let again = rp.code_form(t.app.clock.now(), &code, scope, PHP);
        let (status, body) = rp.te(&again).await;
        assert_eq!(status, 400);
        assert!(
            body["error_description"]
                .as_str()
                .unwrap()
                .starts_with("ESIA-007011")
        );

        // Single sign-on: a second request skips the login page and the consent already given.
        let url = rp.ac_url(&rp.ac_params(t.app.clock.now(), scope, &new_state(), PHP));
        match browser.follow(&url).await {
            Landing::Left(back) => assert!(param(&back, "code").is_some(), "{back}"),
            other => panic!("SSO expected: {other:?}"),
        }
    }
}

#[tokio::test]
async fn every_library_variant_of_client_secret_and_timestamp_is_accepted() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let rp = register_rp(&t, "PORTAL_02", &[]).await;
        t.add_person("+79005550102").await;
        let browser = Browser::new(&t.base);
        for style in [PHP, DOTNET, GO] {
            let code = code_for(&t, &rp, &browser, "+79005550102", "openid fullname", style).await;
            let (status, body) = rp
                .te(&rp.code_form(t.app.clock.now(), &code, "openid fullname", style))
                .await;
            assert_eq!(status, 200, "{} {style:?}: {body}", backend.name());
        }
        // A timestamp at UTC−10 names the same instant.
        let odd = Style {
            offset: -600,
            ..PHP
        };
        let code = code_for(&t, &rp, &browser, "+79005550102", "openid fullname", odd).await;
        assert!(!code.is_empty());
    }
}

#[tokio::test]
async fn refresh_tokens_rotate_in_both_signing_conventions_and_a_reused_one_revokes() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let rp = register_rp(&t, "PORTAL_03", &[]).await;
        t.add_person("+79005550103").await;
        let browser = Browser::new(&t.base);
        let scope = "openid fullname";
        let code = code_for(&t, &rp, &browser, "+79005550103", scope, PHP).await;
        let (_, first) = rp
            .te(&rp.code_form(t.app.clock.now(), &code, scope, PHP))
            .await;
        let rt1 = first["refresh_token"].as_str().unwrap().to_string();

        // The v2/ac convention.
        let (status, second) = rp
            .te(&rp.refresh_form(t.app.clock.now(), &rt1, scope, false, PHP))
            .await;
        assert_eq!(status, 200, "{}: {second}", backend.name());
        let rt2 = second["refresh_token"].as_str().unwrap().to_string();
        assert_ne!(rt1, rt2, "rotated");
        // client_id + scope + timestamp + state + refresh_token.
        let (status, third) = rp
            .te(&rp.refresh_form(t.app.clock.now(), &rt2, scope, true, DOTNET))
            .await;
        assert_eq!(status, 200, "{third}");
        let rt3 = third["refresh_token"].as_str().unwrap().to_string();

        // Reusing rt1 is refused and ends the grant: rt3 stops working too.
        let (status, body) = rp
            .te(&rp.refresh_form(t.app.clock.now(), &rt1, scope, true, PHP))
            .await;
        assert_eq!(status, 400);
        assert!(
            body["error_description"]
                .as_str()
                .unwrap()
                .starts_with("ESIA-007011")
        );
        let (status, _) = rp
            .te(&rp.refresh_form(t.app.clock.now(), &rt3, scope, true, PHP))
            .await;
        assert_eq!(status, 400, "the grant was revoked");

        // Stored hashed: the raw token is nowhere in the table.
        let hashes = t.app.store.refresh_token_hashes_for_tests().await.unwrap();
        assert!(hashes.iter().all(|(h,)| h != &rt3));
    }
}

#[tokio::test]
async fn online_access_gets_no_refresh_token_and_client_credentials_gets_organisation_scopes() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let rp = register_rp(&t, "PORTAL_04", &["fullname", "org_emps", "prm_chg"]).await;
        let me = t.add_person("+79005550104").await;
        let browser = Browser::new(&t.base);
        let mut params = rp.ac_params(t.app.clock.now(), "openid fullname", &new_state(), PHP);
        set(&mut params, "access_type", Some("online"));
        let back = sign_in_and_allow(&browser, &rp.ac_url(&params), "+79005550104").await;
        let code = param(&back, "code").unwrap();
        let (status, body) = rp
            .te(&rp.code_form(t.app.clock.now(), &code, "openid fullname", PHP))
            .await;
        assert_eq!(status, 200, "{body}");
        assert!(
            body.get("refresh_token").is_none(),
            "online: no refresh token"
        );

        // The organisation allows the portal (its page; see esia_orgs_portals.rs for the refusals).
        let oid = t.add_org(ROMASHKA, &me).await;
        vhod::orgs::allowances::allow(&t.app, &me, oid, "PORTAL_04")
            .await
            .unwrap();
        let scope = format!("org_emps?org_oid={} prm_chg?oid=1000000001", oid);
        let (status, body) = rp
            .te(&rp.client_credentials_form(t.app.clock.now(), &scope, GO))
            .await;
        assert_eq!(status, 200, "{}: {body}", backend.name());
        let (header, at) = claims(body["access_token"].as_str().unwrap());
        assert_eq!(header["sbt"], "access");
        assert_eq!(at["scope"], scope);
        assert_eq!(at["client_id"], "PORTAL_04");
        assert!(body.get("id_token").is_none());
    }
}

#[tokio::test]
async fn esia_logout_ends_the_session_and_returns_to_a_registered_url_only() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let rp = register_rp(&t, "PORTAL_05", &[]).await;
        t.add_person("+79005550105").await;
        let browser = Browser::new(&t.base);
        code_for(&t, &rp, &browser, "+79005550105", "openid fullname", PHP).await;

        let foreign = format!(
            "/idp/ext/Logout?client_id=PORTAL_05&redirect_url={}",
            urlencode("https://evil.example/")
        );
        assert_eq!(
            browser.get(&foreign).await.status(),
            400,
            "unregistered URL"
        );
        // Still signed in: a new request goes straight back with a code.
        let url = rp.ac_url(&rp.ac_params(t.app.clock.now(), "openid fullname", &new_state(), PHP));
        assert!(matches!(browser.follow(&url).await, Landing::Left(_)));

        let res = browser
            .get(&format!(
                "/idp/ext/Logout?client_id=PORTAL_05&redirect_url={}",
                urlencode(PORTAL_REDIRECT)
            ))
            .await;
        assert!(res.status().is_redirection());
        assert_eq!(location(&res).as_deref(), Some(PORTAL_REDIRECT));
        // Signed out: the next request shows the login page again.
        let url = rp.ac_url(&rp.ac_params(t.app.clock.now(), "openid fullname", &new_state(), PHP));
        match browser.follow(&url).await {
            Landing::Page(200, html) => assert!(html.contains("name=\"password\"")),
            other => panic!(
                "{}: login page expected after logout: {other:?}",
                backend.name()
            ),
        }
    }
}

#[tokio::test]
async fn a_confirmed_account_carries_is_tru() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let rp = register_rp(&t, "PORTAL_06", &[]).await;
        let account = t.add_person("+79005550106").await;
        t.app.store.set_level(&account, "confirmed").await.unwrap();
        let browser = Browser::new(&t.base);
        let code = code_for(&t, &rp, &browser, "+79005550106", "openid fullname", PHP).await;
        let (_, body) = rp
            .te(&rp.code_form(t.app.clock.now(), &code, "openid fullname", PHP))
            .await;
        let (_, id) = claims(body["id_token"].as_str().unwrap());
        assert_eq!(id["urn:esia:sbj"]["urn:esia:sbj:is_tru"], Value::Bool(true));
    }
}

#[tokio::test]
async fn rs256_tokens_are_selectable_per_client() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let c = vhod::clients::esia::register(
            &t.app.store,
            vhod::clients::esia::NewEsiaClient {
                client_id: "PORTAL_RSA".into(),
                name: "Портал RS256".into(),
                certificate: CERT_PEM.as_bytes().to_vec(),
                redirect_uris: vec![PORTAL_REDIRECT.into()],
                token_alg: Some(vhod::crypto::keyring::SigningAlg::Rs256),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let rp = EsiaRp::new(&t.base, "PORTAL_RSA", &c.certificates[0].hash, KEY_PEM);
        t.add_person("+79005550107").await;
        let browser = Browser::new(&t.base);
        let code = code_for(&t, &rp, &browser, "+79005550107", "openid fullname", PHP).await;
        let (status, body) = rp
            .te(&rp.code_form(t.app.clock.now(), &code, "openid fullname", PHP))
            .await;
        assert_eq!(status, 200, "{}: {body}", backend.name());
        for token in ["access_token", "id_token"] {
            let (header, _) = claims(body[token].as_str().unwrap());
            assert_eq!(header["alg"], "RS256", "{token}");
            assert_eq!(header["ver"], 1);
        }
        assert!(
            t.app
                .keyring
                .verify_without_kid(body["access_token"].as_str().unwrap())
                .is_some()
        );
    }
}

#[tokio::test]
async fn a_portal_demanding_a_second_factor_gets_the_same_step_up_as_openid() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let rp = register_rp(&t, "PORTAL_MFA", &[]).await;
        vhod::clients::change_settings(
            &t.app,
            &vhod::clients::ClientCache::default(),
            "PORTAL_MFA",
            &vhod::clients::SettingsChange {
                min_acr: Some(vhod::authn::ACR_SUBSTANTIAL.into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        t.add_person("+79005550108").await;
        t.add_person("+79005550109").await;

        // Signed in with a password only, with an authenticator app: the app's code is asked.
        let browser = Browser::new(&t.base);
        let secret = enrol_app(&t, &browser, "+79005550108").await;
        let url = rp.ac_url(&rp.ac_params(t.app.clock.now(), "openid fullname", &new_state(), PHP));
        let page = match browser.follow(&url).await {
            Landing::Page(200, html) => html,
            other => panic!("{}: second-factor page expected: {other:?}", backend.name()),
        };
        assert!(page.contains("name=\"code\""), "the second step: {page}");
        // The enrolment used this time step's code; the next step's is fresh.
        t.app.clock.advance(30);
        let code = totp::code_at(&secret, t.app.clock.now()).unwrap();
        let (status, next) = submit_code(&browser, &page, &code).await;
        assert_eq!(status, 303, "{next}");
        let consent = match browser.follow(&next).await {
            Landing::Page(200, html) => html,
            other => panic!("consent expected: {other:?}"),
        };
        let back = match browser
            .submit_follow(&consent, &form_action(&consent), &[("decision", "allow")])
            .await
        {
            Landing::Left(url) => url,
            other => panic!("{other:?}"),
        };
        let code = param(&back, "code").expect("code after the step-up");
        let (status, body) = rp
            .te(&rp.code_form(t.app.clock.now(), &code, "openid fullname", PHP))
            .await;
        assert_eq!(status, 200, "{body}");
        let (_, id) = claims(body["id_token"].as_str().unwrap());
        assert_ne!(id["urn:esia:amd"], "PWD", "a second factor was used");

        // Without any second factor the portal is told the person cannot sign in to it.
        let other = Browser::new(&t.base);
        let url = rp.ac_url(&rp.ac_params(t.app.clock.now(), "openid fullname", &new_state(), PHP));
        let page = match other.follow(&url).await {
            Landing::Page(200, html) => html,
            other => panic!("{other:?}"),
        };
        let back = match other
            .submit_follow(
                &page,
                "/login",
                &[("login", "+79005550109"), ("password", PASSWORD)],
            )
            .await
        {
            Landing::Left(url) => url,
            other => panic!("refusal redirect expected: {other:?}"),
        };
        assert!(
            param(&back, "error_description")
                .unwrap()
                .starts_with("ESIA-007004")
        );
    }
}
