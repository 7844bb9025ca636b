//! Identity documents and the registry checks that verify them. A submission is stored beside the
//! verified data, never over it: a document row is `verifying` until its check ends, then `verified`
//! (the previous verified row of that kind becomes `superseded`), `rejected` or `failed`.

use super::levels::LevelChange;
use super::{Store, StoreError, new_id};

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct DocumentRow {
    pub id: String,
    pub account_id: String,
    pub kind: String,
    pub fields: String,
    pub status: String,
    pub reason: Option<String>,
    pub check_id: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub verified_at: Option<i64>,
}

impl DocumentRow {
    pub fn fields(&self) -> serde_json::Value {
        serde_json::from_str(&self.fields).unwrap_or_default()
    }
    pub fn field(&self, name: &str) -> String {
        self.fields()
            .get(name)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string()
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CheckRow {
    pub id: String,
    pub account_id: String,
    pub status: String,
    pub reason: Option<String>,
    pub runs: i64,
    pub created_at: i64,
    pub finished_at: Option<i64>,
}

/// How a check ended.
pub enum CheckEnd<'a> {
    Verified,
    Rejected(&'a str),
    Failed(&'a str),
}

const DOC_COLS: &str =
    "id, account_id, kind, fields, status, reason, check_id, created_at, updated_at, verified_at";
const CHECK_COLS: &str = "id, account_id, status, reason, runs, created_at, finished_at";
pub const REGISTRY_JOB: &str = "registry_check";

impl Store {
    /// Stores the submitted documents as `verifying` under a new check and enqueues its job, in one
    /// transaction. `Conflict` when a check of this account is still running.
    pub async fn submit_documents(
        &self,
        account_id: &str,
        docs: &[(&str, serde_json::Value)],
        max_attempts: i64,
    ) -> Result<String, StoreError> {
        let now = self.now();
        let check_id = new_id();
        let mut tx = self.begin().await?;
        let running: Option<(String,)> = sqlx::query_as(
            "SELECT id FROM registry_checks WHERE account_id = $1 AND status = 'verifying'",
        )
        .bind(account_id)
        .fetch_optional(&mut *tx)
        .await?;
        if running.is_some() {
            return Err(StoreError::Conflict);
        }
        sqlx::query(
            "INSERT INTO registry_checks (id, account_id, status, runs, created_at) VALUES ($1, $2, 'verifying', 0, $3)",
        )
        .bind(&check_id)
        .bind(account_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        for (kind, fields) in docs {
            sqlx::query(
                "INSERT INTO documents (id, account_id, kind, fields, status, check_id, lookup, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, 'verifying', $5, $6, $7, $7)",
            )
            .bind(new_id())
            .bind(account_id)
            .bind(*kind)
            .bind(fields.to_string())
            .bind(&check_id)
            .bind(lookup(kind, fields))
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(
            "INSERT INTO jobs (id, kind, payload, run_at, attempts, max_attempts, created_at) VALUES ($1, $2, $3, $4, 0, $5, $4)",
        )
        .bind(new_id())
        .bind(REGISTRY_JOB)
        .bind(serde_json::json!({ "check_id": check_id }).to_string())
        .bind(now)
        .bind(max_attempts)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(check_id)
    }

    pub async fn registry_check(&self, id: &str) -> Result<Option<CheckRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {CHECK_COLS} FROM registry_checks WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn checks_of(&self, account_id: &str) -> Result<Vec<CheckRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {CHECK_COLS} FROM registry_checks WHERE account_id = $1 ORDER BY created_at DESC, id DESC"
        ))
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Counts one call to the registry for this check (shown to operators; proves a single runner).
    pub async fn count_check_run(&self, id: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE registry_checks SET runs = runs + 1 WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn documents_of_check(&self, check_id: &str) -> Result<Vec<DocumentRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {DOC_COLS} FROM documents WHERE check_id = $1 ORDER BY kind"
        ))
        .bind(check_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Every document row of the account, newest first (verified, pending and past ones).
    pub async fn documents_of(&self, account_id: &str) -> Result<Vec<DocumentRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {DOC_COLS} FROM documents WHERE account_id = $1 AND status <> 'superseded' \
             ORDER BY created_at DESC, kind"
        ))
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Documents whose registry check is still running.
    pub async fn documents_under_check(
        &self,
        account_id: &str,
    ) -> Result<Vec<DocumentRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {DOC_COLS} FROM documents WHERE account_id = $1 AND status = 'verifying' ORDER BY kind"
        ))
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The verified document of each kind (what portals may receive).
    pub async fn verified_documents(
        &self,
        account_id: &str,
    ) -> Result<Vec<DocumentRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {DOC_COLS} FROM documents WHERE account_id = $1 AND status = 'verified' ORDER BY kind"
        ))
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Ends a running check once: None when it had already ended (another node got there first),
    /// else whether `level` changed the level. On `Verified` the documents become verified, the
    /// earlier verified ones of the same kinds are superseded, `snils` (if given) becomes a login
    /// identifier of the account and `level` is applied — all in one transaction.
    pub async fn end_check(
        &self,
        check_id: &str,
        end: CheckEnd<'_>,
        snils: Option<&str>,
        level: Option<LevelChange<'_>>,
    ) -> Result<Option<bool>, StoreError> {
        let now = self.now();
        let (status, reason) = match end {
            CheckEnd::Verified => ("verified", None),
            CheckEnd::Rejected(r) => ("rejected", Some(r)),
            CheckEnd::Failed(r) => ("failed", Some(r)),
        };
        let mut tx = self.begin().await?;
        let won = sqlx::query(
            "UPDATE registry_checks SET status = $2, reason = $3, finished_at = $4 WHERE id = $1 AND status = 'verifying'",
        )
        .bind(check_id)
        .bind(status)
        .bind(reason)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if !won {
            return Ok(None);
        }
        let (account_id,): (String,) =
            sqlx::query_as("SELECT account_id FROM registry_checks WHERE id = $1")
                .bind(check_id)
                .fetch_one(&mut *tx)
                .await?;
        if status == "verified" {
            sqlx::query(
                "UPDATE documents SET status = 'superseded', updated_at = $3 WHERE account_id = $1 AND status = 'verified' \
                 AND kind IN (SELECT kind FROM documents WHERE check_id = $2) AND kind NOT IN ('vehicle', 'child')",
            )
            .bind(&account_id)
            .bind(check_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(
            "UPDATE documents SET status = $2, reason = $3, updated_at = $4, verified_at = $5 WHERE check_id = $1",
        )
        .bind(check_id)
        .bind(status)
        .bind(reason)
        .bind(now)
        .bind((status == "verified").then_some(now))
        .execute(&mut *tx)
        .await?;
        if let Some(snils) = snils {
            sqlx::query("DELETE FROM identifiers WHERE account_id = $1 AND kind = 'snils'")
                .bind(&account_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO identifiers (kind, value, account_id, verified_at, created_at) VALUES ('snils', $1, $2, $3, $3)",
            )
            .bind(snils)
            .bind(&account_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        let changed = match level {
            Some(c) => super::levels::change_level_in(&mut tx, now, &c).await?,
            None => false,
        };
        tx.commit().await?;
        self.note_change();
        Ok(Some(changed))
    }

    /// The account holding this verified SNILS, if any.
    pub async fn snils_holder(&self, snils: &str) -> Result<Option<String>, StoreError> {
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT account_id FROM identifiers WHERE kind = 'snils' AND value = $1 AND verified_at IS NOT NULL",
        )
        .bind(snils)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| r.0))
    }

    /// The account whose verified Russian passport has this series and number, if any.
    pub async fn passport_holder(
        &self,
        series: &str,
        number: &str,
    ) -> Result<Option<String>, StoreError> {
        let key = format!("passport_rf:{}{}", series.trim(), number.trim());
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT account_id FROM documents WHERE lookup = $1 AND status = 'verified'",
        )
        .bind(key)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| r.0))
    }
}

/// The indexed search key of a document: its kind and number.
fn lookup(kind: &str, fields: &serde_json::Value) -> String {
    let f = |n: &str| fields.get(n).and_then(|v| v.as_str()).unwrap_or_default();
    match kind {
        "passport_rf" => format!("passport_rf:{}{}", f("series"), f("number")),
        "foreign_id" => format!("foreign_id:{}{}", f("country"), f("number")),
        _ => format!("{kind}:{}", f("number")),
    }
}
