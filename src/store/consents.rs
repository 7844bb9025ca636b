//! Remembered consent: which scopes a person allowed a portal to read.

use super::{Store, StoreError};

impl Store {
    pub async fn consented_scopes(
        &self,
        account_id: &str,
        client_id: &str,
    ) -> Result<Option<String>, StoreError> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT scopes FROM consents WHERE account_id = $1 AND client_id = $2")
                .bind(account_id)
                .bind(client_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|r| r.0))
    }

    pub async fn save_consent(
        &self,
        account_id: &str,
        client_id: &str,
        scopes: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO consents (account_id, client_id, scopes, granted_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (account_id, client_id) DO UPDATE SET scopes = excluded.scopes, granted_at = excluded.granted_at",
        )
        .bind(account_id)
        .bind(client_id)
        .bind(scopes)
        .bind(self.now())
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
