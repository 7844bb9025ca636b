//! GOST R 34.10-2012 in vhod's own tokens: a client that chose GOST3410_2012_256 (or _512) gets ID
//! and access tokens signed with the GOST key; a portal checks them with the certificate vhod
//! publishes (as ESIA-style portals do) or with the GOST JWK Set; every verifier of vhod's own
//! tokens (userinfo, introspection, id_token_hint) accepts them; discovery names it all.

mod common;
#[path = "common/tokens.rs"]
mod tokens;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::*;
use serde_json::Value;
use tokens::{introspect, refresh};
use vhod::crypto::gost::{self, VerifyingKey};
use vhod::crypto::jws_verify::verify_compact;
use vhod::crypto::keyring::SigningAlg;

fn header(jwt: &str) -> Value {
    let h = URL_SAFE_NO_PAD
        .decode(jwt.split('.').next().unwrap())
        .unwrap();
    serde_json::from_slice(&h).unwrap()
}

async fn get(t: &TestServer, path: &str) -> reqwest::Response {
    reqwest::get(format!("{}{path}", t.base)).await.unwrap()
}

async fn gost_client(t: &TestServer, alg: SigningAlg) -> (String, String) {
    let (c, secret) = vhod::clients::register(
        &t.app.store,
        vhod::clients::NewClient {
            name: "ГОСТ-портал".into(),
            redirect_uris: vec![REDIRECT.to_string()],
            grant_types: vec![
                "authorization_code".into(),
                "refresh_token".into(),
                "client_credentials".into(),
            ],
            id_token_alg: alg,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    (c.id.to_string(), secret.unwrap())
}

/// The certificate vhod serves for `kid`, checked by an independent path (`jws verify`'s).
async fn certificate_of(t: &TestServer, kid: &str) -> String {
    let res = get(t, &format!("/keys/{kid}.pem")).await;
    assert_eq!(res.status(), 200, "{kid}");
    res.text().await.unwrap()
}

#[tokio::test]
async fn a_gost_client_gets_gost_tokens_that_portals_and_every_own_verifier_accept() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (client_id, secret) = gost_client(&t, SigningAlg::Gost256).await;
        t.add_person("gost@example.org").await;
        let browser = Browser::new(&t.base);
        let (code, verifier) = obtain_code(&t, &browser, &client_id, "gost@example.org").await;
        let (status, tokens) = redeem(&t, &client_id, &secret, &code, &verifier).await;
        assert_eq!(status, 200, "{tokens}");
        let id_token = tokens["id_token"].as_str().unwrap();
        let access = tokens["access_token"].as_str().unwrap();
        for (token, typ) in [(id_token, "JWT"), (access, "at+jwt")] {
            let h = header(token);
            assert_eq!(h["alg"], "GOST3410_2012_256", "{}", backend.name());
            assert_eq!(h["typ"], typ);
            let kid = h["kid"].as_str().unwrap();
            assert!(kid.starts_with("gost3410_2012_256-"), "{kid}");
            // A portal holding vhod's certificate verifies the token (s‖r, Streebog-256).
            let cert = certificate_of(&t, kid).await;
            let ok = verify_compact(token, &cert).expect("verifies with the published certificate");
            assert_eq!(ok.payload["iss"], t.issuer());
        }
        // at_hash: the left half of Streebog-256 of the access token (the alg's hash).
        let h = gost::streebog256(access.as_bytes());
        assert_eq!(
            id_token_claims(&tokens)["at_hash"],
            URL_SAFE_NO_PAD.encode(&h[..16])
        );
        // A forged token (claims changed, signature kept) is refused by every verifier.
        let mut parts: Vec<String> = access.split('.').map(str::to_owned).collect();
        let mut claims: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&parts[1]).unwrap()).unwrap();
        claims["scope"] = "openid profile email phone".into();
        parts[1] = URL_SAFE_NO_PAD.encode(claims.to_string());
        let forged = parts.join(".");

        assert_eq!(userinfo(&t, access).await.0, 200);
        assert_eq!(userinfo(&t, &forged).await.0, 401);
        assert_eq!(
            introspect(&t, (&client_id, &secret), access).await["active"],
            true
        );
        assert_eq!(
            introspect(&t, (&client_id, &secret), &forged).await["active"],
            false
        );
        // id_token_hint at logout: vhod recognises its own GOST ID token (the portal's name shows).
        let url = format!(
            "/session/end?id_token_hint={id_token}&client_id={}",
            urlencode(&client_id)
        );
        match browser.follow(&url).await {
            Landing::Page(200, html) => assert!(html.contains("ГОСТ-портал"), "{html}"),
            other => panic!("logout with a GOST id_token_hint: {other:?}"),
        }
        // The refreshed tokens are GOST too.
        let (status, refreshed) = refresh(&t, (&client_id, &secret), &tokens).await;
        assert_eq!(status, 200, "{refreshed}");
        assert_eq!(
            header(refreshed["access_token"].as_str().unwrap())["alg"],
            "GOST3410_2012_256"
        );
    }
}

#[tokio::test]
async fn a_512_bit_gost_client_gets_512_bit_tokens_for_client_credentials() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (client_id, secret) = gost_client(&t, SigningAlg::Gost512).await;
        let (status, body) = token_request(
            &t,
            &client_id,
            &secret,
            &[("grant_type", "client_credentials")],
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let token = body["access_token"].as_str().unwrap();
        let h = header(token);
        assert_eq!(h["alg"], "GOST3410_2012_512");
        let cert = certificate_of(&t, h["kid"].as_str().unwrap()).await;
        let key = VerifyingKey::from_certificate_pem(&cert).unwrap();
        assert_eq!(key.param_set(), gost::ParamSet::Tc26Gost512A);
        verify_compact(token, &cert).expect("512-bit token verifies");
        assert_eq!(
            introspect(&t, (&client_id, &secret), token).await["active"],
            true
        );
    }
}

#[tokio::test]
async fn discovery_names_the_gost_algorithms_their_jwk_set_and_certificates() {
    let t = TestServer::start(&Backend::Sqlite).await;
    let d: Value = get(&t, "/.well-known/openid-configuration")
        .await
        .json()
        .await
        .unwrap();
    let algs = d["id_token_signing_alg_values_supported"]
        .as_array()
        .unwrap();
    for alg in ["RS256", "ES256", "GOST3410_2012_256", "GOST3410_2012_512"] {
        assert!(algs.contains(&alg.into()), "{alg}");
    }
    // jwks_uri keeps the registered key types only; the GOST keys are a set of their own.
    let main: Value = reqwest::get(d["jwks_uri"].as_str().unwrap())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        main["keys"]
            .as_array()
            .unwrap()
            .iter()
            .all(|k| k["kty"] == "RSA" || k["kty"] == "EC"),
        "{main}"
    );
    let gost_uri = d["vhod_gost_jwks_uri"].as_str().unwrap();
    assert_eq!(gost_uri, format!("{}/jwks/gost", t.issuer()));
    let res = reqwest::get(gost_uri).await.unwrap();
    assert_eq!(res.headers()["content-type"], "application/jwk-set+json");
    let set: Value = res.json().await.unwrap();
    let keys = set["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 2, "{set}");
    for k in keys {
        assert_eq!(k["kty"], "GOST");
        assert_eq!(k["use"], "sig");
        assert!(k.get("d").is_none(), "no private part: {k}");
        // The JWK's point, its curve and its certificate agree; the certificate is self-signed.
        let der = base64::engine::general_purpose::STANDARD
            .decode(k["x5c"][0].as_str().unwrap())
            .unwrap();
        let key = VerifyingKey::from_certificate_der(&der).unwrap();
        gost::verify_certificate_signature(&der, &key).expect("self-signed with the key itself");
        let (x, y) = key.coordinates_be();
        assert_eq!(k["x"], URL_SAFE_NO_PAD.encode(x));
        assert_eq!(k["y"], URL_SAFE_NO_PAD.encode(y));
        assert_eq!(k["crv"], key.param_set().oid().to_string());
        let alg = k["alg"].as_str().unwrap();
        let expected = if alg == "GOST3410_2012_256" {
            gost::ParamSet::CryptoProA
        } else {
            gost::ParamSet::Tc26Gost512A
        };
        assert_eq!(key.param_set(), expected, "{alg}");
        // The subject names the issuer's host.
        let pem = certificate_of(&t, k["kid"].as_str().unwrap()).await;
        let cert = <x509_cert::Certificate as der::DecodePem>::from_pem(pem.as_bytes()).unwrap();
        assert_eq!(
            cert.tbs_certificate.subject.to_string(),
            format!(
                "CN={}",
                url::Url::parse(&t.issuer()).unwrap().host_str().unwrap()
            )
        );
    }
    for (member, file) in [
        ("vhod_gost3410_2012_256_certificate_uri", "gost-256.pem"),
        ("vhod_gost3410_2012_512_certificate_uri", "gost-512.pem"),
    ] {
        assert_eq!(d[member], format!("{}/keys/{file}", t.issuer()));
        let res = reqwest::get(d[member].as_str().unwrap()).await.unwrap();
        assert_eq!(res.status(), 200);
        let pem = res.text().await.unwrap();
        assert_eq!(pem.matches("BEGIN CERTIFICATE").count(), 1, "{pem}");
    }
    for missing in ["/keys/gost-1024.pem", "/keys/nokid.pem", "/keys/gost-256"] {
        assert_eq!(get(&t, missing).await.status(), 404, "{missing}");
    }
}
