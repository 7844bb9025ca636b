use super::*;

// ------------------------------------------------------------------------------------------------
// §4 checks: authorization responses.
// ------------------------------------------------------------------------------------------------

pub(crate) fn callback_params(callback: &str, redirect_uri: &str) -> Vec<(String, String)> {
    // CheckMatchingCallbackParameters: the response comes back to the redirect URI, in the query.
    let (base, query) = callback
        .split_once('?')
        .unwrap_or_else(|| panic!("response without query: {callback}"));
    assert_eq!(base, redirect_uri, "response sent to the wrong place");
    assert!(!callback.contains('#'), "code flow responses use the query");
    url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

pub(crate) fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    let mut found = params.iter().filter(|(k, _)| k == name);
    let first = found.next().map(|(_, v)| v.as_str());
    assert!(
        found.next().is_none(),
        "{name} appears twice in the response"
    );
    first
}

/// A successful code response: state echoed, `iss` (RFC 9207) is the issuer, nothing unexpected,
/// and a code that is long and random enough. Returns the code.
pub(crate) fn check_code_response(op: &Op, callback: &str, expect: &Expect) -> String {
    let params = callback_params(callback, &expect.redirect_uri);
    assert!(
        param(&params, "error").is_none(),
        "{}: authorization failed: {callback}",
        op.backend()
    );
    assert_eq!(
        param(&params, "state"),
        expect.state.as_deref(),
        "CheckMatchingStateParameter"
    );
    assert_eq!(
        param(&params, "iss"),
        Some(op.issuer().as_str()),
        "ValidateIssIfPresentInAuthorizationResponse"
    );
    for (k, _) in &params {
        assert!(
            matches!(k.as_str(), "code" | "state" | "iss"),
            "unexpected parameter {k} in the code response"
        );
    }
    let code = param(&params, "code")
        .expect("code in the response")
        .to_string();
    assert!(
        code.len() >= MIN_CODE_LENGTH,
        "EnsureMinimumAuthorizationCodeLength: {code}"
    );
    assert!(
        entropy_bits(&code) >= MIN_ENTROPY_BITS,
        "EnsureMinimumAuthorizationCodeEntropy: {code} has {} bits",
        entropy_bits(&code)
    );
    code
}

/// An error response at the trusted redirect URI: an allowed error, valid description, state and
/// iss echoed, no code, nothing unexpected. Returns the error.
pub(crate) fn check_error_response(
    op: &Op,
    callback: &str,
    expect: &Expect,
    allowed: &[&str],
) -> String {
    let params = callback_params(callback, &expect.redirect_uri);
    let error = param(&params, "error").unwrap_or_else(|| panic!("no error in {callback}"));
    assert!(
        allowed.contains(&error),
        "error {error}, expected one of {allowed:?}"
    );
    assert!(
        error.chars().all(is_error_description_char),
        "error charset"
    );
    if let Some(d) = param(&params, "error_description") {
        check_error_description(d);
    }
    assert_eq!(param(&params, "state"), expect.state.as_deref(), "state");
    assert_eq!(param(&params, "iss"), Some(op.issuer().as_str()), "iss");
    for (k, _) in &params {
        assert!(
            matches!(
                k.as_str(),
                "error" | "error_description" | "error_uri" | "state" | "iss"
            ),
            "CheckForUnexpectedParametersInErrorResponseFromAuthorizationEndpoint: {k}"
        );
    }
    error.to_string()
}

/// RFC 6749 §4.1.2.1 / §5.2: error_description is %x20-21 / %x23-5B / %x5D-7E.
pub(crate) fn is_error_description_char(c: char) -> bool {
    matches!(c as u32, 0x20..=0x21 | 0x23..=0x5B | 0x5D..=0x7E)
}

pub(crate) fn check_error_description(d: &str) {
    assert!(
        !d.contains(['\r', '\n', '\t']),
        "CheckErrorDescriptionContainsCRLFTAB: {d:?}"
    );
    assert!(
        d.chars().all(is_error_description_char),
        "ValidateErrorDescription (RFC 6749 charset): {d:?}"
    );
}

/// The suite's Shannon-entropy estimate: bits per character × length.
pub(crate) fn entropy_bits(s: &str) -> f64 {
    let mut counts = std::collections::HashMap::new();
    for c in s.chars() {
        *counts.entry(c).or_insert(0usize) += 1;
    }
    let n = s.chars().count() as f64;
    let per_char: f64 = counts
        .values()
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum();
    per_char * n
}

/// RFC 6749 Appendix A (VSCHAR): access and refresh tokens are %x20-7E.
pub(crate) fn check_vschar(what: &str, token: &str) {
    assert!(
        !token.is_empty() && token.chars().all(|c| (' '..='~').contains(&c)),
        "{what} contains characters outside VSCHAR"
    );
}

// ------------------------------------------------------------------------------------------------
// §4 checks: the token endpoint.
// ------------------------------------------------------------------------------------------------

#[derive(Clone, Copy)]
pub(crate) enum ClientAuth {
    SecretBasic,
    SecretPost,
}

pub(crate) struct TokenCall {
    pub(crate) status: u16,
    pub(crate) content_type: String,
    pub(crate) cache_control: String,
    pub(crate) body: Value,
}

pub(crate) async fn token_call(
    op: &Op,
    client: &StaticClient,
    auth: ClientAuth,
    form: &[(&str, &str)],
) -> TokenCall {
    let mut form: Vec<(&str, &str)> = form.to_vec();
    let mut req = no_redirect_client().post(format!("{}/token", op.t.base));
    match auth {
        // RFC 6749 §2.3.1: both parts form-urlencoded before Basic.
        ClientAuth::SecretBasic => {
            req = req.basic_auth(urlencode(&client.id), Some(urlencode(&client.secret)))
        }
        ClientAuth::SecretPost => {
            form.push(("client_id", &client.id));
            form.push(("client_secret", &client.secret));
        }
    }
    let res = req.form(&form).send().await.unwrap();
    let header = |name: &str| {
        res.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let content_type = header("content-type");
    let cache_control = header("cache-control");
    let status = res.status().as_u16();
    TokenCall {
        status,
        content_type,
        cache_control,
        body: res.json().await.unwrap_or(Value::Null),
    }
}

pub(crate) async fn redeem_code(
    op: &Op,
    client: &StaticClient,
    auth: ClientAuth,
    code: &str,
    extra: &[(&str, &str)],
) -> TokenCall {
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", REDIRECT),
    ];
    form.extend_from_slice(extra);
    token_call(op, client, auth, &form).await
}

/// 200, JSON, not cacheable, a Bearer access token with a sane `expires_in`.
pub(crate) fn check_token_success(op: &Op, tc: &TokenCall) {
    assert_eq!(
        tc.status,
        200,
        "{}: token endpoint: {}",
        op.backend(),
        tc.body
    );
    assert!(
        tc.content_type.starts_with("application/json"),
        "CheckTokenEndpointReturnedJsonContentType: {}",
        tc.content_type
    );
    assert!(
        tc.cache_control.contains("no-store"),
        "CheckTokenEndpointCacheHeaders: {}",
        tc.cache_control
    );
    let at = tc.body["access_token"].as_str().expect("access_token");
    check_vschar("access_token", at);
    assert!(
        entropy_bits(at) >= MIN_ENTROPY_BITS,
        "EnsureMinimumAccessTokenEntropy"
    );
    assert!(
        tc.body["token_type"]
            .as_str()
            .is_some_and(|t| t.eq_ignore_ascii_case("bearer")),
        "CheckTokenTypeIsBearer: {}",
        tc.body
    );
    // The suite only warns when expires_in is missing; we want it.
    let expires_in = tc.body["expires_in"].as_i64().expect("expires_in");
    assert!(expires_in > 0, "ValidateExpiresIn: {expires_in}");
    if let Some(rt) = tc.body.get("refresh_token") {
        check_vschar("refresh_token", rt.as_str().expect("refresh_token string"));
    }
}

/// CheckTokenEndpointHttpStatus400, JSON, the expected error, valid description.
pub(crate) fn check_token_error(tc: &TokenCall, error: &str) {
    assert_eq!(
        tc.status, 400,
        "CheckTokenEndpointHttpStatus400: {}",
        tc.body
    );
    assert!(
        tc.content_type.starts_with("application/json"),
        "CheckTokenEndpointReturnedJsonContentType: {}",
        tc.content_type
    );
    assert_eq!(tc.body["error"], error, "{}", tc.body);
    if let Some(d) = tc.body.get("error_description") {
        check_error_description(d.as_str().expect("error_description is a string"));
    }
    if let Some(uri) = tc.body.get("error_uri") {
        url::Url::parse(uri.as_str().expect("error_uri string")).expect("error_uri is a URI");
    }
}
