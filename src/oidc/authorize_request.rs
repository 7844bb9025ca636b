//! Parsing and checking an authorization request (RFC 6749 §4.1.1, OIDC Core §3.1.2.1) once its
//! client and redirect URI are known: every parameter validated into an [`AuthRequest`], or the
//! (error, description) to send back to the portal.

use super::pkce;
use super::request_object::Refusal;
use crate::authn::login_tx::AuthRequest;
use crate::authn::org_choice::OrgRequest;
use crate::clients::Client;
use crate::ctx::Ctx;
use crate::types::Acr;
use crate::web::i18n::Lang;
use crate::web::params::Params;

/// The longest value of each free-form parameter an authorization request keeps while the person
/// signs in; a longer one is refused (`invalid_request`, back to the portal).
const MAX_LENGTHS: [(&str, usize); 6] = [
    ("state", 2048),
    ("nonce", 2048),
    ("login_hint", 2048),
    ("scope", 2048),
    ("acr_values", 1024),
    ("claims", 4096),
];

pub fn parse_request(
    app: &Ctx,
    p: &Params,
    client: &Client,
    redirect_uri: &str,
    lang: Lang,
) -> Result<AuthRequest, Refusal> {
    let invalid = |d: &str| ("invalid_request", d.to_string());
    if let Some(dup) = p.duplicated() {
        return Err(invalid(&format!("parameter {dup} is given more than once")));
    }
    match p.get("response_type") {
        None => return Err(invalid("response_type is required")),
        Some("code") => {}
        Some(_) => {
            return Err((
                "unsupported_response_type",
                "only response_type=code is supported".into(),
            ));
        }
    }
    if let Some(mode) = p.get("response_mode")
        && mode != "query"
    {
        return Err(invalid("only response_mode=query is supported"));
    }
    let scopes = super::claims::parse_scopes(p.get("scope").unwrap_or(""))
        .map_err(|s| ("invalid_scope", format!("unknown scope {s}")))?;
    let (scopes, ogrns) = org_scopes(scopes);
    if !scopes.iter().any(|s| s == "openid") {
        return Err(("invalid_scope", "scope must include openid".into()));
    }
    let code_challenge = match (p.get("code_challenge"), p.get("code_challenge_method")) {
        (None, None) if client.require_pkce => {
            return Err(invalid("code_challenge (PKCE, S256) is required"));
        }
        (None, None) => None,
        (None, Some(_)) => return Err(invalid("code_challenge_method without code_challenge")),
        (Some(_), None | Some("plain")) => {
            return Err(invalid(
                "code_challenge_method must be S256; plain is not allowed",
            ));
        }
        (Some(c), Some("S256")) if pkce::is_valid_challenge(c) => Some(c.to_string()),
        (Some(_), Some("S256")) => return Err(invalid("code_challenge is malformed")),
        (Some(_), Some(_)) => return Err(invalid("code_challenge_method must be S256")),
    };
    let prompt: Vec<String> = p
        .get("prompt")
        .unwrap_or("")
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    if prompt
        .iter()
        .any(|v| !matches!(v.as_str(), "none" | "login" | "consent" | "select_account"))
    {
        return Err(invalid("unsupported prompt value"));
    }
    if prompt.iter().any(|v| v == "none") && prompt.len() > 1 {
        return Err(invalid("prompt=none cannot be combined with other values"));
    }
    let max_age = match p.get("max_age") {
        None => None,
        Some(v) => Some(
            v.parse::<i64>()
                .ok()
                .filter(|n| *n >= 0)
                .ok_or_else(|| invalid("max_age must be a non-negative integer"))?,
        ),
    };
    if let Some(d) = p.get("display")
        && !matches!(d, "page" | "popup" | "touch" | "wap")
    {
        return Err(invalid("display must be page, popup, touch or wap"));
    }
    let claims_request = match p.get("claims") {
        None => None,
        Some(raw) => match serde_json::from_str::<serde_json::Value>(raw) {
            Ok(v @ serde_json::Value::Object(_)) => Some(v),
            _ => return Err(invalid("claims must be a JSON object")),
        },
    };
    // What the portal demands (its minimum, or the weakest acr value it accepts): a second factor
    // (substantial) or a qualified signature (high) is asked for during the login; decide()
    // refuses when the person has no way to reach it.
    let acr_values = requested_acrs(p.get("acr_values"), claims_request.as_ref());
    let required_acr = required_acr(&client.min_acr, &acr_values).to_string();
    let hint_sub = match p.get("id_token_hint") {
        None => None,
        Some(hint) => Some(
            super::id_token_hint::verify(app, hint, Some(&client.id))
                .and_then(|c| {
                    c.get("sub")
                        .and_then(serde_json::Value::as_str)
                        .map(str::to_owned)
                })
                .ok_or_else(|| invalid("id_token_hint is not an ID token issued here"))?,
        ),
    };
    // What the login transaction keeps for up to `session.login_tx_ttl` is bounded (at most
    // ≈ 13 KB of free text).
    let too_long = MAX_LENGTHS
        .into_iter()
        .find(|(k, max)| p.get(k).is_some_and(|v| v.len() > *max))
        .map(|(k, _)| k);
    if let Some(k) = too_long {
        return Err(invalid(&format!("{k} is too long")));
    }
    let org = org_request(client, scopes_org(&scopes), ogrns, claims_request.as_ref());
    Ok(AuthRequest {
        client_id: client.id.clone(),
        client_name: client.name.clone(),
        redirect_uri: redirect_uri.to_string(),
        state: p.get("state").map(str::to_owned),
        nonce: p.get("nonce").map(str::to_owned),
        code_challenge,
        prompt,
        max_age,
        login_hint: p.get("login_hint").map(str::to_owned),
        lang,
        created_at: app.clock.now(),
        needs_fresh_login: false,
        claims: claims_request,
        acr_values,
        hint_sub,
        sector: client.pairwise_sector.clone(),
        min_level: client.min_level.clone(),
        required_acr,
        protocol: Default::default(),
        org,
        scopes,
    })
}

/// `organization:ogrn=…` scopes become `organization` and the OGRNs the choice is restricted to.
pub(super) fn org_scopes(scopes: Vec<String>) -> (Vec<String>, Vec<String>) {
    let mut ogrns = Vec::new();
    let mut out: Vec<String> = Vec::new();
    for s in scopes {
        match s.strip_prefix(super::claims::ORG_SCOPE_OGRN) {
            Some(ogrn) => {
                ogrns.push(ogrn.to_string());
                if !out.iter().any(|o| o == "organization") {
                    out.push("organization".into());
                }
            }
            None if s == "organization" && out.contains(&s) => {}
            None => out.push(s),
        }
    }
    (out, ogrns)
}

fn scopes_org(scopes: &[String]) -> bool {
    scopes.iter().any(|s| s == "organization")
}

/// What a device or CIBA request asks about organisations (no `claims` request there).
pub(super) fn backchannel_org_request(
    client: &Client,
    scopes: &[String],
    ogrns: Vec<String>,
) -> OrgRequest {
    org_request(client, scopes_org(scopes), ogrns, None)
}

/// What the portal asks about organisations: scope `organization` or a `claims` request for `org`
/// asks; the client's `require_org` or an essential `org` claim requires one.
fn org_request(
    client: &Client,
    scope_asks: bool,
    ogrns: Vec<String>,
    claims: Option<&serde_json::Value>,
) -> OrgRequest {
    let claim: Vec<&serde_json::Value> = ["/id_token/org", "/userinfo/org"]
        .iter()
        .filter_map(|p| claims.and_then(|c| c.pointer(p)))
        .collect();
    let essential = claim.iter().any(|c| c["essential"] == true);
    if !(scope_asks || !claim.is_empty() || client.require_org) {
        return OrgRequest::default();
    }
    OrgRequest::ask(client.require_org || essential, ogrns, vec![])
}

/// The weaker of the known acr values the request accepts, raised to the client's minimum;
/// values we do not know are ignored (OIDC Core §3.1.2.1: acr_values are voluntary).
pub(super) fn required_acr<'a>(client_min: &'a str, acr_values: &'a [String]) -> &'a str {
    let accepted = acr_values
        .iter()
        .filter_map(|a| a.parse::<Acr>().ok())
        .min();
    let floor = client_min.parse::<Acr>().ok();
    match (accepted, floor) {
        (Some(a), Some(f)) => a.max(f),
        (Some(a), None) => a,
        (None, Some(f)) => f,
        (None, None) => Acr::Low,
    }
    .as_str()
}

/// acr values asked for by `acr_values` or by `claims.id_token.acr` (value or values).
pub(super) fn requested_acrs(
    acr_values: Option<&str>,
    claims: Option<&serde_json::Value>,
) -> Vec<String> {
    let mut out: Vec<String> = acr_values
        .unwrap_or("")
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    if let Some(acr) = claims.and_then(|c| c.pointer("/id_token/acr")) {
        if let Some(v) = acr.get("value").and_then(serde_json::Value::as_str) {
            out.push(v.to_string());
        }
        if let Some(list) = acr.get("values").and_then(serde_json::Value::as_array) {
            out.extend(
                list.iter()
                    .filter_map(serde_json::Value::as_str)
                    .map(str::to_owned),
            );
        }
    }
    out
}
