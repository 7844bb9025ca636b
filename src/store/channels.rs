//! The channel each person chose for sign-in codes and approvals (notify_channels).

use super::{Store, StoreError};

impl Store {
    /// The stored choice ('sms', 'push', 'email'); None when the person never chose.
    pub async fn notify_channel(&self, account_id: &str) -> Result<Option<String>, StoreError> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT channel FROM notify_channels WHERE account_id = $1")
                .bind(account_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(c,)| c))
    }

    pub async fn set_notify_channel(
        &self,
        account_id: &str,
        channel: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO notify_channels (account_id, channel, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (account_id) DO UPDATE SET channel = $2, updated_at = $3",
        )
        .bind(account_id)
        .bind(channel)
        .bind(self.now())
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
