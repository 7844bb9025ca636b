//! Remembered consent: which scopes (and claims named one by one) a person allowed a portal to read.

use super::{Store, StoreError};

impl Store {
    /// The remembered consent: (scopes, claims named one by one), both space-separated.
    pub async fn consent(
        &self,
        account_id: &str,
        client_id: &str,
    ) -> Result<Option<(String, String)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT scopes, claims FROM consents WHERE account_id = $1 AND client_id = $2",
        )
        .bind(account_id)
        .bind(client_id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Replaces the remembered consent with (`scopes`, `claims`) only if it is still `seen` (what
    /// the caller read: `None` for no consent yet). False when someone changed it in between: the
    /// caller reads again and widens what is there now, so that two consents given at once both
    /// count (a read and an upsert would let the later write drop the earlier one's scopes).
    pub async fn replace_consent(
        &self,
        account_id: &str,
        client_id: &str,
        seen: Option<&(String, String)>,
        scopes: &str,
        claims: &str,
    ) -> Result<bool, StoreError> {
        let sql = match seen {
            None => {
                "INSERT INTO consents (account_id, client_id, scopes, claims, granted_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (account_id, client_id) DO NOTHING"
            }
            Some(_) => {
                "UPDATE consents SET scopes = $3, claims = $4, granted_at = $5 \
                 WHERE account_id = $1 AND client_id = $2 AND scopes = $6 AND claims = $7"
            }
        };
        let mut query = sqlx::query(sql)
            .bind(account_id)
            .bind(client_id)
            .bind(scopes)
            .bind(claims)
            .bind(self.now());
        if let Some((had_scopes, had_claims)) = seen {
            query = query.bind(had_scopes).bind(had_claims);
        }
        Ok(query.execute(&self.pool).await?.rows_affected() == 1)
    }

    /// Every portal the person allowed, with its name: (client id, name, scopes, granted at).
    pub async fn consents_of(
        &self,
        account_id: &str,
    ) -> Result<Vec<(String, String, String, i64)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT c.client_id, k.name, c.scopes, c.granted_at FROM consents c \
             JOIN clients k ON k.id = c.client_id WHERE c.account_id = $1 ORDER BY k.name",
        )
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Withdraws the consent and revokes the portal's grants for this person (its access and
    /// refresh tokens stop working), in one transaction. False when there was no consent.
    pub async fn withdraw_consent(
        &self,
        account_id: &str,
        client_id: &str,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        let removed = sqlx::query("DELETE FROM consents WHERE account_id = $1 AND client_id = $2")
            .bind(account_id)
            .bind(client_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        sqlx::query(
            "UPDATE grants SET revoked_at = $3, revoked_reason = 'consent withdrawn' \
             WHERE account_id = $1 AND client_id = $2 AND revoked_at IS NULL",
        )
        .bind(account_id)
        .bind(client_id)
        .bind(self.now())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.note_change();
        Ok(removed == 1)
    }
}
