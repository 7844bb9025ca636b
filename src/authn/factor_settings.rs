//! Turning second factors and security choices on and off: the rules (turning a factor off needs
//! a session that proved one) and the one-statement or one-transaction writes behind them.

use crate::ctx::Ctx;
use crate::store::StoreError;
use crate::store::second_factors::SecurityChoice;
use crate::store::sessions::SessionRow;
use crate::types::AccountId;

/// What became of a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Done,
    /// Refused: this session signed in with a password alone, and turning a factor off needs one
    /// that proved a second factor.
    NeedsSecondFactor,
}

/// A session that proved a second factor (acr substantial or higher).
pub fn proved_second_factor(s: &SessionRow) -> bool {
    super::acr_of(&s.acr) >= crate::types::Acr::Substantial
}

/// Removes the authenticator app and its recovery codes together.
pub async fn remove_totp(ctx: &Ctx, s: &SessionRow) -> Result<Change, StoreError> {
    if !proved_second_factor(s) {
        return Ok(Change::NeedsSecondFactor);
    }
    ctx.store.remove_totp(&s.account_id).await?;
    super::security_events::record(
        ctx,
        &s.account_id,
        super::security_events::Kind::TotpRemoved,
        "",
    )
    .await?;
    tracing::info!(account = %s.account_id, "authenticator app removed");
    Ok(Change::Done)
}

/// Two-step login by SMS on (after the code to the confirmed phone checked out) or off.
pub async fn set_sms_two_step(ctx: &Ctx, s: &SessionRow, on: bool) -> Result<Change, StoreError> {
    if !on && !proved_second_factor(s) {
        return Ok(Change::NeedsSecondFactor);
    }
    ctx.store
        .set_security_choice(&s.account_id, SecurityChoice::SmsTwoStep, on)
        .await?;
    let kind = if on {
        super::security_events::Kind::SmsTwoStepOn
    } else {
        super::security_events::Kind::SmsTwoStepOff
    };
    super::security_events::record(ctx, &s.account_id, kind, "").await?;
    if on {
        tracing::info!(account = %s.account_id, "two-step login by SMS turned on");
    }
    Ok(Change::Done)
}

/// Messages about sign-ins from new devices on or off.
pub async fn set_login_alerts(
    ctx: &Ctx,
    account_id: &AccountId,
    on: bool,
) -> Result<(), StoreError> {
    ctx.store
        .set_security_choice(account_id, SecurityChoice::LoginAlerts, on)
        .await
}
