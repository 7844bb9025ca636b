//! ESIA clients: the ESIA part of a client (legacy flag) and its registered certificates. The
//! client row itself lives in `clients` (store/clients.rs); registration writes both in one
//! transaction, with its audit entry (store/change.rs).

use super::change::Change;
use super::clients::ClientRow;
use super::{Store, StoreError};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EsiaClientRow {
    pub client_id: String,
    pub legacy: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EsiaCertificateRow {
    pub client_id: String,
    /// Streebog-256 of the DER, lowercase hex.
    pub hash: String,
    /// The DER, standard base64.
    pub der: String,
    pub added_at: i64,
    /// None = current; otherwise valid until then (the overlap after a replacement).
    pub expires_at: Option<i64>,
}

const CERT_COLS: &str = "client_id, hash, der, added_at, expires_at";

impl Store {
    pub async fn esia_client(&self, client_id: &str) -> Result<Option<EsiaClientRow>, StoreError> {
        Ok(sqlx::query_as(ESIA_CLIENT_SQL)
            .bind(client_id)
            .fetch_optional(&self.pool)
            .await?)
    }

    pub async fn esia_client_ids(&self) -> Result<Vec<String>, StoreError> {
        Ok(
            sqlx::query_as::<_, (String,)>("SELECT client_id FROM esia_clients ORDER BY client_id")
                .fetch_all(&self.pool)
                .await?
                .into_iter()
                .map(|(id,)| id)
                .collect(),
        )
    }

    /// Every certificate of the client still valid at `now` (current and overlapping ones).
    pub async fn esia_certificates(
        &self,
        client_id: &str,
        now: i64,
    ) -> Result<Vec<EsiaCertificateRow>, StoreError> {
        Ok(sqlx::query_as(&certificates_sql())
            .bind(client_id)
            .bind(now)
            .fetch_all(&self.pool)
            .await?)
    }
}

const ESIA_CLIENT_SQL: &str = "SELECT client_id, legacy FROM esia_clients WHERE client_id = $1";

/// Every certificate of a client still valid at a time (`$1` the client, `$2` the time).
fn certificates_sql() -> String {
    format!(
        "SELECT {CERT_COLS} FROM esia_certificates \
         WHERE client_id = $1 AND (expires_at IS NULL OR expires_at > $2) ORDER BY added_at DESC"
    )
}

/// The reads of an operator's change, on its own connection (see `Change::client`).
impl Change<'_> {
    pub async fn esia_client(
        &mut self,
        client_id: &str,
    ) -> Result<Option<EsiaClientRow>, StoreError> {
        Ok(sqlx::query_as(ESIA_CLIENT_SQL)
            .bind(client_id)
            .fetch_optional(self.conn())
            .await?)
    }

    pub async fn esia_certificates(
        &mut self,
        client_id: &str,
        now: i64,
    ) -> Result<Vec<EsiaCertificateRow>, StoreError> {
        Ok(sqlx::query_as(&certificates_sql())
            .bind(client_id)
            .bind(now)
            .fetch_all(self.conn())
            .await?)
    }
}

/// The audited writes of an ESIA client, in the change that commits with its audit entry.
impl Change<'_> {
    /// Inserts the client row, its ESIA row and its first certificate in one transaction.
    pub async fn insert_esia_client(
        &mut self,
        client: &ClientRow,
        legacy: bool,
        cert_hash: &str,
        cert_der_b64: &str,
    ) -> Result<(), StoreError> {
        let now = self.store().now();
        let tx = self.conn();
        super::clients::insert_query(client)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO esia_clients (client_id, legacy) VALUES ($1, $2)")
            .bind(&client.id)
            .bind(i64::from(legacy))
            .execute(&mut *tx)
            .await?;
        sqlx::query(&format!(
            "INSERT INTO esia_certificates ({CERT_COLS}) VALUES ($1, $2, $3, $4, NULL)"
        ))
        .bind(&client.id)
        .bind(cert_hash)
        .bind(cert_der_b64)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        Ok(())
    }

    /// The new certificate becomes current; the current ones stay valid `overlap` seconds more.
    /// False when the client is not an ESIA client. Conflict when the certificate is already
    /// registered for it.
    pub async fn replace_esia_certificate(
        &mut self,
        client_id: &str,
        cert_hash: &str,
        cert_der_b64: &str,
        overlap: i64,
    ) -> Result<bool, StoreError> {
        let now = self.store().now();
        let tx = self.conn();
        let known: Option<(String,)> =
            sqlx::query_as("SELECT client_id FROM esia_clients WHERE client_id = $1")
                .bind(client_id)
                .fetch_optional(&mut *tx)
                .await?;
        if known.is_none() {
            return Ok(false);
        }
        sqlx::query(
            "UPDATE esia_certificates SET expires_at = $2 WHERE client_id = $1 AND \
             (expires_at IS NULL OR expires_at > $2)",
        )
        .bind(client_id)
        .bind(now + overlap)
        .execute(&mut *tx)
        .await?;
        sqlx::query(&format!(
            "INSERT INTO esia_certificates ({CERT_COLS}) VALUES ($1, $2, $3, $4, NULL)"
        ))
        .bind(client_id)
        .bind(cert_hash)
        .bind(cert_der_b64)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        Ok(true)
    }

    /// Sets the legacy flag (esia_clients) and PKCE-required (clients) of an ESIA client; `None`
    /// keeps a value. False when the client is not an ESIA client.
    pub async fn set_esia_flags(
        &mut self,
        client_id: &str,
        legacy: Option<i64>,
        require_pkce: Option<i64>,
    ) -> Result<bool, StoreError> {
        let tx = self.conn();
        let done = sqlx::query(
            "UPDATE esia_clients SET legacy = COALESCE($2, legacy) WHERE client_id = $1",
        )
        .bind(client_id)
        .bind(legacy)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        sqlx::query("UPDATE clients SET require_pkce = COALESCE($2, require_pkce) WHERE id = $1")
            .bind(client_id)
            .bind(require_pkce)
            .execute(&mut *tx)
            .await?;
        Ok(true)
    }
}
