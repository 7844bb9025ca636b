//! Who calls the admin API: a bootstrap token from the CLI (hashed, expiring), or an access token
//! vhod issued to its admin console client for an administrator, whose roles and acr are checked.

use super::problem::Problem;
use super::{Op, Role};
use crate::crypto;
use crate::oidc::OidcState;
use crate::types::Acr;
use axum::http::{HeaderMap, StatusCode, header};

/// The client id of the admin console; its access tokens carry an administrator's session.
pub const CONSOLE_CLIENT: &str = "vhod-admin-console";

pub struct Caller {
    /// For the audit log: `bootstrap:<label>` or `admin:<account id>`.
    pub actor: String,
    roles: Vec<String>,
    /// None for bootstrap tokens (no person authenticated; the token itself is the credential).
    acr: Option<String>,
}

pub async fn authenticate(app: &OidcState, headers: &HeaderMap) -> Result<Caller, Problem> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| {
            Problem::new(
                StatusCode::UNAUTHORIZED,
                "Unauthorized",
                "a bearer token is required",
            )
        })?;
    authenticate_token(app, token).await
}

/// The same check for a token that came another way (the console keeps it in a cookie).
pub async fn authenticate_token(app: &OidcState, token: &str) -> Result<Caller, Problem> {
    let unauthorized = |d: &str| Problem::new(StatusCode::UNAUTHORIZED, "Unauthorized", d);
    if token.contains('.') {
        let valid = crate::oidc::tokens::validate_access_token(app, token)
            .await
            .map_err(|_| unauthorized("the access token is invalid, expired or revoked"))?;
        if valid.client_id() != CONSOLE_CLIENT {
            return Err(unauthorized(
                "the access token was not issued to the admin console",
            ));
        }
        let grant = valid
            .grant
            .ok_or_else(|| unauthorized("the access token has no administrator"))?;
        let roles = app.store.roles_of(&grant.account_id).await?;
        return Ok(Caller {
            actor: format!("admin:{}", grant.account_id),
            roles,
            acr: Some(grant.acr.clone()),
        });
    }
    let (roles, label) = app
        .store
        .admin_token(&crypto::hash_secret("admin-token", token))
        .await?
        .ok_or_else(|| unauthorized("the bootstrap token is unknown or expired"))?;
    let roles: Vec<String> = serde_json::from_str(&roles).unwrap_or_default();
    Ok(Caller {
        actor: format!("bootstrap:{label}"),
        roles,
        acr: None,
    })
}

impl Caller {
    /// The assurance of the administrator's login; None for bootstrap tokens.
    pub fn acr(&self) -> Option<&str> {
        self.acr.as_deref()
    }

    pub fn has(&self, role: Role) -> bool {
        self.roles.iter().any(|r| r == role.name())
    }

    /// The operation's role, and for people its minimum acr.
    pub fn require(&self, op: &Op) -> Result<(), Problem> {
        if !self.has(op.role) {
            return Err(Problem::new(
                StatusCode::FORBIDDEN,
                "Forbidden",
                format!("the {} role is required", op.role.name()),
            ));
        }
        if let Some(acr) = &self.acr {
            let enough = acr
                .parse::<Acr>()
                .ok()
                .zip(op.min_acr.parse::<Acr>().ok())
                .is_some_and(|(have, need)| have >= need);
            if !enough {
                return Err(Problem::new(
                    StatusCode::FORBIDDEN,
                    "Insufficient authentication",
                    format!("this operation needs acr {} or stronger", op.min_acr),
                ));
            }
        }
        Ok(())
    }
}

/// Issues a bootstrap token (shown once) for `roles`, valid `ttl` seconds, with no audit entry
/// (tests' fixtures; `vhod admin bootstrap-token` uses [`issue_bootstrap_token_staged`]).
pub async fn issue_bootstrap_token(
    app: &crate::ctx::Ctx,
    roles: &[Role],
    label: &str,
    ttl: i64,
) -> Result<(String, i64), crate::store::StoreError> {
    let (token, expires, change) = issue_bootstrap_token_staged(app, roles, label, ttl).await?;
    change.commit_unaudited().await?;
    Ok((token, expires))
}

/// [`issue_bootstrap_token`] written in a change the caller commits with its audit entry.
pub async fn issue_bootstrap_token_staged<'a>(
    app: &'a crate::ctx::Ctx,
    roles: &[Role],
    label: &str,
    ttl: i64,
) -> Result<(String, i64, crate::store::change::Change<'a>), crate::store::StoreError> {
    let token = format!("vba_{}", crypto::random_token());
    let names: Vec<&str> = roles.iter().map(|r| r.name()).collect();
    let mut change = app.store.change().await?;
    let expires = change
        .insert_admin_token(
            &crypto::hash_secret("admin-token", &token),
            &serde_json::to_string(&names).expect("serialises"),
            label,
            ttl,
        )
        .await?;
    Ok((token, expires, change))
}
