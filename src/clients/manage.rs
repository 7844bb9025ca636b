//! Changing a registered client: secret rotation with overlap, redirect URIs, settings, disabling.
//! Every change drops the client from this node's cache once committed; other nodes see it within
//! its few seconds. The `_staged` functions leave the change open for the operator's audit entry
//! (`store/change.rs`): the caller commits both at once.

use super::register::{RegisterError, is_acceptable_redirect_uri};
use super::{ClientCache, find, find_in};
use crate::crypto::{self, keyring::SigningAlg};
use crate::ctx::Ctx;
use crate::store::StoreError;
use crate::store::change::Change;
use crate::types::{Acr, Level};

#[derive(Debug, thiserror::Error)]
pub enum ManageError {
    #[error("no such client")]
    NotFound,
    #[error("the client has no secret to rotate (public or private_key_jwt)")]
    NoSecret,
    #[error(transparent)]
    Register(#[from] RegisterError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A new secret (returned once); the old one keeps working `overlap` seconds so the portal can
/// switch without downtime.
pub async fn rotate_secret_staged<'a>(
    app: &'a Ctx,
    cache: &'a ClientCache,
    id: &str,
    overlap: i64,
) -> Result<(String, Change<'a>), ManageError> {
    let client = find(&app.store, id).await?.ok_or(ManageError::NotFound)?;
    if !client.auth_method.uses_secret() {
        return Err(ManageError::NoSecret);
    }
    let secret = crypto::random_token();
    let mut change = app.store.change().await?;
    if !change
        .rotate_client_secret(id, &crypto::hash_secret("client", &secret), overlap.max(0))
        .await?
    {
        return Err(ManageError::NotFound);
    }
    forget_on_commit(&mut change, cache, id);
    Ok((secret, change))
}

/// Drops the client from this node's cache once the change is committed (not before: a request
/// in between would cache the old row again).
fn forget_on_commit<'a>(change: &mut Change<'a>, cache: &'a ClientCache, id: &str) {
    let id = id.to_string();
    change.after_commit(move || cache.forget(&id));
}

/// [`set_redirect_uris_staged`] committed with no audit entry (a test's fixture).
pub async fn set_redirect_uris(
    app: &Ctx,
    cache: &ClientCache,
    id: &str,
    uris: &[String],
) -> Result<(), ManageError> {
    let change = set_redirect_uris_staged(app, cache, id, uris).await?;
    Ok(change.commit_unaudited().await?)
}

pub async fn set_redirect_uris_staged<'a>(
    app: &'a Ctx,
    cache: &'a ClientCache,
    id: &str,
    uris: &[String],
) -> Result<Change<'a>, ManageError> {
    let mut change = app.store.change().await?;
    set_redirect_uris_in(cache, &mut change, id, uris).await?;
    Ok(change)
}

/// Replaces the redirect URIs within `change` (one of several writes of an operator's action).
pub async fn set_redirect_uris_in<'a>(
    cache: &'a ClientCache,
    change: &mut Change<'a>,
    id: &str,
    uris: &[String],
) -> Result<(), ManageError> {
    let client = find_in(change, id).await?.ok_or(ManageError::NotFound)?;
    if client.allows_grant("authorization_code") && uris.is_empty() {
        return Err(RegisterError::NoRedirectUri.into());
    }
    if let Some(bad) = uris.iter().find(|u| !is_acceptable_redirect_uri(u)) {
        return Err(RegisterError::BadRedirectUri(bad.clone()).into());
    }
    change
        .set_client_redirect_uris(id, &serde_json::to_string(uris).expect("strings serialise"))
        .await?;
    forget_on_commit(change, cache, id);
    Ok(())
}

pub async fn disable_staged<'a>(
    app: &'a Ctx,
    cache: &'a ClientCache,
    id: &str,
) -> Result<Change<'a>, ManageError> {
    let mut change = app.store.change().await?;
    if !change.disable_client(id).await? {
        return Err(ManageError::NotFound);
    }
    forget_on_commit(&mut change, cache, id);
    Ok(change)
}

/// What `vhod clients update` and the admin API may change; `None` keeps the current value.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsChange {
    pub scopes: Option<Vec<String>>,
    pub id_token_alg: Option<String>,
    pub require_par: Option<bool>,
    pub require_dpop: Option<bool>,
    pub min_level: Option<String>,
    pub min_acr: Option<String>,
    /// request_object_signing_alg: none, RS256, PS256, ES256, or "" for the registered keys' own.
    pub request_object_alg: Option<String>,
    /// Replaces the registered request_uri values.
    pub request_uris: Option<Vec<String>>,
    /// A person signs in only on behalf of an organisation.
    pub require_org: Option<bool>,
}

/// [`change_settings_staged`] committed with no audit entry (the console's own client, tests).
pub async fn change_settings(
    app: &Ctx,
    cache: &ClientCache,
    id: &str,
    c: &SettingsChange,
) -> Result<(), ManageError> {
    let change = change_settings_staged(app, cache, id, c).await?;
    Ok(change.commit_unaudited().await?)
}

pub async fn change_settings_staged<'a>(
    app: &'a Ctx,
    cache: &'a ClientCache,
    id: &str,
    c: &SettingsChange,
) -> Result<Change<'a>, ManageError> {
    let mut change = app.store.change().await?;
    change_settings_in(cache, &mut change, id, c).await?;
    Ok(change)
}

/// Changes the settings within `change` (one of several writes of an operator's action).
pub async fn change_settings_in<'a>(
    cache: &'a ClientCache,
    change: &mut Change<'a>,
    id: &str,
    c: &SettingsChange,
) -> Result<(), ManageError> {
    let bad = |m: String| ManageError::Register(RegisterError::BadAuthMethod(m));
    if let Some(a) = &c.id_token_alg
        && SigningAlg::parse(a).is_none()
    {
        return Err(bad(format!("id_token_alg must be {}", SigningAlg::NAMES)));
    }
    if let Some(l) = &c.min_level
        && l.parse::<Level>().is_err()
    {
        return Err(bad(
            "min_level must be simplified, standard or confirmed".into()
        ));
    }
    if let Some(a) = &c.min_acr
        && a.parse::<Acr>().is_err()
    {
        return Err(bad(format!(
            "min_acr must be one of {}",
            crate::authn::ACR_VALUES.join(", ")
        )));
    }
    if c.request_object_alg.is_some() || c.request_uris.is_some() {
        let client = find_in(change, id).await?.ok_or(ManageError::NotFound)?;
        let alg = c.request_object_alg.as_deref().filter(|a| !a.is_empty());
        super::register::check_request_objects(
            client.fapi2,
            alg,
            c.request_uris.as_deref().unwrap_or_default(),
        )
        .map_err(RegisterError::BadRequestObject)?;
    }
    let settings = crate::store::clients::ClientSettings {
        allowed_scopes: c
            .scopes
            .as_ref()
            .map(|s| serde_json::to_string(s).expect("strings serialise")),
        id_token_alg: c.id_token_alg.clone(),
        require_par: c.require_par.map(i64::from),
        require_dpop: c.require_dpop.map(i64::from),
        min_level: c.min_level.clone(),
        min_acr: c.min_acr.clone(),
        require_org: c.require_org.map(i64::from),
        request_object_alg: c.request_object_alg.clone(),
        request_uris: c
            .request_uris
            .as_ref()
            .map(|u| serde_json::to_string(u).expect("strings serialise")),
    };
    if !change.update_client_settings(id, &settings).await? {
        return Err(ManageError::NotFound);
    }
    forget_on_commit(change, cache, id);
    Ok(())
}
