//! Account levels. Minimal version for the QES work: raising standard → confirmed. The full
//! version (level_events, audit, notice to the person) replaces this at merge.

use crate::app::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfirmMethod {
    ServiceCentre,
    CodeLetter,
    Qes,
    Bank,
}

/// Raises a standard account to confirmed; true when the level was raised.
pub async fn confirm(
    app: &AppState,
    account_id: &str,
    method: ConfirmMethod,
    evidence: &str,
    actor: &str,
) -> Result<bool, crate::store::StoreError> {
    let raised = app.store.raise_to_confirmed(account_id).await?;
    if raised {
        tracing::info!(account = %account_id, ?method, evidence, actor, "account level raised to confirmed");
    }
    Ok(raised)
}
