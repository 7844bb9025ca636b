//! The person's ESIA object id (oid): a stable integer, given on first need and never reused.

use super::{Store, StoreError};

impl Store {
    /// The oid of an account, given now when it has none (any node may race: the unique account
    /// column makes the second insert a no-op and both read the one number). Read first: a person
    /// who has one — every token after the first — costs one read, no write, and no number of the
    /// sequence (both databases take one for each insert they try, conflicting or not).
    pub async fn person_oid(&self, account_id: &str) -> Result<i64, StoreError> {
        if let Some(oid) = self.oid_of_account(account_id).await? {
            return Ok(oid);
        }
        sqlx::query(
            "INSERT INTO person_oids (account_id) VALUES ($1) ON CONFLICT (account_id) DO NOTHING",
        )
        .bind(account_id)
        .execute(&self.pool)
        .await?;
        self.oid_of_account(account_id)
            .await?
            .ok_or(StoreError::Db(sqlx::Error::RowNotFound))
    }

    /// The oid an account has, if it has one yet.
    pub async fn oid_of_account(&self, account_id: &str) -> Result<Option<i64>, StoreError> {
        Ok(
            sqlx::query_as::<_, (i64,)>("SELECT oid FROM person_oids WHERE account_id = $1")
                .bind(account_id)
                .fetch_optional(&self.pool)
                .await?
                .map(|(oid,)| oid),
        )
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
