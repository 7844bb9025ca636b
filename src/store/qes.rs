//! Certificates bound for signature login, plus two small account helpers used to set up the QES
//! tests (`add_verified_identifier`, `set_level`); they may move to the accounts aggregate.

use super::{Store, StoreError, new_id};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct QesCertificateRow {
    pub id: String,
    pub account_id: String,
    pub snils: String,
    pub subject: String,
    pub issuer: String,
    pub serial: String,
    pub fingerprint: String,
    pub created_at: i64,
}

pub struct NewQesCertificate<'a> {
    pub account_id: &'a str,
    pub snils: &'a str,
    pub subject: &'a str,
    pub issuer: &'a str,
    pub serial: &'a str,
    pub fingerprint: &'a str,
}

const COLS: &str = "id, account_id, snils, subject, issuer, serial, fingerprint, created_at";

impl Store {
    /// Binds a certificate; `Conflict` when this certificate is already bound (to anyone).
    pub async fn bind_qes_certificate(
        &self,
        c: NewQesCertificate<'_>,
    ) -> Result<QesCertificateRow, StoreError> {
        Ok(self.returning_one(sqlx::query_as(&format!(
            "INSERT INTO qes_certificates ({COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {COLS}"
        ))
        .bind(new_id())
        .bind(c.account_id)
        .bind(c.snils)
        .bind(c.subject)
        .bind(c.issuer)
        .bind(c.serial)
        .bind(c.fingerprint)
        .bind(self.now()))
        .await?)
    }

    pub async fn qes_certificates(
        &self,
        account_id: &str,
    ) -> Result<Vec<QesCertificateRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {COLS} FROM qes_certificates WHERE account_id = $1 ORDER BY created_at, id"
        ))
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn qes_certificate_by_fingerprint(
        &self,
        fingerprint: &str,
    ) -> Result<Option<QesCertificateRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {COLS} FROM qes_certificates WHERE fingerprint = $1"
        ))
        .bind(fingerprint)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Unbinds one of the account's certificates; true when it was there.
    pub async fn unbind_qes_certificate(
        &self,
        account_id: &str,
        id: &str,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM qes_certificates WHERE id = $1 AND account_id = $2")
            .bind(id)
            .bind(account_id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Shortens a session to end at `at` (never lengthens it).
    pub async fn cap_session_expiry(&self, id_hash: &str, at: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE sessions SET expires_at = $1 WHERE id_hash = $2 AND expires_at > $1")
            .bind(at)
            .bind(id_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Records a verified identifier (kind `snils`, `phone`, `email`) of an account.
    pub async fn add_verified_identifier(
        &self,
        account_id: &str,
        kind: &str,
        value: &str,
    ) -> Result<(), StoreError> {
        let now = self.now();
        sqlx::query(
            "INSERT INTO identifiers (kind, value, account_id, verified_at, created_at) \
             VALUES ($1, $2, $3, $4, $4)",
        )
        .bind(kind)
        .bind(value)
        .bind(account_id)
        .bind(now)
        .execute(&self.pool)
        .await?;
        self.note_change();
        Ok(())
    }

    /// Sets an account's level outright (service-centre and test set-up).
    pub async fn set_level(&self, account_id: &str, level: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE accounts SET level = $1, updated_at = $2 WHERE id = $3")
            .bind(level)
            .bind(self.now())
            .bind(account_id)
            .execute(&self.pool)
            .await?;
        self.note_change();
        Ok(())
    }
}
