//! The console's list of organisations left without a chief (the chief's account was deleted):
//! operators see them, to restore a head through a new qualified-signature claim (issue 14).

use crate::oidc::OidcState;
use crate::store::StoreError;
use crate::store::orgs::OrgRow;

/// The organisations without a chief, for a caller who may act as an operator; `None` otherwise.
pub(super) async fn for_operator(
    app: &OidcState,
    operator: bool,
) -> Result<Option<Vec<OrgRow>>, StoreError> {
    if !operator {
        return Ok(None);
    }
    Ok(Some(app.store.orgs_without_chief().await?))
}
