//! Portals an organisation allowed to read its data by client_credentials (migration 0090).
//! Allowing twice keeps the first row; revoking deletes it (the audit log keeps the history).

use super::change::Change;
use super::{Store, StoreError};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OrgAllowanceRow {
    pub org_oid: i64,
    pub client_id: String,
    pub allowed_by: String,
    pub allowed_at: i64,
}

impl Store {
    /// Whether the organisation allows `client_id` now.
    pub async fn org_allows_client(&self, oid: i64, client_id: &str) -> Result<bool, StoreError> {
        Ok(sqlx::query_as::<_, (i64,)>(
            "SELECT org_oid FROM org_allowances WHERE org_oid = $1 AND client_id = $2",
        )
        .bind(oid)
        .bind(client_id)
        .fetch_optional(&self.pool)
        .await?
        .is_some())
    }

    /// The portals the organisation allows, oldest first.
    pub async fn org_allowed_clients(&self, oid: i64) -> Result<Vec<OrgAllowanceRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT org_oid, client_id, allowed_by, allowed_at FROM org_allowances \
             WHERE org_oid = $1 ORDER BY allowed_at, client_id",
        )
        .bind(oid)
        .fetch_all(&self.pool)
        .await?)
    }
}

/// The audited writes of the allowances, in the change that commits with its audit entry.
impl Change<'_> {
    /// Allows `client_id` for the organisation; false when it already was.
    pub async fn allow_org_client(
        &mut self,
        oid: i64,
        client_id: &str,
        by: &str,
    ) -> Result<bool, StoreError> {
        let now = self.store().now();
        let done = sqlx::query(
            "INSERT INTO org_allowances (org_oid, client_id, allowed_by, allowed_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (org_oid, client_id) DO NOTHING",
        )
        .bind(oid)
        .bind(client_id)
        .bind(by)
        .bind(now)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Revokes the allowance; false when there was none.
    pub async fn revoke_org_client(
        &mut self,
        oid: i64,
        client_id: &str,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM org_allowances WHERE org_oid = $1 AND client_id = $2")
            .bind(oid)
            .bind(client_id)
            .execute(self.conn())
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
