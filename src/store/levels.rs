//! Account level changes with their history (level_events), the notification feed, and code letters.

use super::change::Change;
use super::{Store, StoreError, new_id};

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct LevelEventRow {
    pub id: String,
    pub account_id: String,
    pub level: String,
    pub method: String,
    pub evidence: String,
    pub actor: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FeedRow {
    pub id: String,
    pub text: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LetterRow {
    pub id: String,
    pub account_id: String,
    pub code_hash: String,
    pub address: String,
    pub recipient: String,
    pub attempts: i64,
    pub created_at: i64,
    pub expires_at: i64,
    pub exported_at: Option<i64>,
    pub used_at: Option<i64>,
}

pub struct LevelChange<'a> {
    pub account_id: &'a str,
    pub level: &'a str,
    pub method: &'a str,
    pub evidence: &'a str,
    pub actor: &'a str,
    /// The change happens only when the account is at one of these levels now.
    pub from: &'a [&'a str],
}

const LETTER_COLS: &str = "id, account_id, code_hash, address, recipient, attempts, created_at, expires_at, exported_at, used_at";

impl Change<'_> {
    /// Sets the level and records the event in the change (committed with its audit entry); false
    /// (nothing written) when the account's current level is not one of `from`.
    pub async fn change_level(&mut self, c: LevelChange<'_>) -> Result<bool, StoreError> {
        let now = self.store().now();
        change_level_in(self.conn(), now, &c).await
    }
}

impl Store {
    pub async fn level_events(&self, account_id: &str) -> Result<Vec<LevelEventRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT id, account_id, level, method, evidence, actor, created_at FROM level_events \
             WHERE account_id = $1 ORDER BY created_at DESC, id DESC",
        )
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn push_feed(&self, account_id: &str, text: &str) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO feed (id, account_id, text, created_at) VALUES ($1, $2, $3, $4)")
            .bind(new_id())
            .bind(account_id)
            .bind(text)
            .bind(self.now())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn feed(&self, account_id: &str) -> Result<Vec<FeedRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT id, text, created_at FROM feed WHERE account_id = $1 ORDER BY created_at DESC, id DESC LIMIT 50",
        )
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn create_letter(
        &self,
        account_id: &str,
        code_hash: &str,
        address: &str,
        recipient: &str,
        ttl: i64,
    ) -> Result<LetterRow, StoreError> {
        let now = self.now();
        Ok(self.returning_one(sqlx::query_as(&format!(
            "INSERT INTO code_letters (id, account_id, code_hash, address, recipient, attempts, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, 0, $6, $7) RETURNING {LETTER_COLS}"
        ))
        .bind(new_id())
        .bind(account_id)
        .bind(code_hash)
        .bind(address)
        .bind(recipient)
        .bind(now)
        .bind(now + ttl))
        .await?)
    }

    pub async fn letters_of(&self, account_id: &str) -> Result<Vec<LetterRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {LETTER_COLS} FROM code_letters WHERE account_id = $1 ORDER BY created_at DESC, id DESC"
        ))
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Counts a wrong code; returns the attempts made so far.
    pub async fn letter_attempt(&self, id: &str) -> Result<i64, StoreError> {
        let (n,): (i64,) = self.returning_one(sqlx::query_as(
            "UPDATE code_letters SET attempts = attempts + 1 WHERE id = $1 RETURNING attempts",
        )
        .bind(id))
        .await?;
        Ok(n)
    }

    /// Marks the letter used once: false when it already was.
    pub async fn use_letter(&self, id: &str) -> Result<bool, StoreError> {
        Ok(
            sqlx::query("UPDATE code_letters SET used_at = $2 WHERE id = $1 AND used_at IS NULL")
                .bind(id)
                .bind(self.now())
                .execute(&self.pool)
                .await?
                .rows_affected()
                == 1,
        )
    }
}

/// The level change inside a caller's transaction (so a verified check and its level are one step).
pub(crate) async fn change_level_in(
    tx: &mut super::bounded_tx::TxConn,
    now: i64,
    c: &LevelChange<'_>,
) -> Result<bool, StoreError> {
    let current: Option<(String,)> = sqlx::query_as("SELECT level FROM accounts WHERE id = $1")
        .bind(c.account_id)
        .fetch_optional(&mut *tx)
        .await?;
    let Some((current,)) = current else {
        return Ok(false);
    };
    if !c.from.contains(&current.as_str()) {
        return Ok(false);
    }
    let changed = sqlx::query(
        "UPDATE accounts SET level = $2, level_method = $3, updated_at = $4 WHERE id = $1 AND level = $5",
    )
    .bind(c.account_id)
    .bind(c.level)
    .bind(c.method)
    .bind(now)
    .bind(&current)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed != 1 {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO level_events (id, account_id, level, method, evidence, actor, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(new_id())
    .bind(c.account_id)
    .bind(c.level)
    .bind(c.method)
    .bind(c.evidence)
    .bind(c.actor)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    Ok(true)
}
