//! Security changes of an account (security_events, migration 0080): what «Просмотр последних
//! действий» lists beside the sign-ins (login_events).

use super::{Store, StoreError, new_id};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SecurityEventRow {
    pub id: String,
    pub account_id: String,
    pub at: i64,
    /// What changed (`authn::security_events::Kind::name`).
    pub kind: String,
    /// What it concerns, e.g. a passkey's name or a masked contact; may be empty.
    pub detail: String,
}

impl Store {
    pub async fn record_security_event(
        &self,
        account_id: &str,
        kind: &str,
        detail: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO security_events (id, account_id, at, kind, detail) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(new_id())
        .bind(account_id)
        .bind(self.now())
        .bind(kind)
        .bind(detail.chars().take(200).collect::<String>())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The newest security events of an account, newest first.
    pub async fn security_events_of(
        &self,
        account_id: &str,
        limit: i64,
    ) -> Result<Vec<SecurityEventRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT id, account_id, at, kind, detail FROM security_events \
             WHERE account_id = $1 ORDER BY at DESC, id DESC LIMIT $2",
        )
        .bind(account_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }
}
