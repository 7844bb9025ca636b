//! OpenID Provider metadata (OIDC Discovery 1.0) and the JWK Set. Advertises exactly what is implemented.

use super::OidcState;
use super::claims::{CLAIMS, SCOPES};
use crate::authn::ACR_VALUES;
use crate::crypto::keyring::SigningAlg;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

const AUTH_METHODS: [&str; 4] = [
    "client_secret_basic",
    "client_secret_post",
    "private_key_jwt",
    "none",
];
const ASSERTION_ALGS: [&str; 3] = ["RS256", "PS256", "ES256"];

pub fn metadata(app: &OidcState) -> Value {
    let iss = app.issuer();
    let mut meta = json!({
        "issuer": iss,
        "authorization_endpoint": format!("{iss}/authorize"),
        "token_endpoint": format!("{iss}/token"),
        "userinfo_endpoint": format!("{iss}/userinfo"),
        "jwks_uri": format!("{iss}/jwks"),
        "end_session_endpoint": format!("{iss}/session/end"),
        "backchannel_logout_supported": true,
        "backchannel_logout_session_supported": true,
        "pushed_authorization_request_endpoint": format!("{iss}/par"),
        "require_pushed_authorization_requests": false,
        "introspection_endpoint": format!("{iss}/introspect"),
        "revocation_endpoint": format!("{iss}/revoke"),
        "scopes_supported": SCOPES,
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": crate::clients::GRANT_TYPES,
        "subject_types_supported": ["public", "pairwise"],
        "id_token_signing_alg_values_supported": SigningAlg::ALL.map(SigningAlg::name),
        "token_endpoint_auth_methods_supported": AUTH_METHODS,
        "token_endpoint_auth_signing_alg_values_supported": ASSERTION_ALGS,
        "introspection_endpoint_auth_methods_supported": &AUTH_METHODS[..3],
        "introspection_endpoint_auth_signing_alg_values_supported": ASSERTION_ALGS,
        "revocation_endpoint_auth_methods_supported": &AUTH_METHODS[..3],
        "revocation_endpoint_auth_signing_alg_values_supported": ASSERTION_ALGS,
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": CLAIMS.iter().chain(["iss", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "at_hash"].iter()).collect::<Vec<_>>(),
        "acr_values_supported": ACR_VALUES,
        "prompt_values_supported": ["none", "login", "consent"],
        "ui_locales_supported": ["ru", "en"],
        "claims_parameter_supported": true,
        "claims_locales_supported": ["ru", "en"],
        "display_values_supported": ["page", "popup", "touch", "wap"],
        "request_parameter_supported": true,
        "request_uri_parameter_supported": true,
        // request_uri values are fetched only when the client registered them; unsigned request
        // objects only from a client registered with `none`, so `none` is not offered in general.
        "require_request_uri_registration": true,
        "request_object_signing_alg_values_supported": ASSERTION_ALGS,
        "authorization_response_iss_parameter_supported": true,
        "dpop_signing_alg_values_supported": ["ES256", "RS256", "PS256"],
    });
    // RFC 8628 §4 and CIBA Core §4 (FAPI-CIBA: no push mode; no user_code parameter).
    let xdev = json!({
        "device_authorization_endpoint": format!("{iss}/device_authorization"),
        "backchannel_authentication_endpoint": format!("{iss}/bc-authorize"),
        "backchannel_token_delivery_modes_supported": ["poll", "ping"],
        "backchannel_authentication_request_signing_alg_values_supported": ASSERTION_ALGS,
        "backchannel_user_code_parameter_supported": false,
    });
    if let (Some(m), Value::Object(extra)) = (meta.as_object_mut(), xdev) {
        m.extend(extra);
    }
    // OpenID Connect for Identity Assurance 1.0 §7 (added apart: json! has a recursion limit).
    let ida = json!({
        "verified_claims_supported": true,
        "trust_frameworks_supported": super::claims_identity::TRUST_FRAMEWORKS,
        "evidence_supported": ["document"],
        "documents_supported": ["idcard"],
        "claims_in_verified_claims_supported": super::claims_identity::VERIFIED_CLAIMS,
    });
    if let (Some(m), Value::Object(extra)) = (meta.as_object_mut(), ida) {
        m.extend(extra);
    }
    // vhod's own members (ARCHITECTURE.md §8): the GOST keys as a JWK Set of their own, and the
    // certificates of the GOST keys that sign now and next (ESIA-style portals verify with a
    // certificate, not a JWK); any published GOST key's certificate is at /keys/{kid}.pem.
    if let Some(m) = meta.as_object_mut() {
        m.insert(
            "vhod_gost_jwks_uri".into(),
            json!(format!("{iss}/jwks/gost")),
        );
        m.insert(
            "vhod_gost3410_2012_256_certificate_uri".into(),
            json!(format!("{iss}/keys/gost-256.pem")),
        );
        m.insert(
            "vhod_gost3410_2012_512_certificate_uri".into(),
            json!(format!("{iss}/keys/gost-512.pem")),
        );
    }
    meta
}

pub async fn discovery(State(app): State<OidcState>) -> Response {
    (
        [(header::CACHE_CONTROL, "public, max-age=300")],
        [(header::CONTENT_TYPE, "application/json")],
        app.discovery
            .get_or_init(|| metadata(&app).to_string())
            .clone(),
    )
        .into_response()
}

/// Cacheable for half the pre-publication period (at most an hour), so a relying party that
/// honours Cache-Control always has a rotated-in key before it signs anything.
pub async fn jwks(State(app): State<OidcState>) -> Response {
    let max_age = (app.config.keys.prepublish_secs / 2).clamp(0, 3600);
    (
        [
            (header::CONTENT_TYPE, "application/jwk-set+json".to_string()),
            (header::CACHE_CONTROL, format!("public, max-age={max_age}")),
        ],
        app.keyring.jwks().to_string(),
    )
        .into_response()
}

/// The GOST keys' JWK Set (`vhod_gost_jwks_uri`), cached like the main one.
pub async fn gost_jwks(State(app): State<OidcState>) -> Response {
    let max_age = (app.config.keys.prepublish_secs / 2).clamp(0, 3600);
    (
        [
            (header::CONTENT_TYPE, "application/jwk-set+json".to_string()),
            (header::CACHE_CONTROL, format!("public, max-age={max_age}")),
        ],
        app.keyring.gost_jwks().to_string(),
    )
        .into_response()
}

/// `GET /keys/gost-256.pem`, `/keys/gost-512.pem`: the self-signed certificates of the GOST keys
/// that sign now and next (the active one first), PEM one after another; `GET /keys/{kid}.pem`:
/// the certificate of that published GOST key (retired ones too, while tokens they signed live).
pub async fn certificate(State(app): State<OidcState>, Path(name): Path<String>) -> Response {
    let Some(stem) = name.strip_suffix(".pem") else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let certs = app.keyring.gost_certificates();
    let alg = match stem {
        "gost-256" => Some(SigningAlg::Gost256),
        "gost-512" => Some(SigningAlg::Gost512),
        _ => None,
    };
    let mut chosen: Vec<_> = match alg {
        Some(alg) => certs
            .iter()
            .filter(|c| c.alg == alg && (c.state == "active" || c.state == "next"))
            .collect(),
        None => certs.iter().filter(|c| c.kid == stem).collect(),
    };
    chosen.sort_by_key(|c| c.state != "active");
    if chosen.is_empty() {
        return StatusCode::NOT_FOUND.into_response();
    }
    let max_age = (app.config.keys.prepublish_secs / 2).clamp(0, 3600);
    (
        [
            (header::CONTENT_TYPE, "application/x-pem-file".to_string()),
            (header::CACHE_CONTROL, format!("public, max-age={max_age}")),
        ],
        chosen.iter().map(|c| c.pem()).collect::<String>(),
    )
        .into_response()
}
