//! The person's own records that need no registry check: addresses (registration `PRG`, residence
//! `PLV`). One row per kind; saving replaces it.

use super::{Store, StoreError, new_id};

impl Store {
    /// (kind, text) of every address of the account.
    pub async fn addresses(&self, account_id: &str) -> Result<Vec<(String, String)>, StoreError> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT kind, fields FROM profile_items WHERE account_id = $1 AND kind IN ('PRG', 'PLV') ORDER BY kind",
        )
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(kind, fields)| {
                let v: serde_json::Value = serde_json::from_str(&fields).unwrap_or_default();
                (kind, v["text"].as_str().unwrap_or_default().to_string())
            })
            .collect())
    }

    /// Replaces the address of this kind; an empty text removes it.
    pub async fn set_address(
        &self,
        account_id: &str,
        kind: &str,
        text: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM profile_items WHERE account_id = $1 AND kind = $2")
            .bind(account_id)
            .bind(kind)
            .execute(&mut *tx)
            .await?;
        if !text.is_empty() {
            sqlx::query(
                "INSERT INTO profile_items (id, account_id, kind, fields, created_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(new_id())
            .bind(account_id)
            .bind(kind)
            .bind(serde_json::json!({ "text": text }).to_string())
            .bind(self.now())
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query("UPDATE accounts SET updated_at = $2 WHERE id = $1")
            .bind(account_id)
            .bind(self.now())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.note_change();
        Ok(())
    }
}
