//! The pending authorization request while the person authenticates (a login transaction, kept
//! in the cache under `tx:<id>` for `session.login_tx_ttl`), and what an authorization code stands
//! for until it is redeemed. Domain state shared by the protocol surfaces and the login pages.

use crate::cache::CacheError;
use crate::crypto;
use crate::ctx::Ctx;
use crate::lang::Lang;
use crate::store::sessions::SessionRow;
use crate::types::{AccountId, ClientId};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuthRequest {
    pub client_id: ClientId,
    pub client_name: String,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub prompt: Vec<String>,
    pub max_age: Option<i64>,
    pub login_hint: Option<String>,
    pub lang: Lang,
    pub created_at: i64,
    /// prompt=login or an exceeded max_age: only a login after `created_at` will do.
    pub needs_fresh_login: bool,
    /// The OIDC `claims` request (JSON object), if any.
    #[serde(default)]
    pub claims: Option<serde_json::Value>,
    #[serde(default)]
    pub acr_values: Vec<String>,
    /// `sub` of a valid id_token_hint: the session must belong to this person.
    #[serde(default)]
    pub hint_sub: Option<String>,
    /// The client's pairwise sector, to compare id_token_hint subjects.
    #[serde(default)]
    pub sector: Option<String>,
    /// The account level the portal requires.
    #[serde(default)]
    pub min_level: String,
    /// The authentication assurance the portal requires (empty: low).
    #[serde(default)]
    pub required_acr: String,
    /// The protocol the request came by: the continuation after login and consent answers in it.
    #[serde(default)]
    pub protocol: Protocol,
    /// Whether the portal asked for an organisation, and the person's choice
    /// ([`super::org_choice`]).
    #[serde(default)]
    pub org: super::org_choice::OrgRequest,
}

/// The protocol surface a pending request belongs to. The login pages and the policy
/// ([`super::authorization::decide`]) are the same for all; only the request's parsing and the
/// answer (code and redirect) differ.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Protocol {
    #[default]
    Oidc,
    /// ESIA's `/aas/oauth2/v2/ac`; `offline` = access_type=offline (a refresh token is issued).
    Esia { offline: bool },
    /// The device grant's page (RFC 8628): approving the device behind `user_code`.
    Device { user_code: String },
    /// A CIBA request's approval page, reached by the link `approval`.
    Ciba { approval: String },
}

impl Protocol {
    /// Where the browser goes back to after a login step, to continue the request `tx`.
    pub fn continue_url(&self, tx: &str) -> String {
        match self {
            Protocol::Oidc => format!("/authorize/continue?tx={tx}"),
            Protocol::Esia { .. } => format!("/aas/oauth2/v2/ac/continue?tx={tx}"),
            Protocol::Device { .. } => format!("/device/continue?tx={tx}"),
            Protocol::Ciba { .. } => format!("/ciba/continue?tx={tx}"),
        }
    }
}

/// What an authorization code stands for until it is redeemed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CodeData {
    pub client_id: ClientId,
    pub redirect_uri: String,
    pub account_id: AccountId,
    pub scopes: Vec<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub auth_time: i64,
    pub acr: String,
    pub amr: Vec<String>,
    pub expires_at: i64,
    #[serde(default)]
    pub claims: Option<serde_json::Value>,
    #[serde(default)]
    pub sid: Option<String>,
    /// The organisation the person signs in for (the grant and its tokens carry it).
    #[serde(default)]
    pub org_oid: Option<i64>,
}

pub fn code_key(code: &str) -> String {
    format!("code:{}", crypto::sha256_b64(code))
}

pub fn code_used_key(code: &str) -> String {
    format!("code-used:{}", crypto::sha256_b64(code))
}

fn tx_key(id: &str) -> String {
    format!("tx:{id}")
}

pub async fn load_tx(app: &Ctx, id: &str) -> Result<Option<AuthRequest>, CacheError> {
    if id.is_empty() || id.len() > 64 {
        return Ok(None);
    }
    app.cache.get_json(&tx_key(id)).await
}

pub async fn save_tx(app: &Ctx, req: &AuthRequest) -> Result<String, CacheError> {
    let id = crypto::random_token();
    app.cache
        .put_json(&tx_key(&id), req, app.config.session.login_tx_ttl)
        .await?;
    Ok(id)
}

/// The person switched the interface language while signing in: the rest of the request's pages
/// (second factor, consent, its errors) are shown in `lang`. Unknown ids are ignored.
pub async fn set_lang(app: &Ctx, id: &str, lang: Lang) -> Result<(), CacheError> {
    if let Some(mut req) = load_tx(app, id).await? {
        req.lang = lang;
        app.cache
            .put_json(&tx_key(id), &req, app.config.session.login_tx_ttl)
            .await?;
    }
    Ok(())
}

/// Writes the pending request `id` back after a step changed it (the organisation choice).
pub async fn update_tx(app: &Ctx, id: &str, req: &AuthRequest) -> Result<(), CacheError> {
    app.cache
        .put_json(&tx_key(id), req, app.config.session.login_tx_ttl)
        .await
}

/// Ends a pending request (the person finished or abandoned it).
pub async fn delete_tx(ctx: &Ctx, id: &str) -> Result<(), CacheError> {
    ctx.cache.delete(&tx_key(id)).await
}

/// Takes the pending request out of the cache (single use), for the consent decision.
pub async fn take_tx(app: &Ctx, id: &str) -> Result<Option<AuthRequest>, CacheError> {
    if id.is_empty() || id.len() > 64 {
        return Ok(None);
    }
    app.cache.take_json(&tx_key(id)).await
}

/// Stores what a new authorization code stands for (single use, `tokens.code_ttl`) and returns
/// the code.
pub async fn store_code(
    ctx: &Ctx,
    req: &AuthRequest,
    session: &SessionRow,
) -> Result<String, CacheError> {
    let code = crypto::random_token();
    let ttl = ctx.config.tokens.code_ttl;
    let data = CodeData {
        client_id: req.client_id.clone(),
        redirect_uri: req.redirect_uri.clone(),
        account_id: AccountId::new(session.account_id.clone()),
        scopes: req.scopes.clone(),
        nonce: req.nonce.clone(),
        code_challenge: req.code_challenge.clone(),
        auth_time: session.auth_time,
        acr: session.acr.clone(),
        amr: super::session::amr_of(session),
        expires_at: ctx.clock.now() + ttl,
        claims: req.claims.clone(),
        sid: Some(super::session::sid_of(session)),
        org_oid: req.org.chosen_org(&session.account_id),
    };
    ctx.cache.put_json(&code_key(&code), &data, ttl + 5).await?;
    Ok(code)
}

#[cfg(test)]
#[path = "login_tx/compat_tests.rs"]
mod compat_tests;
