//! The OpenID Foundation "Config OP" certification plan (`oidcc-config-certification-test-plan`):
//! its one module, `oidcc-discovery-endpoint-verification`, as a named test (static-client
//! flavour). See ../shared/conformance/oidcc-basic-modules.md §2 and conformance/README.md.
//!
//! Left out on purpose: the suite's https requirement (CheckDiscEndpointIssuerIsValidUrl's scheme,
//! CheckDiscEndpointAllEndpointsAreHttps). The harness serves vhod as http://localhost:PORT; in its
//! place we check that every endpoint lives under the issuer. Metadata only, so SQLite only.

#[path = "../tests/common/mod.rs"]
mod common;

use common::*;
use serde_json::Value;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Url,
    Strings,
    Bool,
}

/// Members defined by OIDC Discovery 1.0 §3, RFC 8414 §2, RFC 7636, RFC 9207, RFC 9101, RFC 9126,
/// OIDC Session/Front-/Back-Channel Logout and Prompt Create, with their JSON types. Anything else
/// in the document is flagged (the suite validates the document against a schema).
const KNOWN: &[(&str, Kind)] = &[
    ("issuer", Kind::Url),
    ("authorization_endpoint", Kind::Url),
    ("token_endpoint", Kind::Url),
    ("userinfo_endpoint", Kind::Url),
    ("jwks_uri", Kind::Url),
    ("registration_endpoint", Kind::Url),
    ("introspection_endpoint", Kind::Url),
    ("revocation_endpoint", Kind::Url),
    ("end_session_endpoint", Kind::Url),
    ("check_session_iframe", Kind::Url),
    ("pushed_authorization_request_endpoint", Kind::Url),
    ("device_authorization_endpoint", Kind::Url),
    ("service_documentation", Kind::Url),
    ("op_policy_uri", Kind::Url),
    ("op_tos_uri", Kind::Url),
    ("scopes_supported", Kind::Strings),
    ("response_types_supported", Kind::Strings),
    ("response_modes_supported", Kind::Strings),
    ("grant_types_supported", Kind::Strings),
    ("acr_values_supported", Kind::Strings),
    ("subject_types_supported", Kind::Strings),
    ("dpop_signing_alg_values_supported", Kind::Strings),
    // vhod's own extension members (OIDC Discovery §3 allows them): the GOST keys apart from
    // jwks_uri and their certificates (ARCHITECTURE.md §8).
    ("vhod_gost_jwks_uri", Kind::Url),
    ("vhod_gost3410_2012_256_certificate_uri", Kind::Url),
    ("vhod_gost3410_2012_512_certificate_uri", Kind::Url),
    ("id_token_signing_alg_values_supported", Kind::Strings),
    ("id_token_encryption_alg_values_supported", Kind::Strings),
    ("id_token_encryption_enc_values_supported", Kind::Strings),
    ("userinfo_signing_alg_values_supported", Kind::Strings),
    ("userinfo_encryption_alg_values_supported", Kind::Strings),
    ("userinfo_encryption_enc_values_supported", Kind::Strings),
    ("request_object_signing_alg_values_supported", Kind::Strings),
    (
        "request_object_encryption_alg_values_supported",
        Kind::Strings,
    ),
    (
        "request_object_encryption_enc_values_supported",
        Kind::Strings,
    ),
    ("token_endpoint_auth_methods_supported", Kind::Strings),
    (
        "token_endpoint_auth_signing_alg_values_supported",
        Kind::Strings,
    ),
    (
        "introspection_endpoint_auth_methods_supported",
        Kind::Strings,
    ),
    (
        "introspection_endpoint_auth_signing_alg_values_supported",
        Kind::Strings,
    ),
    ("revocation_endpoint_auth_methods_supported", Kind::Strings),
    (
        "revocation_endpoint_auth_signing_alg_values_supported",
        Kind::Strings,
    ),
    ("display_values_supported", Kind::Strings),
    ("claim_types_supported", Kind::Strings),
    ("claims_supported", Kind::Strings),
    ("claims_locales_supported", Kind::Strings),
    ("ui_locales_supported", Kind::Strings),
    ("code_challenge_methods_supported", Kind::Strings),
    ("prompt_values_supported", Kind::Strings),
    ("claims_parameter_supported", Kind::Bool),
    ("request_parameter_supported", Kind::Bool),
    ("request_uri_parameter_supported", Kind::Bool),
    ("require_request_uri_registration", Kind::Bool),
    ("require_signed_request_object", Kind::Bool),
    ("require_pushed_authorization_requests", Kind::Bool),
    ("authorization_response_iss_parameter_supported", Kind::Bool),
    ("frontchannel_logout_supported", Kind::Bool),
    ("frontchannel_logout_session_supported", Kind::Bool),
    ("backchannel_logout_supported", Kind::Bool),
    ("backchannel_logout_session_supported", Kind::Bool),
    ("tls_client_certificate_bound_access_tokens", Kind::Bool),
    // OpenID Connect for Identity Assurance 1.0 §7.
    ("verified_claims_supported", Kind::Bool),
    ("trust_frameworks_supported", Kind::Strings),
    ("evidence_supported", Kind::Strings),
    ("documents_supported", Kind::Strings),
    ("claims_in_verified_claims_supported", Kind::Strings),
    // OpenID Connect CIBA Core 1.0 §4.
    ("backchannel_authentication_endpoint", Kind::Url),
    ("backchannel_token_delivery_modes_supported", Kind::Strings),
    (
        "backchannel_authentication_request_signing_alg_values_supported",
        Kind::Strings,
    ),
    ("backchannel_user_code_parameter_supported", Kind::Bool),
];

/// RFC 6749 §3.3 scope-token: 1*( %x21 / %x23-5B / %x5D-7E ).
fn is_scope_token(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| matches!(c as u32, 0x21 | 0x23..=0x5B | 0x5D..=0x7E))
}

/// A BCP 47 language tag, simplified: a 2-3 (or 5-8) letter language, then 1-8 alphanumeric
/// subtags (CheckDiscEndpointLocalesSyntax).
fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let lang = parts.next().unwrap_or("");
    let lang_ok =
        matches!(lang.len(), 2 | 3 | 5..=8) && lang.chars().all(|c| c.is_ascii_alphabetic());
    lang_ok
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// RFC 5646 §2.1.1 canonical casing: language lower, script Title, region upper, rest lower
/// (CheckDiscEndpointLocalesCanonicalCasing).
fn is_canonically_cased(tag: &str) -> bool {
    tag.split('-').enumerate().all(|(i, p)| {
        let upper = p.chars().all(|c| !c.is_ascii_lowercase());
        let lower = p.chars().all(|c| !c.is_ascii_uppercase());
        match (i, p.len()) {
            (0, _) => lower,
            (_, 2) if p.chars().all(|c| c.is_ascii_alphabetic()) => upper,
            (_, 4) if p.chars().all(|c| c.is_ascii_alphabetic()) => {
                p[..1].chars().all(|c| c.is_ascii_uppercase())
                    && p[1..].chars().all(|c| c.is_ascii_lowercase())
            }
            _ => lower,
        }
    })
}

fn strings<'a>(d: &'a Value, member: &str) -> Vec<&'a str> {
    d[member]
        .as_array()
        .unwrap_or_else(|| panic!("{member} must be an array"))
        .iter()
        .map(|v| {
            v.as_str()
                .unwrap_or_else(|| panic!("{member}: {v} is not a string"))
        })
        .collect()
}

#[tokio::test]
async fn oidcc_discovery_endpoint_verification() {
    let t = TestServer::start(&Backend::Sqlite).await;
    let issuer = t.issuer();
    let discovery_url = format!("{issuer}/.well-known/openid-configuration");
    let http = no_redirect_client();

    // GetDynamicServerConfiguration, EnsureDiscoveryEndpointResponseStatusCodeIs200,
    // CheckDiscoveryEndpointReturnedJsonContentType.
    let res = http.get(&discovery_url).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let content_type = res.headers()["content-type"].to_str().unwrap().to_string();
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    let d: Value = res.json().await.expect("a JSON document");
    let doc = d.as_object().expect("a JSON object");

    // The schema: known members only, each with its type.
    for (member, value) in doc {
        let kind = KNOWN
            .iter()
            .find(|(k, _)| k == member)
            .map(|(_, kind)| *kind)
            .unwrap_or_else(|| panic!("unexpected member {member} in the discovery document"));
        match kind {
            Kind::Url => {
                let s = value
                    .as_str()
                    .unwrap_or_else(|| panic!("{member} is not a string"));
                url::Url::parse(s).unwrap_or_else(|_| panic!("{member} is not a URL: {s}"));
            }
            Kind::Strings => {
                strings(&d, member);
            }
            Kind::Bool => assert!(value.is_boolean(), "{member} is not a boolean"),
        }
    }

    // OIDCCCheckDiscEndpointResponseTypesSupported (static clients: code is enough).
    assert!(strings(&d, "response_types_supported").contains(&"code"));

    // CheckDiscEndpointDiscoveryUrl, CheckDiscEndpointIssuer, CheckDiscEndpointIssuerIsValidUrl.
    assert_eq!(
        d["issuer"],
        issuer.as_str(),
        "issuer + /.well-known/openid-configuration"
    );
    let iss = url::Url::parse(&issuer).unwrap();
    assert!(
        iss.query().is_none() && iss.fragment().is_none(),
        "issuer has no query or fragment"
    );
    // https is not required here (see the header comment).

    // CheckDiscEndpointSubjectTypesSupported.
    let subject_types = strings(&d, "subject_types_supported");
    assert!(!subject_types.is_empty());
    assert!(
        subject_types
            .iter()
            .all(|s| matches!(*s, "public" | "pairwise"))
    );

    // OIDCCCheckDiscEndpointIdTokenSigningAlgValuesSupported.
    assert!(strings(&d, "id_token_signing_alg_values_supported").contains(&"RS256"));
    // OIDCCCheckDiscEndpointUserinfoSigningAlgValuesSupported: only if present.
    if d.get("userinfo_signing_alg_values_supported").is_some() {
        assert!(!strings(&d, "userinfo_signing_alg_values_supported").is_empty());
    }
    // OIDC Discovery §3: "none" is not allowed for client authentication signatures.
    for member in [
        "token_endpoint_auth_signing_alg_values_supported",
        "introspection_endpoint_auth_signing_alg_values_supported",
        "revocation_endpoint_auth_signing_alg_values_supported",
    ] {
        if d.get(member).is_some() {
            assert!(
                !strings(&d, member).contains(&"none"),
                "{member} lists none"
            );
        }
    }

    // CheckDiscEndpointAuthorizationEndpoint, …TokenEndpoint, …UserinfoEndpoint, CheckJwksUri,
    // and in place of …AllEndpointsAreHttps: every endpoint is served under the issuer.
    for member in [
        "authorization_endpoint",
        "token_endpoint",
        "userinfo_endpoint",
        "jwks_uri",
    ] {
        assert!(d[member].is_string(), "{member} is required");
    }
    for (member, value) in doc {
        if KNOWN.contains(&(member.as_str(), Kind::Url)) && member != "issuer" {
            let u = value.as_str().unwrap();
            assert!(
                u.starts_with(&format!("{issuer}/")),
                "{member} {u} is not under the issuer"
            );
        }
    }
    assert!(
        d.get("registration_endpoint").is_none(),
        "static registration only"
    );

    // FetchServerKeys, ValidateServerJWKs, EnsureServerJwksDoesNotContainPrivateOrSymmetricKeys.
    let jwks_res = http
        .get(d["jwks_uri"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(jwks_res.status(), 200);
    let jwks: Value = jwks_res.json().await.expect("JWKS is JSON");
    josekit::jwk::JwkSet::from_bytes(jwks.to_string()).expect("a valid JWK Set");
    let keys = jwks["keys"].as_array().expect("keys");
    assert!(!keys.is_empty());
    let mut kids = std::collections::HashSet::new();
    for k in keys {
        assert!(
            matches!(k["kty"].as_str(), Some("RSA" | "EC")),
            "no symmetric keys: {k}"
        );
        for private in ["d", "p", "q", "dp", "dq", "qi", "k"] {
            assert!(k.get(private).is_none(), "JWKS exposes {private}");
        }
        assert!(
            kids.insert(k["kid"].as_str().expect("kid")),
            "distinct kids"
        );
    }

    // CheckDiscEndpointRequestParameterSupported, …RequestUriParameterSupported (INFO in the suite),
    // CheckDiscEndpointRequestObjectSigningAlgValuesSupportedIncludesRS256.
    assert_eq!(d["request_parameter_supported"], true);
    assert_eq!(d["request_uri_parameter_supported"], true);
    assert!(strings(&d, "request_object_signing_alg_values_supported").contains(&"RS256"));

    // CheckDiscEndpointClaimsParameterSupported, OIDCCCheckDiscEndpointClaimsSupported.
    assert_eq!(d["claims_parameter_supported"], true);
    let claims = strings(&d, "claims_supported");
    assert!(claims.contains(&"sub"), "claims_supported lists sub");

    // OIDCCCheckDiscEndpointGrantTypesSupported: a non-empty array, with the code grant.
    let grants = strings(&d, "grant_types_supported");
    assert!(grants.contains(&"authorization_code"));

    // CheckDiscEndpointScopesSupportedContainsOpenId, CheckDiscEndpointScopesSupportedSyntax.
    let scopes = strings(&d, "scopes_supported");
    assert!(scopes.contains(&"openid"));
    for s in &scopes {
        assert!(is_scope_token(s), "scope {s:?} is not a scope-token");
    }

    // CheckDiscEndpointLocalesSyntax, CheckDiscEndpointLocalesCanonicalCasing.
    for member in ["ui_locales_supported", "claims_locales_supported"] {
        if d.get(member).is_some() {
            for tag in strings(&d, member) {
                assert!(
                    is_language_tag(tag),
                    "{member}: {tag} is not a language tag"
                );
                assert!(
                    is_canonically_cased(tag),
                    "{member}: {tag} is not canonically cased"
                );
            }
        }
    }

    // EnsureServerConfigurationCodeChallengeMethodsSupportedIsAnArray.
    let methods = strings(&d, "code_challenge_methods_supported");
    assert!(methods.contains(&"S256"));
}
