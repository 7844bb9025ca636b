//! The person's ESIA object id (oid): a stable integer, given on first need and never reused.

use super::{Store, StoreError};

impl Store {
    /// The oid of an account, given now when it has none (any node may race: the unique account
    /// column makes the second insert a no-op and both read the one number).
    pub async fn person_oid(&self, account_id: &str) -> Result<i64, StoreError> {
        sqlx::query(
            "INSERT INTO person_oids (account_id) VALUES ($1) ON CONFLICT (account_id) DO NOTHING",
        )
        .bind(account_id)
        .execute(&self.pool)
        .await?;
        let (oid,): (i64,) = sqlx::query_as("SELECT oid FROM person_oids WHERE account_id = $1")
            .bind(account_id)
            .fetch_one(&self.pool)
            .await?;
        Ok(oid)
    }

    /// The account an oid names, if it still exists.
    pub async fn account_of_oid(&self, oid: i64) -> Result<Option<String>, StoreError> {
        Ok(
            sqlx::query_as::<_, (String,)>("SELECT account_id FROM person_oids WHERE oid = $1")
                .bind(oid)
                .fetch_optional(&self.pool)
                .await?
                .map(|(a,)| a),
        )
    }
}
