//! Outbox: messages the outbox notifier "sent" (development and tests read codes from here, as a
//! person reads their phone).

use super::{Store, StoreError, new_id};

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct OutboxRow {
    pub id: String,
    pub channel: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub created_at: i64,
}

impl Store {
    pub async fn push_outbox(
        &self,
        channel: &str,
        recipient: &str,
        subject: &str,
        body: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO outbox (id, channel, recipient, subject, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(new_id())
        .bind(channel)
        .bind(recipient)
        .bind(subject)
        .bind(body)
        .bind(self.now())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Newest first.
    pub async fn outbox(
        &self,
        recipient: Option<&str>,
        limit: i64,
    ) -> Result<Vec<OutboxRow>, StoreError> {
        let rows = match recipient {
            Some(r) => sqlx::query_as(
                "SELECT id, channel, recipient, subject, body, created_at FROM outbox WHERE recipient = $1 \
                 ORDER BY id DESC LIMIT $2",
            )
            .bind(r)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?,
            None => sqlx::query_as(
                "SELECT id, channel, recipient, subject, body, created_at FROM outbox ORDER BY id DESC LIMIT $1",
            )
            .bind(limit)
            .fetch_all(&self.pool)
            .await?,
        };
        Ok(rows)
    }
}
