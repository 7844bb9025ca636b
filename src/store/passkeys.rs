//! WebAuthn passkeys of an account: the serialised credential plus what the settings page shows
//! (name, created, last used, counter, clone flag).

use super::{Store, StoreError, new_id};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PasskeyRow {
    pub id: String,
    pub account_id: String,
    /// base64url of the credential id (what the authenticator names the key by).
    pub cred_id: String,
    /// The WebAuthn user handle (a UUID) the authenticator returns in discoverable sign-in.
    pub user_handle: String,
    pub name: String,
    /// webauthn-rs `Passkey` as JSON.
    pub passkey: String,
    pub counter: i64,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub flagged_at: Option<i64>,
}

pub struct NewPasskey<'a> {
    pub account_id: &'a str,
    pub cred_id: &'a str,
    pub user_handle: &'a str,
    pub name: &'a str,
    pub passkey: &'a str,
    pub counter: i64,
}

const COLS: &str = "id, account_id, cred_id, user_handle, name, passkey, counter, created_at, last_used_at, flagged_at";

impl Store {
    /// Conflict when the credential id is already registered (to anyone).
    pub async fn add_passkey(&self, p: NewPasskey<'_>) -> Result<PasskeyRow, StoreError> {
        Ok(self.returning_one(sqlx::query_as(&format!(
            "INSERT INTO passkeys ({COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, NULL) \
             RETURNING {COLS}"
        ))
        .bind(new_id())
        .bind(p.account_id)
        .bind(p.cred_id)
        .bind(p.user_handle)
        .bind(p.name)
        .bind(p.passkey)
        .bind(p.counter)
        .bind(self.now()))
        .await?)
    }

    pub async fn passkeys_of(&self, account_id: &str) -> Result<Vec<PasskeyRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {COLS} FROM passkeys WHERE account_id = $1 ORDER BY created_at, id"
        ))
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn passkey_by_cred_id(
        &self,
        cred_id: &str,
    ) -> Result<Option<PasskeyRow>, StoreError> {
        Ok(
            sqlx::query_as(&format!("SELECT {COLS} FROM passkeys WHERE cred_id = $1"))
                .bind(cred_id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// The user handle already given to this account's passkeys, if any.
    pub async fn passkey_user_handle(
        &self,
        account_id: &str,
    ) -> Result<Option<String>, StoreError> {
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT user_handle FROM passkeys WHERE account_id = $1 ORDER BY created_at LIMIT 1",
        )
        .bind(account_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| r.0))
    }

    /// Renames one of the account's passkeys; false when it is not theirs.
    pub async fn rename_passkey(
        &self,
        account_id: &str,
        id: &str,
        name: &str,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE passkeys SET name = $3 WHERE id = $1 AND account_id = $2")
            .bind(id)
            .bind(account_id)
            .bind(name)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Removes one of the account's passkeys; its name, or None when it is not theirs.
    pub async fn remove_passkey(
        &self,
        account_id: &str,
        id: &str,
    ) -> Result<Option<String>, StoreError> {
        let row: Option<(String,)> = self
            .returning(
                sqlx::query_as(
                    "DELETE FROM passkeys WHERE id = $1 AND account_id = $2 RETURNING name",
                )
                .bind(id)
                .bind(account_id),
            )
            .await?;
        Ok(row.map(|r| r.0))
    }

    /// After a successful sign-in: the updated credential (counter, backup state) and the time.
    /// The counter only moves forward: a racing older update cannot lower it.
    pub async fn record_passkey_use(
        &self,
        id: &str,
        passkey: &str,
        counter: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE passkeys SET passkey = $2, counter = $3, last_used_at = $4 \
             WHERE id = $1 AND counter <= $3",
        )
        .bind(id)
        .bind(passkey)
        .bind(counter)
        .bind(self.now())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Marks a passkey as possibly cloned (its signature counter went backwards).
    pub async fn flag_passkey(&self, id: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE passkeys SET flagged_at = $2 WHERE id = $1 AND flagged_at IS NULL")
            .bind(id)
            .bind(self.now())
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
