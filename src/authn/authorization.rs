//! What an authorization request needs next, given the browser's session: the policy part of
//! the authorization endpoint, shared by every protocol surface. A fresh enough session of the
//! right person, at the acr and the account level the portal requires — or which step is missing.
//! The first part of [`super::continuation::next`], which goes on with the organisation, consent
//! and the code after [`Decision::Proceed`].

use super::login_tx::{AuthRequest, save_tx};
use super::{acr_of, freshness};
use crate::cache::CacheError;
use crate::clients::subject;
use crate::ctx::Ctx;
use crate::store::StoreError;
use crate::store::sessions::SessionRow;
use crate::types::{Acr, Level};

#[derive(Debug)]
pub enum Decision {
    /// Nobody usable is signed in and the portal said `prompt=none`.
    LoginRequired,
    /// The person signs in first; the request waits as this login transaction.
    Login { tx: String },
    /// The session's assurance is below what the portal requires: a second factor or a
    /// signature is asked for.
    StepUp { session: SessionRow },
    /// The account's level is below the portal's minimum.
    LevelTooLow,
    /// The session will do.
    Proceed { session: SessionRow },
}

#[derive(Debug, thiserror::Error)]
pub enum DecideError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Cache(#[from] CacheError),
}

pub fn has_prompt(req: &AuthRequest, v: &str) -> bool {
    req.prompt.iter().any(|p| p == v)
}

/// Decides the next step for `req` (changed in place: a forced login is remembered). `tx` is the
/// login transaction when the person comes back from a step (`/authorize/continue`).
pub async fn decide(
    ctx: &Ctx,
    req: &mut AuthRequest,
    session: Option<SessionRow>,
    tx: Option<&str>,
) -> Result<Decision, DecideError> {
    let now = ctx.clock.now();
    let resumed = tx.is_some();
    let forced_login = !resumed && has_prompt(req, "login");
    if forced_login {
        req.needs_fresh_login = true;
    }
    let usable = session.filter(|s| {
        let fresh = freshness::satisfied(req, s.auth_time, now, resumed);
        // id_token_hint names someone else: this session will not do (until they log in here).
        let hint_ok = resumed
            || req.hint_sub.as_deref().is_none_or(|h| {
                h == subject::for_sector(ctx, req.sector.as_deref(), &s.account_id)
            });
        fresh && hint_ok && !forced_login
    });
    let Some(session) = usable else {
        if has_prompt(req, "none") {
            return Ok(Decision::LoginRequired);
        }
        if req.max_age.is_some() {
            req.needs_fresh_login = true;
        }
        let tx = match tx {
            Some(t) => t.to_string(),
            None => save_tx(ctx, req).await?,
        };
        return Ok(Decision::Login { tx });
    };
    let required = req.required_acr.parse::<Acr>().unwrap_or(Acr::Low);
    if acr_of(&session.acr) < required {
        return Ok(Decision::StepUp { session });
    }
    let min_level = Level::of(&req.min_level);
    if min_level > Level::Simplified {
        let level = ctx
            .store
            .account(&session.account_id)
            .await?
            .map(|a| a.level)
            .unwrap_or_default();
        // A deleted account (no row) has no level at all.
        if level.is_empty() || Level::of(&level) < min_level {
            return Ok(Decision::LevelTooLow);
        }
    }
    Ok(Decision::Proceed { session })
}
