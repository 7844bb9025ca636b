//! Signing keys: private part sealed under the KEK, public JWK in clear.

use super::change::Change;
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

/// The INSERT of a key row, on the pool or in a change.
fn insert_query(
    k: &SigningKeyRow,
) -> sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments<'_>> {
    sqlx::query(INSERT_SQL)
        .bind(&k.kid)
        .bind(&k.alg)
        .bind(&k.state)
        .bind(&k.private_sealed)
        .bind(&k.public_jwk)
        .bind(k.created_at)
        .bind(k.activated_at)
        .bind(k.retired_at)
        .bind(k.revoked_at)
}

const INSERT_SQL: &str = "INSERT INTO signing_keys (kid, alg, state, private_sealed, public_jwk, created_at, \
                          activated_at, retired_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

impl Store {
    /// A node's first keys at start (no operator involved; rotations go through a change).
    pub async fn insert_signing_key(&self, k: &SigningKeyRow) -> Result<(), StoreError> {
        insert_query(k).execute(&self.pool).await?;
        Ok(())
    }

    /// Every key that is still published (next, active, retired), oldest first.
    pub async fn published_signing_keys(&self) -> Result<Vec<SigningKeyRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {COLS} FROM signing_keys WHERE state IN ('next', 'active', 'retired') ORDER BY created_at, kid"
        ))
        .fetch_all(&self.pool)
        .await?)
    }
}

impl Store {
    pub async fn all_signing_keys(&self) -> Result<Vec<SigningKeyRow>, StoreError> {
        Ok(sqlx::query_as(&all_keys_sql())
            .fetch_all(&self.pool)
            .await?)
    }

    /// Lifecycle steps due now, idempotent and safe on every node at once: `next` keys published
    /// long enough become active; an active key with a newer active sibling retires; retired keys
    /// whose tokens have all expired leave the JWKS.
    pub async fn advance_key_lifecycle(
        &self,
        prepublish: i64,
        keep_retired: i64,
    ) -> Result<u64, StoreError> {
        let mut tx = self.begin().await?;
        let changed = advance_lifecycle(&mut tx, self.now(), prepublish, keep_retired).await?;
        tx.commit().await?;
        Ok(changed)
    }
}

/// The writes of an operator's key change, in the change that commits with its audit entry.
fn all_keys_sql() -> String {
    format!("SELECT {COLS} FROM signing_keys ORDER BY created_at, kid")
}

impl Change<'_> {
    /// [`Store::all_signing_keys`] on the change's own connection (the keys it reseals).
    pub async fn all_signing_keys(&mut self) -> Result<Vec<SigningKeyRow>, StoreError> {
        Ok(sqlx::query_as(&all_keys_sql())
            .fetch_all(self.conn())
            .await?)
    }

    pub async fn insert_signing_key(&mut self, k: &SigningKeyRow) -> Result<(), StoreError> {
        insert_query(k).execute(self.conn()).await?;
        Ok(())
    }

    /// Revokes a key: out of the JWKS, and every token it signed refused. None if there was none
    /// to revoke.
    pub async fn revoke_signing_key(
        &mut self,
        kid: &str,
    ) -> Result<Option<SigningKeyRow>, StoreError> {
        let now = self.store().now();
        let row = sqlx::query_as(&format!(
            "UPDATE signing_keys SET state = 'revoked', revoked_at = $2 WHERE kid = $1 AND state <> 'revoked' RETURNING {COLS}"
        ))
        .bind(kid)
        .bind(now)
        .fetch_all(self.conn())
        .await?
        .into_iter()
        .next();
        self.note_change();
        Ok(row)
    }

    /// Whether `alg` has an active key, read inside the change (it sees the change's own writes).
    pub async fn has_active_signing_key(&mut self, alg: &str) -> Result<bool, StoreError> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM signing_keys WHERE alg = $1 AND state = 'active'",
        )
        .bind(alg)
        .fetch_one(self.conn())
        .await?;
        Ok(n > 0)
    }

    /// Every active key of `alg` but `kid` retires (an explicit rotation takes effect at once).
    pub async fn retire_other_active_keys(
        &mut self,
        alg: &str,
        kid: &str,
    ) -> Result<(), StoreError> {
        let now = self.store().now();
        sqlx::query("UPDATE signing_keys SET state = 'retired', retired_at = $3 WHERE alg = $1 AND kid <> $2 AND state = 'active'")
            .bind(alg)
            .bind(kid)
            .bind(now)
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// [`Store::advance_key_lifecycle`] inside the change.
    pub async fn advance_key_lifecycle(
        &mut self,
        prepublish: i64,
        keep_retired: i64,
    ) -> Result<u64, StoreError> {
        let now = self.store().now();
        advance_lifecycle(self.conn(), now, prepublish, keep_retired).await
    }
}

async fn advance_lifecycle(
    conn: &mut super::bounded_tx::TxConn,
    now: i64,
    prepublish: i64,
    keep_retired: i64,
) -> Result<u64, StoreError> {
    let mut changed = sqlx::query(
        "UPDATE signing_keys SET state = 'active', activated_at = $1 WHERE state = 'next' AND created_at <= $2",
    )
    .bind(now)
    .bind(now - prepublish)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    changed += sqlx::query(
        "UPDATE signing_keys SET state = 'retired', retired_at = $1 WHERE state = 'active' AND EXISTS \
         (SELECT 1 FROM signing_keys n WHERE n.alg = signing_keys.alg AND n.state = 'active' \
          AND (n.activated_at > signing_keys.activated_at \
               OR (n.activated_at = signing_keys.activated_at AND n.kid > signing_keys.kid)))",
    )
    .bind(now)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    changed += sqlx::query(
        "UPDATE signing_keys SET state = 'expired' WHERE state = 'retired' AND retired_at <= $1",
    )
    .bind(now - keep_retired)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(changed)
}

/// A KEK rewrap, in the change that commits with its audit entry.
impl Change<'_> {
    /// Replaces every key's sealed private part (KEK rewrap).
    pub async fn reseal_signing_keys(
        &mut self,
        resealed: &[(String, String)],
    ) -> Result<(), StoreError> {
        for (kid, sealed) in resealed {
            sqlx::query("UPDATE signing_keys SET private_sealed = $2 WHERE kid = $1")
                .bind(kid)
                .bind(sealed)
                .execute(self.conn())
                .await?;
        }
        Ok(())
    }
}
