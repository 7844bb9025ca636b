//! Discovery advertises exactly what is implemented: every endpoint it names is routed, every grant
//! type and auth method it lists is accepted, and nothing routed for RPs is left unadvertised.

mod common;

use common::*;
use serde_json::Value;

#[tokio::test]
async fn every_advertised_endpoint_is_routed_and_every_routed_protocol_endpoint_is_advertised() {
    let t = TestServer::start(&Backend::Sqlite).await;
    let d: Value = reqwest::get(format!("{}/.well-known/openid-configuration", t.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let http = no_redirect_client();
    let mut advertised = vec![];
    for (name, value) in d.as_object().unwrap() {
        if !(name.ends_with("_endpoint") || name == "jwks_uri") {
            continue;
        }
        let url = value.as_str().unwrap();
        assert!(url.starts_with(&t.issuer()), "{name}");
        let path = url.trim_start_matches(&t.issuer()).to_string();
        let get = http
            .get(format!("{}{path}", t.base))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16();
        let post = http
            .post(format!("{}{path}", t.base))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16();
        assert!(
            get != 404 || post != 404,
            "{name} ({path}) is advertised but not routed"
        );
        advertised.push(path);
    }
    for path in [
        "/authorize",
        "/token",
        "/userinfo",
        "/jwks",
        "/introspect",
        "/revoke",
        "/par",
        "/session/end",
    ] {
        assert!(
            advertised.iter().any(|a| a == path),
            "{path} is routed but not advertised"
        );
    }
    // Every advertised grant type is accepted by the token endpoint (an error other than
    // unsupported_grant_type means it is implemented).
    let (client, secret) = t.add_client(REDIRECT, false).await;
    for grant in d["grant_types_supported"].as_array().unwrap() {
        let (_, body) = token_request(
            &t,
            &client,
            secret.as_deref().unwrap(),
            &[("grant_type", grant.as_str().unwrap())],
        )
        .await;
        assert_ne!(body["error"], "unsupported_grant_type", "{grant}");
    }
    let (_, body) = token_request(
        &t,
        &client,
        secret.as_deref().unwrap(),
        &[("grant_type", "password")],
    )
    .await;
    assert_eq!(body["error"], "unsupported_grant_type");
    // Scopes advertised are the ones understood.
    let scopes: Vec<&str> = d["scopes_supported"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert_eq!(
        vhod::oidc::claims::parse_scopes(&scopes.join(" "))
            .unwrap()
            .len(),
        scopes.len()
    );
    assert_eq!(d["response_types_supported"], serde_json::json!(["code"]));
    assert!(
        !d["id_token_signing_alg_values_supported"]
            .as_array()
            .unwrap()
            .contains(&"none".into())
    );
}
