//! `POST /bc-authorize` (OpenID Connect CIBA Core 1.0 §7): a portal (a service centre's desk, a
//! call centre) names a person (login_hint: phone, e-mail or verified SNILS; or id_token_hint) and
//! asks them to approve on their own device. The person is told through the notifier (a link to
//! the approval page) and by a banner on their account's pages; the client polls the token
//! endpoint or is pinged. FAPI-CIBA: private_key_jwt only (checked at registration), signed
//! request objects accepted, no push mode.

use super::OidcState;
use super::client_keys;
use super::device::{scopes, unauthorized_client};
use super::error::OAuthError;
use crate::authn::backchannel::{self, Decision, Kind, PendingGrant, Ping};
use crate::clients::{CIBA_GRANT, CibaMode, Client};
use crate::lang::{Lang, Tr};
use crate::store::audit::AuditEntry;
use crate::types::Contact;
use crate::types::validation::Snils;
use crate::web::params::Params;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// The longest binding_message shown (CIBA Core §7.1: short enough for a phone's screen).
const BINDING_MESSAGE_MAX: usize = 64;

pub async fn bc_authorize(
    State(app): State<OidcState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match handle(&app, &headers, &body).await {
        Ok(v) => {
            let mut res = (StatusCode::OK, Json(v)).into_response();
            res.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            res
        }
        Err(e) => e.into_response(),
    }
}

fn error(code: &'static str, description: impl Into<String>) -> OAuthError {
    OAuthError::new(StatusCode::BAD_REQUEST, code, description)
}

async fn handle(app: &OidcState, headers: &HeaderMap, body: &[u8]) -> Result<Value, OAuthError> {
    let p =
        Params::from_form(headers, body).map_err(|e| OAuthError::invalid_request(e.to_string()))?;
    if let Some(dup) = p.duplicated() {
        return Err(OAuthError::invalid_request(format!(
            "parameter {dup} is given more than once"
        )));
    }
    let client = super::client_auth::authenticate_at(app, headers, &p, "bc-authorize").await?;
    if !client.allows_grant(CIBA_GRANT) {
        return Err(unauthorized_client());
    }
    let p = signed_request(app, &client, &p).await?;
    let (scopes, org) = scopes(&client, p.get("scope"))?;
    if !scopes.iter().any(|s| s == "openid") {
        return Err(error("invalid_scope", "scope must contain openid"));
    }
    let account_id = person(app, &client, &p).await?;
    let binding_message = match p.get("binding_message") {
        Some(m) if m.chars().count() > BINDING_MESSAGE_MAX || m.chars().any(char::is_control) => {
            return Err(error(
                "invalid_binding_message",
                format!(
                    "binding_message must be at most {BINDING_MESSAGE_MAX} printable characters"
                ),
            ));
        }
        m => m.map(str::to_owned),
    };
    let cfg = &app.config.backchannel;
    let expires_in = match p.get("requested_expiry") {
        None => cfg.ciba_expiry,
        Some(v) => match v.parse::<i64>() {
            Ok(n) if n > 0 => n.min(cfg.ciba_max_expiry),
            _ => {
                return Err(OAuthError::invalid_request(
                    "requested_expiry must be a positive number of seconds",
                ));
            }
        },
    };
    let mode = client.ciba_mode.unwrap_or(CibaMode::Poll);
    let notification_token = match (mode, p.get("client_notification_token")) {
        (CibaMode::Ping, None) => {
            return Err(OAuthError::invalid_request(
                "client_notification_token is required in ping mode",
            ));
        }
        (CibaMode::Ping, Some(t)) if t.len() > 1024 => {
            return Err(OAuthError::invalid_request(
                "client_notification_token is too long",
            ));
        }
        (_, t) => t.map(str::to_owned),
    };
    let acr_values = super::authorize_request::requested_acrs(p.get("acr_values"), None);
    let required_acr =
        super::authorize_request::required_acr(&client.min_acr, &acr_values).to_string();
    let lang = Lang::for_message(app.store.account_lang(&account_id).await?);
    let now = app.clock.now();
    let mut grant = PendingGrant {
        kind: Kind::Ciba,
        client_id: client.id.clone(),
        client_name: client.name.clone(),
        scopes: scopes.clone(),
        required_acr,
        min_level: client.min_level.clone(),
        expires_at: now + expires_in,
        interval: cfg.interval,
        decision: Decision::Pending,
        account_id: Some(account_id.clone()),
        binding_message: binding_message.clone(),
        ping: None,
        lang,
        org,
    };
    // The auth_req_id is made first: in ping mode the grant carries it for the ping's body.
    let auth_req_id = crate::crypto::random_token();
    let hash = backchannel::code_hash(&auth_req_id);
    if let (CibaMode::Ping, Some(endpoint), Some(token)) = (
        mode,
        client.ciba_notification_endpoint.clone(),
        notification_token,
    ) {
        grant.ping = Some(Ping {
            endpoint,
            client_notification_token: token,
            auth_req_id: auth_req_id.clone(),
        });
    }
    backchannel::store(app, &hash, &grant).await?;
    let approval = backchannel::bind_approval(app, &hash, &account_id, expires_in).await?;
    notify(
        app,
        &account_id,
        &client,
        binding_message.as_deref(),
        &approval,
        lang,
    )
    .await?;
    app.store
        .append_audit(AuditEntry {
            actor: &client.id,
            action: "ciba.request",
            target: &account_id,
            request_id: &crate::request_id::current(),
            details: json!({ "scope": scopes.join(" "), "mode": mode.name() }),
        })
        .await?;
    Ok(json!({
        "auth_req_id": auth_req_id,
        "expires_in": expires_in,
        "interval": cfg.interval,
    }))
}

/// CIBA Core §7.1.1: a signed authentication request replaces the form's parameters; it must be
/// signed with the client's registered keys, for this issuer, by this client, and be current.
async fn signed_request(
    app: &OidcState,
    client: &Client,
    p: &Params,
) -> Result<Params, OAuthError> {
    let Some(jwt) = p.get("request") else {
        return Ok(p.clone());
    };
    let bad = |d: &str| error("invalid_request", format!("request: {d}"));
    let claims = client_keys::verify_jwt(app, client, jwt)
        .await
        .map_err(|e| bad(&e.to_string()))?;
    let s = |k: &str| claims.get(k).and_then(Value::as_str);
    if s("iss") != Some(client.id.as_str()) {
        return Err(bad("iss must be the client_id"));
    }
    let aud_ok = match claims.get("aud") {
        Some(Value::String(a)) => a == app.issuer(),
        Some(Value::Array(list)) => list.iter().any(|a| a.as_str() == Some(app.issuer())),
        _ => false,
    };
    if !aud_ok {
        return Err(bad("aud must be the issuer"));
    }
    let now = app.clock.now();
    let num = |k: &str| claims.get(k).and_then(Value::as_f64).map(|v| v as i64);
    match (num("exp"), num("iat"), num("nbf"), s("jti")) {
        (Some(exp), Some(_), Some(nbf), Some(jti)) if exp > now && nbf <= now + 60 => {
            let fresh = app
                .cache
                .put_if_absent(
                    &format!("ciba-jti:{}:{jti}", client.id),
                    "1",
                    exp - now + 60,
                )
                .await?;
            if !fresh {
                return Err(bad("jti was used before"));
            }
        }
        _ => {
            return Err(bad(
                "exp, iat, nbf and jti are required and must be current",
            ));
        }
    }
    let overrides = claims
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "iss" | "aud" | "exp" | "iat" | "nbf" | "jti"))
        .map(|(k, v)| {
            let text = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (k.clone(), text)
        })
        .collect();
    Ok(p.without(&["request"]).overridden_by(overrides))
}

/// The person the request names: exactly one hint (CIBA Core §7.1); unknown → unknown_user_id.
async fn person(app: &OidcState, client: &Client, p: &Params) -> Result<String, OAuthError> {
    let hints = ["login_hint", "id_token_hint", "login_hint_token"];
    let given: Vec<&str> = hints.into_iter().filter(|h| p.get(h).is_some()).collect();
    let unknown = || error("unknown_user_id", "the hint does not identify a person");
    match given.as_slice() {
        ["login_hint"] => {
            let hint = p.get("login_hint").unwrap_or("").trim();
            if let Ok(contact) = Contact::parse(hint)
                && let Some((account, _)) = app
                    .store
                    .find_login(contact.kind(), contact.value())
                    .await?
            {
                return Ok(account.id.to_string());
            }
            if let Ok(snils) = hint.parse::<Snils>()
                && let Some(id) = app.store.snils_holder(snils.as_str()).await?
            {
                return Ok(id);
            }
            Err(unknown())
        }
        ["id_token_hint"] => {
            let claims = super::id_token_hint::verify(
                app,
                p.get("id_token_hint").unwrap_or(""),
                Some(&client.id),
            )
            .ok_or_else(unknown)?;
            // Public subjects are the account id; a pairwise one cannot be turned back into it.
            let sub = claims
                .get("sub")
                .and_then(Value::as_str)
                .ok_or_else(unknown)?;
            if client.pairwise_sector.is_some() {
                return Err(unknown());
            }
            match app.store.account(sub).await? {
                Some(a) => Ok(a.id.to_string()),
                None => Err(unknown()),
            }
        }
        ["login_hint_token"] => Err(OAuthError::invalid_request(
            "login_hint_token is not supported; use login_hint or id_token_hint",
        )),
        _ => Err(OAuthError::invalid_request(
            "exactly one of login_hint, id_token_hint and login_hint_token is required",
        )),
    }
}

/// Tells the person: a link to the approval page, to their phone (else e-mail), through the
/// notifier's generic send (whatever channels it has).
async fn notify(
    app: &OidcState,
    account_id: &str,
    client: &Client,
    binding_message: Option<&str>,
    approval: &str,
    lang: Lang,
) -> Result<(), OAuthError> {
    let ids = app.store.identifiers(account_id).await?;
    let contact = ["phone", "email"].into_iter().find_map(|kind| {
        ids.iter()
            .filter(|i| i.kind == kind && i.verified_at.is_some())
            .find_map(|i| Contact::parse(&i.value).ok())
    });
    let Some(contact) = contact else {
        tracing::info!(account = %account_id, "CIBA request: no verified contact; the banner alone tells");
        return Ok(());
    };
    let t = Tr::new(lang);
    let link = format!("{}/ciba?id={approval}", app.issuer());
    let body = t.f(
        "ciba.notify_body",
        &[
            ("portal", client.name.as_str().into()),
            ("message", binding_message.unwrap_or("—").into()),
            ("link", link.as_str().into()),
        ],
    );
    app.notifier
        .send(&contact, &t.s("ciba.notify_subject"), &body)
        .await?;
    Ok(())
}

/// Ping mode (CIBA Core §10.2): POST `{auth_req_id}` to the client's notification endpoint with
/// its client_notification_token, through the outbound guard. A failed ping is logged; the client
/// can still poll.
pub async fn ping(app: &OidcState, ping: &Ping) {
    let result = app
        .outbound
        .post_json_bearer(
            &ping.endpoint,
            &json!({ "auth_req_id": ping.auth_req_id }),
            &ping.client_notification_token,
        )
        .await;
    match result {
        Ok(()) => tracing::info!("CIBA ping delivered"),
        Err(e) => tracing::warn!(error = %e, "CIBA ping not delivered"),
    }
}
