//! Signing keys: private part sealed under the KEK, public JWK in clear.

use super::{Store, StoreError};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SigningKeyRow {
    pub kid: String,
    pub alg: String,
    pub state: String,
    pub private_sealed: String,
    pub public_jwk: String,
    pub created_at: i64,
    pub activated_at: Option<i64>,
    pub retired_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

const COLS: &str =
    "kid, alg, state, private_sealed, public_jwk, created_at, activated_at, retired_at, revoked_at";

impl Store {
    pub async fn insert_signing_key(&self, k: &SigningKeyRow) -> Result<(), StoreError> {
        sqlx::query(&format!(
            "INSERT INTO signing_keys ({COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        ))
        .bind(&k.kid)
        .bind(&k.alg)
        .bind(&k.state)
        .bind(&k.private_sealed)
        .bind(&k.public_jwk)
        .bind(k.created_at)
        .bind(k.activated_at)
        .bind(k.retired_at)
        .bind(k.revoked_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Every key that is still published (not revoked), oldest first.
    pub async fn published_signing_keys(&self) -> Result<Vec<SigningKeyRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {COLS} FROM signing_keys WHERE state <> 'revoked' ORDER BY created_at, kid"
        ))
        .fetch_all(&self.pool)
        .await?)
    }
}
