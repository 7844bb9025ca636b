use super::*;

// ------------------------------------------------------------------------------------------------
// §4 checks: the ID token.
// ------------------------------------------------------------------------------------------------

pub(crate) fn jwt_part(jwt: &str, index: usize) -> Value {
    let part = jwt.split('.').nth(index).expect("JWT part");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).expect("base64url")).expect("JSON")
}

/// ValidateIdTokenSignature(UsingKid): the key named by the header's kid in jwks_uri verifies it.
pub(crate) fn verify_signature(op: &Op, jwt: &str) -> Value {
    let header = jwt_part(jwt, 0);
    let kid = header["kid"]
        .as_str()
        .expect("the ID token header has a kid");
    let set = josekit::jwk::JwkSet::from_bytes(op.jwks.to_string()).unwrap();
    let keys = set.get(kid);
    assert_eq!(keys.len(), 1, "exactly one server key has kid {kid}");
    let verifier: Box<dyn josekit::jws::JwsVerifier> = match header["alg"].as_str() {
        Some("RS256") => Box::new(josekit::jws::RS256.verifier_from_jwk(keys[0]).unwrap()),
        Some("ES256") => Box::new(josekit::jws::ES256.verifier_from_jwk(keys[0]).unwrap()),
        other => panic!("unexpected ID token alg {other:?}"),
    };
    let (payload, _) = josekit::jwt::decode_with_verifier(jwt, &*verifier)
        .expect("the ID token signature verifies against jwks_uri");
    Value::Object(payload.claims_set().clone())
}

/// OIDC Core §3.1.3.6: base64url of the left half of SHA-256.
pub(crate) fn at_hash(access_token: &str) -> String {
    URL_SAFE_NO_PAD.encode(&Sha256::digest(access_token.as_bytes())[..16])
}

/// PerformStandardIdTokenChecks; `nonce` is what the request carried (None: must be absent).
/// Returns the verified claims.
pub(crate) fn check_id_token(
    op: &Op,
    client: &StaticClient,
    id_token: &str,
    nonce: Option<&str>,
    access_token: Option<&str>,
) -> Value {
    let claims = verify_signature(op, id_token);
    let now = op.now();
    let ctx = op.backend();
    assert_eq!(claims["iss"], op.issuer(), "{ctx}: iss");
    match &claims["aud"] {
        Value::String(a) => assert_eq!(a, &client.id, "aud"),
        Value::Array(list) => {
            assert!(list.iter().any(|a| a == client.id.as_str()), "aud");
            if list.len() > 1 {
                assert_eq!(
                    claims["azp"],
                    client.id.as_str(),
                    "azp with several audiences"
                );
            }
        }
        other => panic!("aud is {other}"),
    }
    let exp = claims["exp"].as_i64().expect("exp is a number");
    assert!(
        exp > now,
        "{ctx}: exp {exp} is not in the future (now {now})"
    );
    assert!(exp < now + 50 * 365 * 86400, "exp too far ahead (ms?)");
    let iat = claims["iat"].as_i64().expect("iat is a number");
    assert!(iat <= now + 5, "iat in the future");
    assert!(iat >= now - 300, "iat older than 5 minutes");
    if let Some(auth_time) = claims.get("auth_time") {
        let auth_time = auth_time.as_i64().expect("auth_time is a number");
        assert!(auth_time <= now + 5, "auth_time in the future");
        assert!(
            auth_time > now - 365 * 86400,
            "auth_time more than a year old"
        );
    }
    if let Some(acr) = claims.get("acr") {
        assert!(acr.as_str().is_some_and(|a| !a.is_empty()), "acr is empty");
    }
    let sub = claims["sub"].as_str().expect("CheckForSubjectInIdToken");
    assert!(!sub.is_empty() && sub.len() <= 255 && sub.is_ascii(), "sub");
    // ValidateIdTokenNonce; without a nonce in the request there is nothing to echo.
    assert_eq!(claims["nonce"].as_str(), nonce, "{ctx}: nonce");
    if let Some(h) = claims.get("at_hash") {
        let at = access_token.expect("at_hash without an access token");
        assert_eq!(h, &at_hash(at), "at_hash");
    }
    assert!(
        claims.get("c_hash").is_none(),
        "c_hash in a code flow ID token"
    );
    check_standard_claims(&claims, now);
    claims
}

/// ValidateUserInfoStandardClaims / ValidateIdTokenStandardClaims / Ensure…UpdatedAtValid /
/// EnsureUserInfoBirthDateValid: types and formats of OIDC Core §5.1 claims that are present.
pub(crate) fn check_standard_claims(claims: &Value, now: i64) {
    const STRINGS: [&str; 16] = [
        "sub",
        "name",
        "given_name",
        "family_name",
        "middle_name",
        "nickname",
        "preferred_username",
        "profile",
        "picture",
        "website",
        "email",
        "gender",
        "birthdate",
        "zoneinfo",
        "locale",
        "phone_number",
    ];
    for name in STRINGS {
        if let Some(v) = claims.get(name) {
            assert!(v.is_string(), "{name} must be a string: {v}");
        }
    }
    for name in ["email_verified", "phone_number_verified"] {
        if let Some(v) = claims.get(name) {
            assert!(v.is_boolean(), "{name} must be a boolean: {v}");
        }
    }
    if let Some(v) = claims.get("updated_at") {
        let t = v.as_i64().expect("updated_at is a number of seconds");
        assert!(t > 0 && t <= now + 5, "updated_at {t} is not a sane time");
    }
    if let Some(email) = claims.get("email").and_then(Value::as_str) {
        assert!(email.contains('@'), "email {email}");
    }
    if let Some(b) = claims.get("birthdate").and_then(Value::as_str) {
        let ok = b.len() == 4 && b.chars().all(|c| c.is_ascii_digit())
            || b.len() == 10 && b.as_bytes()[4] == b'-' && b.as_bytes()[7] == b'-';
        assert!(ok, "birthdate {b} is not YYYY or YYYY-MM-DD");
    }
    if let Some(a) = claims.get("address") {
        let a = a.as_object().expect("address is a JSON object");
        for (k, v) in a {
            assert!(
                matches!(
                    k.as_str(),
                    "formatted"
                        | "street_address"
                        | "locality"
                        | "region"
                        | "postal_code"
                        | "country"
                ),
                "address member {k}"
            );
            assert!(v.is_string(), "address.{k} must be a string");
        }
    }
}

// ------------------------------------------------------------------------------------------------
// §4 checks: userinfo.
// ------------------------------------------------------------------------------------------------

#[derive(Clone, Copy)]
pub(crate) enum UserinfoCall {
    Get,
    PostHeader,
    PostBody,
}

pub(crate) async fn call_userinfo(
    op: &Op,
    access_token: &str,
    how: UserinfoCall,
) -> (u16, String, Value) {
    let http = no_redirect_client();
    let url = format!("{}/userinfo", op.t.base);
    let req = match how {
        UserinfoCall::Get => http.get(&url).bearer_auth(access_token),
        UserinfoCall::PostHeader => http.post(&url).bearer_auth(access_token),
        UserinfoCall::PostBody => http.post(&url).form(&[("access_token", access_token)]),
    };
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let content_type = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    (
        status,
        content_type,
        res.json().await.unwrap_or(Value::Null),
    )
}

/// 200, JSON (EnsureContentTypeJson), `sub` equal to the ID token's, standard claims well-formed.
pub(crate) async fn check_userinfo(
    op: &Op,
    access_token: &str,
    how: UserinfoCall,
    sub: &str,
) -> Value {
    let (status, content_type, body) = call_userinfo(op, access_token, how).await;
    assert_eq!(status, 200, "{}: userinfo: {body}", op.backend());
    assert!(
        content_type.starts_with("application/json"),
        "EnsureContentTypeJson: {content_type}"
    );
    assert_eq!(
        body["sub"].as_str(),
        Some(sub),
        "VerifyUserInfoAndIdTokenInTokenEndpointSameSub"
    );
    check_standard_claims(&body, op.now());
    body
}
