//! The ESIA surface (/aas/oauth2/v2/ac, /aas/oauth2/v3/te, /rs/prns, /idp/ext/Logout) attacked:
//! open redirects through redirect_uri and redirect_url, token substitution, forged and tampered
//! access tokens, another person's oid, stale or forged client secrets.

use crate::common::esia::{
    access_claims, access_header, access_token, register_portal_with_consent, rs_get, sign,
    with_payload,
};
use crate::common::*;
use crate::esia_rp::*;
use serde_json::{Value, json};

/// A person the ESIA portal PORTAL may read (consent to every scope): (server, oid).
async fn esia_person(backend: &Backend) -> (TestServer, i64) {
    let t = TestServer::start(backend).await;
    let account = t.add_person("+79005550900").await;
    register_portal_with_consent(&t, &account).await;
    let oid = t.app.store.person_oid(&account).await.unwrap();
    (t, oid)
}

/// /rs/prns/{oid} refuses `token` with 401 ESIA-005011 — and the genuine token opens it.
async fn token_is_refused(t: &TestServer, oid: i64, token: &str, what: &str) {
    let path = format!("/rs/prns/{oid}");
    let (status, _) = rs_get(t, Some(&access_token(t, oid, &["fullname"])), &path).await;
    assert_eq!(status, 200, "the genuine token opens the person");
    let (status, body) = rs_get(t, Some(token), &path).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("ESIA-005011")),
        "{what} on {}: {body}",
        t.backend.name()
    );
    assert!(body.get("firstName").is_none());
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[tokio::test]
async fn esia_access_token_alg_none_is_refused() {
    for backend in backends() {
        let (t, oid) = esia_person(&backend).await;
        let claims = access_claims(&t, oid, &["fullname"], 3600);
        let forged = format!(
            "{}.{}.",
            b64(
                json!({"alg": "none", "ver": 1, "typ": "JWT", "sbt": "access"})
                    .to_string()
                    .as_bytes()
            ),
            b64(claims.to_string().as_bytes())
        );
        token_is_refused(&t, oid, &forged, "alg none").await;
    }
}

#[tokio::test]
async fn esia_access_token_hs256_keyed_with_the_published_key_is_refused() {
    use josekit::jws::{HS256, JwsSigner};
    for backend in backends() {
        let (t, oid) = esia_person(&backend).await;
        let jwks: Value = reqwest::get(format!("{}/jwks", t.base))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let signer = HS256
            .signer_from_bytes(jwks["keys"][0].to_string().as_bytes())
            .unwrap();
        let msg = format!(
            "{}.{}",
            b64(
                json!({"alg": "HS256", "ver": 1, "typ": "JWT", "sbt": "access"})
                    .to_string()
                    .as_bytes()
            ),
            b64(access_claims(&t, oid, &["fullname"], 3600)
                .to_string()
                .as_bytes())
        );
        let forged = format!("{msg}.{}", b64(&signer.sign(msg.as_bytes()).unwrap()));
        token_is_refused(&t, oid, &forged, "HS256").await;
    }
}

#[tokio::test]
async fn esia_access_token_with_an_unknown_crit_extension_is_refused() {
    for backend in backends() {
        let (t, oid) = esia_person(&backend).await;
        let mut header = access_header();
        header["crit"] = json!(["urn:attacker"]);
        header["urn:attacker"] = json!(true);
        let forged = sign(&t, header, access_claims(&t, oid, &["fullname"], 3600));
        token_is_refused(&t, oid, &forged, "crit").await;
    }
}

#[tokio::test]
async fn esia_access_token_with_a_widened_payload_is_refused() {
    for backend in backends() {
        let (t, oid) = esia_person(&backend).await;
        let token = access_token(&t, oid, &["fullname"]);
        let mut widened = access_claims(&t, oid, &["fullname", "snils", "inn", "contacts"], 3600);
        widened["exp"] = json!(t.app.clock.now() + 86_400 * 365);
        token_is_refused(&t, oid, &with_payload(&token, &widened), "widened").await;
    }
}

#[tokio::test]
async fn esia_token_substitution_an_openid_access_token_is_refused_at_rs_prns() {
    for backend in backends() {
        let (t, oid) = esia_person(&backend).await;
        let (client_id, secret) = t.add_client(REDIRECT, false).await;
        let browser = Browser::new(&t.base);
        let (code, verifier) = obtain_code(&t, &browser, &client_id, "+79005550900").await;
        let (status, tokens) = redeem(&t, &client_id, &secret.unwrap(), &code, &verifier).await;
        assert_eq!(status, 200, "{tokens}");
        let oidc = tokens["access_token"].as_str().unwrap();
        token_is_refused(&t, oid, oidc, "OpenID access token").await;
        let id = tokens["id_token"].as_str().unwrap();
        token_is_refused(&t, oid, id, "OpenID ID token").await;
    }
}

#[tokio::test]
async fn esia_token_of_a_portal_without_consent_is_refused() {
    for backend in backends() {
        let (t, oid) = esia_person(&backend).await;
        let mut claims = access_claims(&t, oid, &["fullname"], 3600);
        claims["client_id"] = json!("ATTACKER_PORTAL");
        let forged = sign(&t, access_header(), claims);
        token_is_refused(&t, oid, &forged, "another portal").await;
    }
}

#[tokio::test]
async fn esia_another_persons_oid_is_refused() {
    for backend in backends() {
        let (t, oid) = esia_person(&backend).await;
        let victim = t.add_person("+79005550901").await;
        let victim_oid = t.app.store.person_oid(&victim).await.unwrap();
        let mine = access_token(&t, oid, &["fullname", "contacts", "id_doc"]);
        for path in [
            format!("/rs/prns/{victim_oid}"),
            format!("/rs/prns/{victim_oid}/ctts"),
            format!("/rs/prns/{victim_oid}/docs"),
        ] {
            let (status, body) = rs_get(&t, Some(&mine), &path).await;
            assert_eq!(
                (status, body["code"].as_str()),
                (403, Some("ESIA-005029")),
                "{path} on {}: {body}",
                backend.name()
            );
            assert!(body.get("firstName").is_none() && body.get("elements").is_none());
        }
    }
}

#[tokio::test]
async fn esia_logout_redirect_url_open_redirect_is_refused() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        register_rp(&t, "PORTAL_SEC", &[]).await;
        for evil in [
            "https://evil.example/",
            "https://portal.example/esia/callback.evil.example",
            "https://portal.example@evil.example/esia/callback",
            "https://portal.example/esia/callback/../../evil",
            "//evil.example/",
        ] {
            let res = Browser::new(&t.base)
                .get(&format!(
                    "/idp/ext/Logout?client_id=PORTAL_SEC&redirect_url={}",
                    urlencode(evil)
                ))
                .await;
            assert_eq!(res.status(), 400, "{evil} on {}", backend.name());
            assert_eq!(location(&res), None, "{evil}");
        }
    }
}

#[tokio::test]
async fn esia_logout_redirect_url_of_an_unknown_client_is_refused() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let res = Browser::new(&t.base)
            .get(&format!(
                "/idp/ext/Logout?client_id=NO_SUCH_PORTAL&redirect_url={}",
                urlencode("https://evil.example/")
            ))
            .await;
        assert_eq!(res.status(), 400, "{}", backend.name());
        assert_eq!(location(&res), None);
    }
}

/// The v2/ac request with `name` set to `value` after signing: never a redirect to anything but
/// the registered URI, and no code.
async fn ac_tweak_is_refused(name: &str, value: &str) {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let rp = register_rp(&t, "PORTAL_SEC", &[]).await;
        t.add_person("+79005550902").await;
        let mut params = rp.ac_params(t.app.clock.now(), "openid fullname", &new_state(), PHP);
        for p in params.iter_mut().filter(|(k, _)| k == name) {
            p.1 = value.to_string();
        }
        let res = Browser::new(&t.base).get(&rp.ac_url(&params)).await;
        match location(&res) {
            Some(back) => {
                assert!(back.starts_with(PORTAL_REDIRECT), "{name}: {back}");
                assert!(param(&back, "error").is_some(), "{back}");
                assert_eq!(param(&back, "code"), None, "{}", backend.name());
            }
            None => assert_eq!(res.status(), 400, "{name} on {}", backend.name()),
        }
    }
}

#[tokio::test]
async fn esia_ac_redirect_uri_open_redirect_is_refused() {
    ac_tweak_is_refused("redirect_uri", "https://evil.example/esia/callback").await;
}

#[tokio::test]
async fn esia_ac_redirect_uri_suffix_is_refused() {
    ac_tweak_is_refused("redirect_uri", "https://portal.example/esia/callback/../x").await;
}

#[tokio::test]
async fn esia_ac_scope_widened_after_signing_is_refused() {
    ac_tweak_is_refused("scope", "openid fullname snils inn").await;
}

#[tokio::test]
async fn esia_ac_forged_client_secret_is_refused() {
    ac_tweak_is_refused("client_secret", &"A".repeat(86)).await;
}

#[tokio::test]
async fn esia_ac_stale_timestamp_replay_is_refused() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let rp = register_rp(&t, "PORTAL_SEC", &[]).await;
        let params = rp.ac_params(t.app.clock.now() - 86_400, "openid", &new_state(), PHP);
        let res = Browser::new(&t.base).get(&rp.ac_url(&params)).await;
        let back = location(&res).unwrap_or_default();
        assert_eq!(param(&back, "code"), None, "{}", backend.name());
        assert!(res.status() == 400 || param(&back, "error").is_some());
    }
}

#[tokio::test]
async fn esia_te_forged_client_secret_gets_no_token() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let rp = register_rp(&t, "PORTAL_SEC", &[]).await;
        let mut form = rp.client_credentials_form(t.app.clock.now(), "openid", PHP);
        for p in form.iter_mut().filter(|(k, _)| k == "client_secret") {
            p.1 = "A".repeat(86);
        }
        let (status, body) = rp.te(&form).await;
        assert_eq!(status, 400, "{} {body}", backend.name());
        assert!(body.get("access_token").is_none());
        assert!(
            body["error_description"]
                .as_str()
                .unwrap_or("")
                .starts_with("ESIA-007")
        );
    }
}

#[tokio::test]
async fn esia_rest_needs_a_bearer_token() {
    for backend in backends() {
        let (t, oid) = esia_person(&backend).await;
        let (status, body) = rs_get(&t, None, &format!("/rs/prns/{oid}")).await;
        assert_eq!((status, body["code"].as_str()), (401, Some("ESIA-005011")));
    }
}

/// Found by fuzzing (fuzz/corpus/esia_secret_timestamp/crash-*): a multi-byte character in the
/// timestamp's offset made the parser slice inside it and the request panicked; now a refusal.
#[tokio::test]
async fn esia_ac_timestamp_with_a_multibyte_offset_is_refused_not_a_crash() {
    ac_tweak_is_refused("timestamp", "2026.12.04 21:53:08 +0\u{FFFD}").await;
}
