//! SSO sessions. The cookie holds a random id; only its SHA-256 is stored.

use super::{Store, StoreError};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub id_hash: String,
    pub account_id: crate::types::AccountId,
    pub auth_time: i64,
    pub acr: String,
    pub amr: String,
    pub persistent: i64,
    pub user_agent: String,
    pub ip: String,
    pub created_at: i64,
    pub last_seen: i64,
    pub expires_at: i64,
}

/// A live session with what pages show of its person (`Store::live_session_person`).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionPerson {
    #[sqlx(flatten)]
    pub session: SessionRow,
    pub surname: String,
    pub given_name: String,
    /// The interface language kept on the account (a language code), if the person chose one.
    pub lang: Option<String>,
}

pub struct NewSession<'a> {
    pub id_hash: &'a str,
    pub account_id: &'a str,
    pub acr: &'a str,
    pub amr: &'a str,
    pub persistent: bool,
    pub user_agent: &'a str,
    pub ip: &'a str,
    pub ttl: i64,
}

/// How stale `last_seen` may be before a request writes it again (seconds).
pub const TOUCH_SECS: i64 = 60;

const COLS: &str = "id_hash, account_id, auth_time, acr, amr, persistent, user_agent, ip, created_at, last_seen, expires_at";

impl Store {
    pub async fn create_session(&self, s: NewSession<'_>) -> Result<SessionRow, StoreError> {
        let now = self.now();
        Ok(self.returning_one(sqlx::query_as(&format!(
            "INSERT INTO sessions ({COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $3, $3, $9) RETURNING {COLS}"
        ))
        .bind(s.id_hash)
        .bind(s.account_id)
        .bind(now)
        .bind(s.acr)
        .bind(s.amr)
        .bind(i64::from(s.persistent))
        .bind(s.user_agent)
        .bind(s.ip)
        .bind(now + s.ttl))
        .await?)
    }

    /// A live session (not ended, not expired). `last_seen` (shown on the security page) is
    /// written at most once per [`TOUCH_SECS`]: a sign-in crosses several pages within seconds,
    /// and each would otherwise write the row again.
    pub async fn live_session(&self, id_hash: &str) -> Result<Option<SessionRow>, StoreError> {
        let now = self.now();
        let found: Option<SessionRow> = sqlx::query_as(&format!(
            "SELECT {COLS} FROM sessions WHERE id_hash = $1 AND ended_at IS NULL AND expires_at > $2"
        ))
        .bind(id_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        match found {
            Some(row) => Ok(Some(self.touched(row).await?)),
            None => Ok(None),
        }
    }

    /// [`Store::live_session`] with its person's name and interface language, in one statement:
    /// what a page needs of the signed-in person.
    pub async fn live_session_person(
        &self,
        id_hash: &str,
    ) -> Result<Option<SessionPerson>, StoreError> {
        static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
            let cols: Vec<String> = COLS.split(", ").map(|c| format!("s.{c}")).collect();
            format!(
                "SELECT {}, COALESCE(a.surname, '') AS surname, \
                        COALESCE(a.given_name, '') AS given_name, a.lang AS lang \
                 FROM sessions s LEFT JOIN accounts a ON a.id = s.account_id \
                 WHERE s.id_hash = $1 AND s.ended_at IS NULL AND s.expires_at > $2",
                cols.join(", ")
            )
        });
        let found: Option<SessionPerson> = sqlx::query_as(SQL.as_str())
            .bind(id_hash)
            .bind(self.now())
            .fetch_optional(&self.pool)
            .await?;
        let Some(mut found) = found else {
            return Ok(None);
        };
        found.session = self.touched(found.session).await?;
        Ok(Some(found))
    }

    /// `last_seen` (shown on the security page) is written at most once per [`TOUCH_SECS`]: a
    /// sign-in crosses several pages within seconds, and each would otherwise write the row again.
    async fn touched(&self, mut row: SessionRow) -> Result<SessionRow, StoreError> {
        let now = self.now();
        if now - row.last_seen >= TOUCH_SECS {
            sqlx::query("UPDATE sessions SET last_seen = $2 WHERE id_hash = $1 AND last_seen < $2")
                .bind(&row.id_hash)
                .bind(now)
                .execute(&self.pool)
                .await?;
            row.last_seen = now;
        }
        Ok(row)
    }

    pub async fn end_session(&self, id_hash: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE sessions SET ended_at = $2 WHERE id_hash = $1 AND ended_at IS NULL")
            .bind(id_hash)
            .bind(self.now())
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

impl Store {
    pub async fn live_sessions_of(&self, account_id: &str) -> Result<Vec<SessionRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {COLS} FROM sessions WHERE account_id = $1 AND ended_at IS NULL AND expires_at > $2 ORDER BY created_at"
        ))
        .bind(account_id)
        .bind(self.now())
        .fetch_all(&self.pool)
        .await?)
    }
}
