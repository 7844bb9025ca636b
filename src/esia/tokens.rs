//! ESIA's codes and tokens. A code (single use, `tokens.code_ttl`) is kept in the shared cache;
//! redeeming it makes a grant (the same grants as OpenID's, so withdrawing a permission or
//! deleting the account ends them) and, for access_type=offline, a refresh token (stored hashed,
//! single use, rotated). Tokens have ESIA's shape: header `{"ver":1,"typ":"JWT","sbt":…,"alg":…}`
//! without `kid`, claims with ESIA's names.

use super::errors::EsiaError;
use crate::authn::login_tx::AuthRequest;
use crate::cache::CacheError;
use crate::clients::Client;
use crate::crypto::{self, keyring::SigningAlg};
use crate::ctx::Ctx;
use crate::store::StoreError;
use crate::store::grants::{GrantRow, NewGrant};
use crate::store::sessions::SessionRow;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

/// What an ESIA authorization code stands for.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EsiaCode {
    pub client_id: String,
    pub redirect_uri: String,
    pub account_id: String,
    pub scopes: Vec<String>,
    pub code_challenge: Option<String>,
    pub auth_time: i64,
    pub acr: String,
    pub amr: Vec<String>,
    pub sid: String,
    pub offline: bool,
    pub expires_at: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error(transparent)]
    Esia(#[from] EsiaError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Cache(#[from] CacheError),
    #[error("signing: {0}")]
    Sign(String),
}

fn code_key(code: &str) -> String {
    format!("esia-code:{}", crypto::sha256_b64(code))
}

/// Stores what a new code stands for and returns the code.
pub async fn store_code(
    ctx: &Ctx,
    req: &AuthRequest,
    session: &SessionRow,
    offline: bool,
) -> Result<String, CacheError> {
    let code = crypto::random_token();
    let ttl = ctx.config.tokens.code_ttl;
    let data = EsiaCode {
        client_id: req.client_id.to_string(),
        redirect_uri: req.redirect_uri.clone(),
        account_id: session.account_id.to_string(),
        scopes: req.scopes.clone(),
        code_challenge: req.code_challenge.clone(),
        auth_time: session.auth_time,
        acr: session.acr.clone(),
        amr: crate::authn::session::amr_of(session),
        sid: crate::authn::session::sid_of(session),
        offline,
        expires_at: ctx.clock.now() + ttl,
    };
    ctx.cache.put_json(&code_key(&code), &data, ttl + 5).await?;
    Ok(code)
}

/// Takes the code (single use): None when unknown, used, or expired.
pub async fn take_code(ctx: &Ctx, code: &str) -> Result<Option<EsiaCode>, CacheError> {
    if code.is_empty() || code.len() > 128 {
        return Ok(None);
    }
    let data: Option<EsiaCode> = ctx.cache.take_json(&code_key(code)).await?;
    Ok(data.filter(|c| c.expires_at > ctx.clock.now()))
}

/// The one place that picks the algorithm of a client's ESIA tokens (ESIA signs with
/// GOST3410_2012_256; RS256 is selectable per client).
pub fn alg_for(client: &Client) -> SigningAlg {
    client.id_token_alg
}

fn sign(
    ctx: &Ctx,
    client: &Client,
    sbt: &str,
    claims: Map<String, Value>,
) -> Result<String, TokenError> {
    let mut header = Map::new();
    header.insert("ver".into(), json!(1));
    header.insert("typ".into(), json!("JWT"));
    header.insert("sbt".into(), json!(sbt));
    ctx.keyring
        .sign_with_header(alg_for(client), header, claims)
        .map_err(|e| TokenError::Sign(e.to_string()))
}

/// ESIA's authentication method (`urn:esia:amd`, `amr`) from the session's amr values.
pub fn amd(amr: &[String]) -> &'static str {
    let has = |v: &str| amr.iter().any(|a| a == v);
    // A qualified signature (sc + pin) is ESIA's DS; a second factor names itself.
    if has("sc") || has("qes") {
        "DS"
    } else if has("sms") {
        "SMS"
    } else if has("otp") {
        "TOTP"
    } else {
        "PWD"
    }
}

/// The token endpoint's answer.
#[derive(Debug, Serialize)]
pub struct Issued {
    pub access_token: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    pub expires_in: i64,
    pub state: String,
    pub token_type: &'static str,
}

/// Makes the grant for a redeemed code; a grant for an organisation (`org_*?org_oid=N`) is
/// that organisation's, so withdrawing the portal on the organisation's page ends it.
pub async fn grant_for_code(ctx: &Ctx, code: &EsiaCode) -> Result<GrantRow, StoreError> {
    let amr = serde_json::to_string(&code.amr).expect("strings serialise");
    let org = code
        .scopes
        .iter()
        .find_map(|s| super::scopes::org_item_oid(s));
    ctx.store
        .create_grant_for_org(
            NewGrant {
                account_id: &code.account_id,
                client_id: &code.client_id,
                scopes: &code.scopes.join(" "),
                acr: &code.acr,
                amr: &amr,
                auth_time: code.auth_time,
                claims: None,
                sid: Some(&code.sid),
                dpop_jkt: None,
            },
            org,
        )
        .await
}

fn refresh_hash(rt: &str) -> String {
    crypto::hash_secret("esia-refresh", rt)
}

/// Tokens for a person's grant; a refresh token when `offline` (rotating `parent`).
pub async fn issue_for_grant(
    ctx: &Ctx,
    client: &Client,
    grant: &GrantRow,
    offline: bool,
    parent: Option<&str>,
    state: &str,
) -> Result<Issued, TokenError> {
    let now = ctx.clock.now();
    let ttl = ctx.config.tokens.access_ttl;
    let oid = ctx.store.person_oid(&grant.account_id).await?;
    let scopes: Vec<String> = grant.scopes.split(' ').map(str::to_owned).collect();
    let sid = grant.sid.clone().unwrap_or_default();
    let amr: Vec<String> = serde_json::from_str(&grant.amr).unwrap_or_default();
    let mut at = Map::new();
    at.insert("nbf".into(), json!(now));
    at.insert(
        "scope".into(),
        json!(super::scopes::token_scope(&scopes, oid)),
    );
    at.insert("iss".into(), json!(ctx.issuer()));
    at.insert("urn:esia:sid".into(), json!(sid));
    at.insert("urn:esia:sbj_id".into(), json!(oid));
    at.insert("exp".into(), json!(now + ttl));
    at.insert("iat".into(), json!(now));
    at.insert("client_id".into(), json!(client.id.to_string()));
    let access_token = sign(ctx, client, "access", at)?;
    let confirmed = ctx
        .store
        .account(&grant.account_id)
        .await?
        .is_some_and(|a| a.level == "confirmed");
    let mut sbj = Map::new();
    sbj.insert("urn:esia:sbj:typ".into(), json!("P"));
    if confirmed {
        sbj.insert("urn:esia:sbj:is_tru".into(), json!(true));
    }
    sbj.insert("urn:esia:sbj:oid".into(), json!(oid));
    sbj.insert("urn:esia:sbj:nam".into(), json!(format!("OID.{oid}")));
    let mut id = Map::new();
    id.insert("auth_time".into(), json!(grant.auth_time));
    id.insert("exp".into(), json!(now + ctx.config.tokens.id_ttl));
    id.insert("sub".into(), json!(oid));
    id.insert("aud".into(), json!(client.id.to_string()));
    id.insert("iss".into(), json!(ctx.issuer()));
    id.insert("nbf".into(), json!(now));
    id.insert("urn:esia:amd".into(), json!(amd(&amr)));
    id.insert("urn:esia:sid".into(), json!(sid));
    id.insert("urn:esia:sbj".into(), Value::Object(sbj));
    id.insert("amr".into(), json!(amd(&amr)));
    id.insert("iat".into(), json!(now));
    let id_token = scopes
        .iter()
        .any(|s| s == "openid")
        .then(|| sign(ctx, client, "id", id))
        .transpose()?;
    let refresh_token = if offline {
        let rt = crypto::random_token();
        ctx.store
            .insert_refresh_token(
                &refresh_hash(&rt),
                &grant.id,
                parent,
                ctx.config.tokens.refresh_ttl,
            )
            .await?;
        Some(rt)
    } else {
        None
    };
    Ok(Issued {
        access_token,
        id_token,
        refresh_token,
        expires_in: ttl,
        state: state.to_string(),
        token_type: "Bearer",
    })
}

/// Redeems a refresh token of `client` (single use): the grant it belongs to, and its hash to
/// chain the new one to. A reused token revokes the grant (RFC 9700 §4.14.2).
pub async fn take_refresh(
    ctx: &Ctx,
    client: &Client,
    refresh_token: &str,
) -> Result<(GrantRow, String), TokenError> {
    if refresh_token.is_empty() || refresh_token.len() > 128 {
        return Err(EsiaError::InvalidGrant.into());
    }
    let hash = refresh_hash(refresh_token);
    let row = match ctx.store.take_refresh_token(&hash).await? {
        Ok(row) => row,
        Err(Some(used)) => {
            if let Some(g) = ctx.store.grant(&used.grant_id).await?
                && g.client_id == client.id.as_str()
            {
                ctx.store
                    .revoke_grant(&g.id, "esia refresh token reused")
                    .await?;
                tracing::warn!(client = %client.id, "ESIA refresh token reused: grant revoked");
            }
            return Err(EsiaError::InvalidGrant.into());
        }
        Err(None) => return Err(EsiaError::InvalidGrant.into()),
    };
    let grant = ctx
        .store
        .grant(&row.grant_id)
        .await?
        .filter(|g| g.revoked_at.is_none() && g.client_id == client.id.as_str())
        .ok_or(EsiaError::InvalidGrant)?;
    if row.expires_at <= ctx.clock.now() {
        return Err(EsiaError::InvalidGrant.into());
    }
    Ok((grant, hash))
}

/// client_credentials: an access token for the client itself with organisation scopes.
pub fn issue_for_client(
    ctx: &Ctx,
    client: &Client,
    scope_items: &[String],
    state: &str,
) -> Result<Issued, TokenError> {
    let now = ctx.clock.now();
    let ttl = ctx.config.tokens.access_ttl;
    let mut at = Map::new();
    at.insert("nbf".into(), json!(now));
    at.insert("scope".into(), json!(scope_items.join(" ")));
    at.insert("iss".into(), json!(ctx.issuer()));
    at.insert("exp".into(), json!(now + ttl));
    at.insert("iat".into(), json!(now));
    at.insert("client_id".into(), json!(client.id.to_string()));
    Ok(Issued {
        access_token: sign(ctx, client, "access", at)?,
        id_token: None,
        refresh_token: None,
        expires_in: ttl,
        state: state.to_string(),
        token_type: "Bearer",
    })
}

#[cfg(test)]
mod compat_tests {
    //! An ESIA authorization code between `/aas/oauth2/v2/ac` and the token endpoint, which any
    //! node of either build may serve (`crate::cache::compat`).

    use super::*;
    use crate::cache::compat::reads_across_releases;

    const CODE: &str = r#"{"client_id":"MOS_PGU","redirect_uri":"https://pgu.mos.example.ru/esia/return","account_id":"0190f3a2-7c41-7d2e-9b1a-4f6e8d2c1a07","scopes":["openid","fullname","birthdate","snils"],"code_challenge":null,"auth_time":1780000000,"acr":"urn:vhod:acr:substantial","amr":["pwd","sms"],"sid":"s-3f9c1e","offline":true,"expires_at":1780000060}"#;

    #[test]
    fn an_esia_code_reads_across_releases() {
        let code: EsiaCode = reads_across_releases(CODE);
        assert_eq!(code.client_id, "MOS_PGU");
        assert_eq!(code.scopes, ["openid", "fullname", "birthdate", "snils"]);
        assert_eq!(code.amr, ["pwd", "sms"]);
        assert!(code.offline);
        assert_eq!(code.code_challenge, None);
        assert_eq!(code.expires_at, 1_780_000_060);
    }
}
