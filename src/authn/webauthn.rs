//! WebAuthn passkeys (webauthn-rs): enrolment from the settings page and passwordless sign-in with
//! discoverable credentials. User verification is always required, so a passkey sign-in is two
//! factors in one gesture (possession + biometrics/PIN): acr substantial, amr ["hwk", "user"].
//!
//! Ceremony state lives in the cache (Redis when several nodes run) under a random id, taken
//! exactly once: any node can finish a ceremony, and a replayed or expired one is refused.
//!
//! Signature counters: webauthn-rs refuses an assertion whose counter is not above the stored one
//! (when either is non-zero). We treat that as a possibly cloned authenticator: the sign-in is
//! refused and the passkey is flagged; a flagged passkey is refused from then on and the settings
//! page tells the person to remove it and enrol again. Authenticators that always report 0
//! (synced passkeys) are accepted, as the WebAuthn specification allows.

use crate::cache::CacheError;
use crate::ctx::Ctx;
use crate::store::StoreError;
use crate::store::passkeys::{NewPasskey, PasskeyRow};
use crate::types::AccountId;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use webauthn_rs::prelude::*;

/// How long a started ceremony may be finished (also the timeout the browser is given).
pub const CEREMONY_SECS: i64 = 300;
/// Enrolling a passkey needs a login at most this old (REQUIREMENTS §3: "enrolment requires a fresh login").
pub const FRESH_LOGIN_SECS: i64 = 300;
pub const ACR: &str = super::ACR_SUBSTANTIAL;
pub const AMR: [&str; 2] = ["hwk", "user"];
const MAX_NAME_CHARS: usize = 60;

#[derive(Debug, thiserror::Error)]
pub enum PasskeyError {
    #[error("the ceremony is unknown, expired or already finished")]
    CeremonyExpired,
    #[error("passkeys need an issuer with a host name, not an IP address")]
    Unavailable,
    #[error("the login is too old to enrol a passkey")]
    LoginTooOld,
    #[error("the authenticator response was not accepted: {0}")]
    Rejected(String),
    #[error("no such passkey")]
    UnknownPasskey,
    #[error("the passkey is already registered")]
    AlreadyRegistered,
    #[error("the signature counter went backwards: possibly a cloned authenticator")]
    PossibleClone,
    #[error("the passkey was flagged as possibly cloned")]
    Flagged,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Cache(#[from] CacheError),
}

/// Relying party = the issuer: rp id is its host name, the only allowed origin is its origin.
/// An issuer whose host is an IP address cannot be a WebAuthn rp id (browsers refuse it): then
/// there is no relying party, one warning is logged, and passkeys are unavailable.
pub fn build(issuer: &str, rp_name: &str) -> anyhow::Result<Option<Webauthn>> {
    let url = Url::parse(issuer).map_err(|e| anyhow::anyhow!("server.issuer {issuer}: {e}"))?;
    let host = match url.host() {
        Some(url::Host::Domain(d)) => d.to_string(),
        Some(url::Host::Ipv4(_) | url::Host::Ipv6(_)) => {
            tracing::warn!(
                issuer,
                "passkeys need a host name in server.issuer (an IP address cannot be a WebAuthn relying party id); passkeys are off"
            );
            return Ok(None);
        }
        None => anyhow::bail!("server.issuer {issuer} has no host"),
    };
    let origin = Url::parse(&url.origin().ascii_serialization())?;
    WebauthnBuilder::new(&host, &origin)
        .map_err(|e| anyhow::anyhow!("WebAuthn relying party {host} / {origin}: {e}"))?
        .rp_name(rp_name)
        .timeout(std::time::Duration::from_secs(CEREMONY_SECS as u64))
        .build()
        .map(Some)
        .map_err(|e| anyhow::anyhow!("WebAuthn relying party {host}: {e}"))
}

/// The relying party, or `Unavailable` when the issuer has no host name.
fn rp(app: &Ctx) -> Result<&Webauthn, PasskeyError> {
    app.webauthn.as_deref().ok_or(PasskeyError::Unavailable)
}

#[derive(Serialize, Deserialize)]
struct Enrolment {
    account_id: AccountId,
    user_handle: Uuid,
    expires_at: i64,
    state: PasskeyRegistration,
}

#[derive(Serialize, Deserialize)]
struct SignIn {
    expires_at: i64,
    state: DiscoverableAuthentication,
}

fn key(kind: &str, ceremony: &str) -> String {
    format!("webauthn:{kind}:{ceremony}")
}

/// Takes a ceremony's state once; a second take (replay) or a late one finds nothing.
async fn take_ceremony<T: serde::de::DeserializeOwned>(
    app: &Ctx,
    kind: &str,
    ceremony: &str,
    expires_at: impl Fn(&T) -> i64,
) -> Result<T, PasskeyError> {
    if ceremony.is_empty() || ceremony.len() > 64 {
        return Err(PasskeyError::CeremonyExpired);
    }
    match app.cache.take_json::<T>(&key(kind, ceremony)).await? {
        Some(s) if expires_at(&s) > app.clock.now() => Ok(s),
        _ => Err(PasskeyError::CeremonyExpired),
    }
}

pub fn is_fresh_login(app: &Ctx, auth_time: i64) -> bool {
    app.clock.now() - auth_time <= FRESH_LOGIN_SECS
}

/// Starts enrolment for a signed-in person; returns (ceremony id, options for
/// `navigator.credentials.create`, as JSON).
pub async fn start_enrolment(
    app: &Ctx,
    account_id: &AccountId,
    auth_time: i64,
    user_name: &str,
    display_name: &str,
) -> Result<(String, serde_json::Value), PasskeyError> {
    if !is_fresh_login(app, auth_time) {
        return Err(PasskeyError::LoginTooOld);
    }
    let user_handle = match app.store.passkey_user_handle(account_id).await? {
        Some(h) => Uuid::parse_str(&h).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        None => Uuid::new_v4(),
    };
    let mut exclude = vec![];
    for row in app.store.passkeys_of(account_id).await? {
        exclude.push(CredentialID::from(
            URL_SAFE_NO_PAD
                .decode(&row.cred_id)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        ));
    }
    let (options, state) = rp(app)?
        .start_passkey_registration(user_handle, user_name, display_name, Some(exclude))
        .map_err(|e| PasskeyError::Rejected(e.to_string()))?;
    let mut options = serde_json::to_value(options).expect("options serialise");
    // Sign-in is passwordless and starts without a login name, so the key must be discoverable
    // (resident) on the authenticator; webauthn-rs' passkey defaults only "discourage" it.
    if let Some(sel) = options.pointer_mut("/publicKey/authenticatorSelection") {
        sel["residentKey"] = "required".into();
        sel["requireResidentKey"] = true.into();
    }
    let ceremony = crate::crypto::random_token();
    let enrolment = Enrolment {
        account_id: account_id.clone(),
        user_handle,
        expires_at: app.clock.now() + CEREMONY_SECS,
        state,
    };
    app.cache
        .put_json(&key("enrol", &ceremony), &enrolment, CEREMONY_SECS)
        .await?;
    Ok((ceremony, options))
}

/// Finishes enrolment: verifies the authenticator's answer and stores the passkey under `name`.
pub async fn finish_enrolment(
    app: &Ctx,
    account_id: &AccountId,
    auth_time: i64,
    ceremony: &str,
    credential: &RegisterPublicKeyCredential,
    name: &str,
) -> Result<PasskeyRow, PasskeyError> {
    let enrolment: Enrolment =
        take_ceremony(app, "enrol", ceremony, |e: &Enrolment| e.expires_at).await?;
    if enrolment.account_id != account_id {
        // Started by another person's session: as good as unknown.
        return Err(PasskeyError::CeremonyExpired);
    }
    if !is_fresh_login(app, auth_time) {
        return Err(PasskeyError::LoginTooOld);
    }
    let passkey = rp(app)?
        .finish_passkey_registration(credential, &enrolment.state)
        .map_err(|e| PasskeyError::Rejected(e.to_string()))?;
    let cred_id = URL_SAFE_NO_PAD.encode(passkey.cred_id().as_ref() as &[u8]);
    let stored = app
        .store
        .add_passkey(NewPasskey {
            account_id,
            cred_id: &cred_id,
            user_handle: &enrolment.user_handle.to_string(),
            name: &clean_name(name),
            passkey: &serde_json::to_string(&passkey).expect("passkeys serialise"),
            counter: 0,
        })
        .await;
    match stored {
        Ok(row) => {
            tracing::info!(account = %account_id, passkey = %row.id, "passkey enrolled");
            super::security_events::record(
                app,
                account_id,
                super::security_events::Kind::PasskeyAdded,
                &row.name,
            )
            .await?;
            crate::identity::levels::notify(app, account_id, |t| {
                t.f(
                    "notify.passkey_added",
                    &[("name", row.name.as_str().into())],
                )
            })
            .await?;
            Ok(row)
        }
        Err(StoreError::Conflict) => Err(PasskeyError::AlreadyRegistered),
        Err(e) => Err(e.into()),
    }
}

/// Removes one of the person's passkeys and tells them; false when it is not theirs.
pub async fn remove(app: &Ctx, account_id: &AccountId, id: &str) -> Result<bool, StoreError> {
    let Some(name) = app.store.remove_passkey(account_id, id).await? else {
        return Ok(false);
    };
    tracing::info!(account = %account_id, passkey = %id, "passkey removed");
    super::security_events::record(
        app,
        account_id,
        super::security_events::Kind::PasskeyRemoved,
        &name,
    )
    .await?;
    crate::identity::levels::notify(app, account_id, |t| {
        t.f("notify.passkey_removed", &[("name", name.as_str().into())])
    })
    .await?;
    Ok(true)
}

/// Renames one of the account's passkeys (the name cleaned as [`clean_name`]); false when the
/// account has no such passkey.
pub async fn rename(
    app: &Ctx,
    account_id: &AccountId,
    id: &str,
    name: &str,
) -> Result<bool, StoreError> {
    let name = clean_name(name);
    let renamed = app.store.rename_passkey(account_id, id, &name).await?;
    if renamed {
        super::security_events::record(
            app,
            account_id,
            super::security_events::Kind::PasskeyRenamed,
            &name,
        )
        .await?;
    }
    Ok(renamed)
}

/// A passkey name as shown in settings: trimmed, control characters dropped, bounded length.
pub fn clean_name(name: &str) -> String {
    let n: String = name
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_NAME_CHARS)
        .collect();
    let n = n.trim();
    if n.is_empty() {
        "Passkey".to_string()
    } else {
        n.to_string()
    }
}

/// Starts a passwordless sign-in; returns (ceremony id, options for `navigator.credentials.get`).
pub async fn start_sign_in(app: &Ctx) -> Result<(String, serde_json::Value), PasskeyError> {
    let (options, state) = rp(app)?
        .start_discoverable_authentication()
        .map_err(|e| PasskeyError::Rejected(e.to_string()))?;
    let mut options = serde_json::to_value(options).expect("options serialise");
    // webauthn-rs marks this for conditional (autofill) mediation; the page uses a button instead.
    if let Some(o) = options.as_object_mut() {
        o.remove("mediation");
    }
    let ceremony = crate::crypto::random_token();
    let sign_in = SignIn {
        expires_at: app.clock.now() + CEREMONY_SECS,
        state,
    };
    app.cache
        .put_json(&key("signin", &ceremony), &sign_in, CEREMONY_SECS)
        .await?;
    Ok((ceremony, options))
}

/// Finishes a passwordless sign-in; returns the account it proves.
pub async fn finish_sign_in(
    app: &Ctx,
    ceremony: &str,
    credential: &PublicKeyCredential,
) -> Result<String, PasskeyError> {
    let sign_in: SignIn = take_ceremony(app, "signin", ceremony, |s: &SignIn| s.expires_at).await?;
    let (user_handle, cred_id) = rp(app)?
        .identify_discoverable_authentication(credential)
        .map_err(|e| PasskeyError::Rejected(e.to_string()))?;
    let row = app
        .store
        .passkey_by_cred_id(&URL_SAFE_NO_PAD.encode(cred_id))
        .await?
        .ok_or(PasskeyError::UnknownPasskey)?;
    if !crate::crypto::ct_eq(&row.user_handle, &user_handle.to_string()) {
        return Err(PasskeyError::UnknownPasskey);
    }
    if row.flagged_at.is_some() {
        return Err(PasskeyError::Flagged);
    }
    let mut passkey: Passkey =
        serde_json::from_str(&row.passkey).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let result = match rp(app)?.finish_discoverable_authentication(
        credential,
        sign_in.state,
        &[DiscoverableKey::from(&passkey)],
    ) {
        Ok(r) => r,
        Err(WebauthnError::CredentialPossibleCompromise) => {
            app.store.flag_passkey(&row.id).await?;
            tracing::warn!(account = %row.account_id, passkey = %row.id, "passkey counter went backwards; flagged");
            crate::identity::levels::notify(app, &AccountId::from(row.account_id.as_str()), |t| {
                t.f(
                    "notify.passkey_clone",
                    &[("name", row.name.as_str().into())],
                )
            })
            .await?;
            return Err(PasskeyError::PossibleClone);
        }
        Err(e) => return Err(PasskeyError::Rejected(e.to_string())),
    };
    if !result.user_verified() {
        // The policy already demands it; checked again because acr/amr rest on it.
        return Err(PasskeyError::Rejected("user not verified".into()));
    }
    passkey.update_credential(&result);
    app.store
        .record_passkey_use(
            &row.id,
            &serde_json::to_string(&passkey).expect("passkeys serialise"),
            i64::from(result.counter()),
        )
        .await?;
    Ok(row.account_id)
}

#[cfg(test)]
mod tests {
    use super::build;

    #[test]
    fn relying_party_origin_is_the_issuer_origin_without_its_path() {
        let w = build("https://id.example.gov/esia", "vhod")
            .unwrap()
            .unwrap();
        let origins: Vec<String> = w
            .get_allowed_origins()
            .iter()
            .map(|u| u.origin().ascii_serialization())
            .collect();
        assert_eq!(origins, ["https://id.example.gov"]);
        let dev = build("http://localhost:8080", "vhod").unwrap().unwrap();
        assert_eq!(
            dev.get_allowed_origins()[0].origin().ascii_serialization(),
            "http://localhost:8080"
        );
    }

    #[test]
    fn an_issuer_with_an_ip_address_has_no_relying_party_instead_of_failing() {
        assert!(build("http://127.0.0.1:8080", "vhod").unwrap().is_none());
        assert!(build("http://[::1]:8080", "vhod").unwrap().is_none());
    }

    #[test]
    fn an_issuer_without_a_host_is_refused() {
        assert!(build("not a url", "vhod").is_err());
    }
}

#[cfg(test)]
mod compat_tests;
