//! Issuing tokens for a grant: access token (JWT, RFC 9068), ID token, rotated refresh token.
//! Also the reverse: validating an access token presented to userinfo.

use super::OidcState;
use super::error::OAuthError;
use super::token_cache::Validated;
use crate::clients::Client;
use crate::clients::subject;
use crate::crypto;
use crate::crypto::keyring::SigningAlg;
use crate::store::grants::GrantRow;
use serde::Serialize;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

#[derive(Debug, Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    pub scope: String,
}

pub struct IssueRequest<'a> {
    pub client: &'a Client,
    pub grant: &'a GrantRow,
    pub nonce: Option<&'a str>,
    /// The refresh token this one replaces (rotation), if any.
    pub parent_refresh: Option<&'a str>,
    /// Thumbprint of the DPoP key the tokens are bound to (RFC 9449), if any.
    pub dpop_jkt: Option<&'a str>,
    /// The grant is new (prepared, not stored): it is stored with its first refresh token in one
    /// transaction once the tokens are made, so no grant is left without tokens.
    pub new_grant: bool,
}

/// Access tokens are always RS256-or-ES256 JWTs signed like the client's ID tokens would be; the
/// resource server is vhod itself (userinfo), so the issuer is the default audience.
pub async fn issue(app: &OidcState, req: IssueRequest<'_>) -> Result<TokenResponse, OAuthError> {
    let now = app.clock.now();
    let cfg = &app.config.tokens;
    let scopes: Vec<String> = req.grant.scopes.split(' ').map(str::to_owned).collect();
    let amr: Vec<String> = serde_json::from_str(&req.grant.amr).unwrap_or_default();
    let org = org_claim(app, req.grant).await?.map_err(|()| {
        OAuthError::invalid_grant("the person is no longer a member of the organisation")
    })?;
    let access = access_token(
        app,
        req.client,
        req.grant,
        &scopes,
        &amr,
        req.dpop_jkt,
        org.as_ref(),
    )?;
    let id_token = if scopes.iter().any(|s| s == "openid") {
        let mut c = Map::new();
        c.insert("iss".into(), app.issuer().into());
        c.insert(
            "sub".into(),
            subject::for_client(app, req.client, &req.grant.account_id).into(),
        );
        c.insert("aud".into(), req.client.id.clone().into());
        c.insert("exp".into(), (now + cfg.id_ttl).into());
        c.insert("iat".into(), now.into());
        c.insert("auth_time".into(), req.grant.auth_time.into());
        if let Some(n) = req.nonce {
            c.insert("nonce".into(), n.into());
        }
        c.insert("acr".into(), req.grant.acr.clone().into());
        c.insert("amr".into(), json!(amr));
        c.insert(
            "at_hash".into(),
            at_hash(req.client.id_token_alg, &access).into(),
        );
        if let Some(sid) = &req.grant.sid {
            c.insert("sid".into(), sid.clone().into());
        }
        if let Some(org) = &org {
            c.insert("org".into(), org.clone());
        }
        let request: Option<Value> = req
            .grant
            .claims
            .as_deref()
            .and_then(|c| serde_json::from_str(c).ok());
        let requested = super::claims::requested_names(request.as_ref(), "id_token");
        if let Some(account) = app.store.account(&req.grant.account_id).await? {
            // The level and how it was reached go in every ID token (REQUIREMENTS §1).
            c.insert("account_level".into(), account.level.clone().into());
            c.insert(
                "account_level_method".into(),
                account.level_method.clone().into(),
            );
            if !requested.is_empty() {
                let ids = app.store.identifiers(&account.id).await?;
                let (docs, addresses) =
                    super::claims_identity::load(&app.store, &account.id, &[], &requested).await?;
                let unverified = super::claims::requested_unverified(request.as_ref(), "id_token");
                let pending = if unverified.is_empty() {
                    vec![]
                } else {
                    app.store.documents_under_check(&account.id).await?
                };
                let person = super::claims::Person {
                    account: &account,
                    ids: &ids,
                    docs: &docs,
                    addresses: &addresses,
                    pending: &pending,
                    unverified: &unverified,
                };
                for (k, v) in super::claims::select(&[], &requested, &person) {
                    c.entry(k).or_insert(v);
                }
            }
        }
        Some(app.keyring.sign(req.client.id_token_alg, "JWT", c)?)
    } else {
        None
    };
    let refresh_token = req
        .client
        .allows_grant("refresh_token")
        .then(crypto::random_token);
    let refresh_hash = refresh_token
        .as_ref()
        .map(|rt| crypto::hash_secret("refresh", rt));
    if req.new_grant {
        let first = refresh_hash.as_deref().map(|h| (h, cfg.refresh_ttl));
        app.store.save_grant(req.grant, first).await?;
    } else if let Some(hash) = &refresh_hash {
        app.store
            .insert_refresh_token(hash, &req.grant.id, req.parent_refresh, cfg.refresh_ttl)
            .await?;
    }
    Ok(TokenResponse {
        access_token: access,
        token_type: token_type(req.dpop_jkt),
        expires_in: cfg.access_ttl,
        refresh_token,
        id_token,
        scope: req.grant.scopes.clone(),
    })
}

fn access_token(
    app: &OidcState,
    client: &Client,
    grant: &GrantRow,
    scopes: &[String],
    amr: &[String],
    dpop_jkt: Option<&str>,
    org: Option<&Value>,
) -> Result<String, OAuthError> {
    let now = app.clock.now();
    let mut c = Map::new();
    c.insert("iss".into(), app.issuer().into());
    c.insert(
        "sub".into(),
        subject::for_client(app, client, &grant.account_id).into(),
    );
    c.insert("aud".into(), app.issuer().into());
    c.insert("client_id".into(), client.id.clone().into());
    c.insert("exp".into(), (now + app.config.tokens.access_ttl).into());
    c.insert("iat".into(), now.into());
    c.insert("jti".into(), crypto::random_token().into());
    c.insert("scope".into(), scopes.join(" ").into());
    c.insert("auth_time".into(), grant.auth_time.into());
    c.insert("acr".into(), grant.acr.clone().into());
    c.insert("amr".into(), json!(amr));
    c.insert("gid".into(), grant.id.clone().into());
    if let Some(org) = org {
        c.insert("org".into(), org.clone());
    }
    if let Some(jkt) = dpop_jkt {
        c.insert("cnf".into(), json!({ "jkt": jkt }));
    }
    Ok(app.keyring.sign(client.id_token_alg, "at+jwt", c)?)
}

/// client_credentials (RFC 6749 §4.4): an access token for the client itself, no refresh token.
pub fn issue_for_client(
    app: &OidcState,
    client: &Client,
    scopes: &[String],
    dpop_jkt: Option<&str>,
) -> Result<TokenResponse, OAuthError> {
    let now = app.clock.now();
    let mut c = Map::new();
    c.insert("iss".into(), app.issuer().into());
    c.insert("sub".into(), client.id.clone().into());
    c.insert("aud".into(), app.issuer().into());
    c.insert("client_id".into(), client.id.clone().into());
    c.insert("exp".into(), (now + app.config.tokens.access_ttl).into());
    c.insert("iat".into(), now.into());
    c.insert("jti".into(), crypto::random_token().into());
    c.insert("scope".into(), scopes.join(" ").into());
    if let Some(jkt) = dpop_jkt {
        c.insert("cnf".into(), json!({ "jkt": jkt }));
    }
    Ok(TokenResponse {
        access_token: app.keyring.sign(client.id_token_alg, "at+jwt", c)?,
        token_type: token_type(dpop_jkt),
        expires_in: app.config.tokens.access_ttl,
        refresh_token: None,
        id_token: None,
        scope: scopes.join(" "),
    })
}

/// The `org` claim of a grant made for an organisation, read fresh: `Ok(None)` for a grant made
/// without one, `Err(())` when the person is no longer a member (issue 14: tokens stop carrying
/// the organisation, and a refresh is refused).
pub async fn org_claim(
    app: &OidcState,
    grant: &GrantRow,
) -> Result<Result<Option<Value>, ()>, crate::store::StoreError> {
    let Some(oid) = grant.org_oid else {
        return Ok(Ok(None));
    };
    Ok(crate::orgs::claim_for(app, &grant.account_id, oid)
        .await?
        .map(Some)
        .ok_or(()))
}

fn token_type(dpop_jkt: Option<&str>) -> &'static str {
    if dpop_jkt.is_some() { "DPoP" } else { "Bearer" }
}

/// A verified access token: its claims and, for tokens issued to a person, the grant.
pub struct ValidAccessToken {
    pub claims: std::sync::Arc<Map<String, Value>>,
    pub grant: Option<std::sync::Arc<GrantRow>>,
}

impl ValidAccessToken {
    pub fn client_id(&self) -> &str {
        self.claims
            .get("client_id")
            .and_then(Value::as_str)
            .unwrap_or("")
    }
}

/// OIDC Core §3.1.3.6: the left half of the hash of the access token, with the hash of the ID
/// token's `alg`: SHA-256 for RS256 and ES256, Streebog-256 for GOST3410_2012_256 and
/// Streebog-512 for GOST3410_2012_512 (the hashes those signatures are made over).
pub fn at_hash(alg: SigningAlg, access_token: &str) -> String {
    let d = match alg {
        SigningAlg::Rs256 | SigningAlg::Es256 => Sha256::digest(access_token.as_bytes()).to_vec(),
        SigningAlg::Gost256 => crypto::gost::streebog256(access_token.as_bytes()).to_vec(),
        SigningAlg::Gost512 => crypto::gost::streebog512(access_token.as_bytes()).to_vec(),
    };
    crypto::b64url(&d[..d.len() / 2])
}

/// Verifies an access token: signature by a published key, type at+jwt, issuer, expiry, not revoked
/// (RFC 7009), and its grant not revoked or its client still registered. Anything else: invalid_token.
/// A token this node validated a moment ago is taken from its cache (`oidc::token_cache`: no
/// revocation committed here since, and at most its window old), expiry and client checked again.
pub async fn validate_access_token(
    app: &OidcState,
    token: &str,
) -> Result<ValidAccessToken, OAuthError> {
    let bad = || OAuthError::invalid_token("the access token is invalid, expired or revoked");
    // Read before the store is asked: a revocation committed after this makes the answer stale.
    let generation = app.store.change_generation();
    let validated = match app.access_tokens.get(token, generation) {
        Some(v) => v,
        None => {
            let v = check_in_store(app, token).await?;
            app.access_tokens.put(token, generation, v.clone());
            v
        }
    };
    if validated.exp <= app.clock.now() {
        return Err(bad());
    }
    // A disabled or removed client's tokens stop working (within the client cache's few seconds on
    // other nodes; at once on the node that disabled it).
    let client_id = validated
        .claims
        .get("client_id")
        .and_then(Value::as_str)
        .ok_or_else(bad)?;
    app.clients
        .find(&app.store, client_id)
        .await?
        .ok_or_else(bad)?;
    Ok(ValidAccessToken {
        claims: validated.claims,
        grant: validated.grant,
    })
}

/// The full check of [`validate_access_token`] but the client and the clock: signature, type,
/// issuer, and the store's word on the token, its key and its grant.
async fn check_in_store(app: &OidcState, token: &str) -> Result<Validated, OAuthError> {
    let bad = || OAuthError::invalid_token("the access token is invalid, expired or revoked");
    let (claims, typ, kid) = app.keyring.verify_with_kid(token).ok_or_else(bad)?;
    if typ.as_deref() != Some("at+jwt")
        || claims.get("iss").and_then(Value::as_str) != Some(app.issuer())
    {
        return Err(bad());
    }
    let exp = claims.get("exp").and_then(Value::as_i64).ok_or_else(bad)?;
    if exp <= app.clock.now() {
        return Err(bad());
    }
    let jti = claims.get("jti").and_then(Value::as_str).ok_or_else(bad)?;
    // The token itself revoked (RFC 7009), or its signing key revoked while this node's keyring may
    // still hold it: one round trip answers both.
    if app.store.is_token_or_key_revoked(jti, &kid).await? {
        return Err(bad());
    }
    let grant = match claims.get("gid").and_then(Value::as_str) {
        Some(gid) => {
            let grant = app.store.grant(gid).await?.ok_or_else(bad)?;
            if grant.revoked_at.is_some() {
                return Err(bad());
            }
            Some(std::sync::Arc::new(grant))
        }
        None => None,
    };
    Ok(Validated {
        claims: std::sync::Arc::new(claims),
        exp,
        grant,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_hash_is_left_half_of_sha256() {
        // OIDC Core A.3 example: access token "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y" → at_hash "77QmUPtjPfzWtF2AnpK9RQ".
        assert_eq!(
            at_hash(
                SigningAlg::Rs256,
                "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"
            ),
            "77QmUPtjPfzWtF2AnpK9RQ"
        );
    }

    #[test]
    fn gost_at_hash_is_left_half_of_streebog_of_the_key_size() {
        let token = "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y";
        let h256 = crypto::gost::streebog256(token.as_bytes());
        let h512 = crypto::gost::streebog512(token.as_bytes());
        assert_eq!(
            at_hash(SigningAlg::Gost256, token),
            crypto::b64url(&h256[..16])
        );
        assert_eq!(
            at_hash(SigningAlg::Gost512, token),
            crypto::b64url(&h512[..32])
        );
        assert_ne!(
            at_hash(SigningAlg::Gost256, token),
            at_hash(SigningAlg::Rs256, token)
        );
    }
}
