//! Accounts, their login identifiers (phone, e-mail, later SNILS) and password credentials.

use super::second_factors::{FactorRow, SecondFactors, factor_columns};
use super::{Store, StoreError, new_id};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AccountRow {
    pub id: crate::types::AccountId,
    pub surname: String,
    pub given_name: String,
    pub patronymic: Option<String>,
    pub level: String,
    /// How the current level was reached (identity::levels method names).
    pub level_method: String,
    pub terms_version: String,
    pub privacy_version: String,
    pub registered_via: String,
    pub created_at: i64,
    pub updated_at: i64,
}

/// An account found by a login identifier, with its password hash.
#[derive(sqlx::FromRow)]
struct LoginRow {
    #[sqlx(flatten)]
    account: AccountRow,
    password_hash: Option<String>,
}

#[derive(sqlx::FromRow)]
struct PasswordLoginRow {
    #[sqlx(flatten)]
    login: LoginRow,
    #[sqlx(flatten)]
    factors: FactorRow,
}

/// What a password sign-in reads of the account it names ([`Store::find_password_login`]).
#[derive(Debug, Clone)]
pub struct PasswordLogin {
    pub account: AccountRow,
    pub password_hash: Option<String>,
    pub factors: SecondFactors,
}

/// The account and its password hash by a verified login identifier, with `more` columns.
fn login_sql(more: &str) -> String {
    let cols: Vec<String> = ACCOUNT_COLS.split(", ").map(|c| format!("a.{c}")).collect();
    format!(
        "SELECT {}, c.secret AS password_hash{more} FROM accounts a \
         JOIN identifiers i ON i.account_id = a.id \
         LEFT JOIN credentials c ON c.account_id = a.id AND c.kind = 'password' \
         WHERE i.kind = $1 AND i.value = $2 AND i.verified_at IS NOT NULL",
        cols.join(", ")
    )
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct IdentifierRow {
    pub kind: String,
    pub value: String,
    pub account_id: String,
    pub verified_at: Option<i64>,
}

pub struct NewAccount<'a> {
    pub surname: &'a str,
    pub given_name: &'a str,
    pub contact_kind: &'a str,
    pub contact_value: &'a str,
    pub terms_version: &'a str,
    pub privacy_version: &'a str,
    pub registered_via: &'a str,
    pub password_hash: &'a str,
}

const ACCOUNT_COLS: &str = "id, surname, given_name, patronymic, level, level_method, terms_version, \
                            privacy_version, registered_via, created_at, updated_at";

impl Store {
    /// Creates the account with its confirmed contact and password in one transaction.
    /// `Conflict` when the contact already belongs to someone.
    pub async fn create_account(&self, new: NewAccount<'_>) -> Result<AccountRow, StoreError> {
        let mut change = self.change().await?;
        let row = change.create_account(new).await?;
        change.commit_unaudited().await?;
        Ok(row)
    }

    /// The confirmed `value` replaces the account's contact of this kind (or is added), in one
    /// transaction. `Conflict` when another account has it.
    pub async fn replace_contact(
        &self,
        account_id: &str,
        kind: &str,
        value: &str,
    ) -> Result<(), StoreError> {
        let now = self.now();
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM identifiers WHERE account_id = $1 AND kind = $2")
            .bind(account_id)
            .bind(kind)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO identifiers (kind, value, account_id, verified_at, created_at) VALUES ($1, $2, $3, $4, $4)",
        )
        .bind(kind)
        .bind(value)
        .bind(account_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE accounts SET updated_at = $2 WHERE id = $1")
            .bind(account_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.note_change();
        Ok(())
    }

    /// Removes the account; everything that belongs to it goes by ON DELETE CASCADE.
    pub async fn delete_account(&self, account_id: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM accounts WHERE id = $1")
            .bind(account_id)
            .execute(&self.pool)
            .await?;
        self.note_change();
        Ok(())
    }

    /// Replaces the password hash (recovery, password change).
    pub async fn set_password(&self, account_id: &str, hash: &str) -> Result<(), StoreError> {
        let now = self.now();
        let updated = sqlx::query(
            "UPDATE credentials SET secret = $2, updated_at = $3 WHERE account_id = $1 AND kind = 'password'",
        )
        .bind(account_id)
        .bind(hash)
        .bind(now)
        .execute(&self.pool)
        .await?
        .rows_affected();
        if updated == 0 {
            sqlx::query(
                "INSERT INTO credentials (id, account_id, kind, secret, created_at, updated_at) \
                 VALUES ($1, $2, 'password', $3, $4, $4)",
            )
            .bind(new_id())
            .bind(account_id)
            .bind(hash)
            .bind(now)
            .execute(&self.pool)
            .await?;
        }
        Ok(())
    }

    pub async fn identifier_taken(&self, kind: &str, value: &str) -> Result<bool, StoreError> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT account_id FROM identifiers WHERE kind = $1 AND value = $2")
                .bind(kind)
                .bind(value)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.is_some())
    }

    /// The account behind a verified login identifier, with its password hash if it has one.
    pub async fn find_login(
        &self,
        kind: &str,
        value: &str,
    ) -> Result<Option<(AccountRow, Option<String>)>, StoreError> {
        static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| login_sql(""));
        let found: Option<LoginRow> = sqlx::query_as(SQL.as_str())
            .bind(kind)
            .bind(value)
            .fetch_optional(&self.pool)
            .await?;
        Ok(found.map(|f| (f.account, f.password_hash)))
    }

    /// [`Store::find_login`] with the account's second factors, in one statement: what a password
    /// sign-in needs before it hashes and after (a sign-in reads the store as little as it can,
    /// ARCHITECTURE.md §3).
    pub async fn find_password_login(
        &self,
        kind: &str,
        value: &str,
    ) -> Result<Option<PasswordLogin>, StoreError> {
        static SQL: std::sync::LazyLock<String> =
            std::sync::LazyLock::new(|| login_sql(&format!(", {}", factor_columns("a.id"))));
        let found: Option<PasswordLoginRow> = sqlx::query_as(SQL.as_str())
            .bind(kind)
            .bind(value)
            .fetch_optional(&self.pool)
            .await?;
        Ok(found.map(|f| PasswordLogin {
            account: f.login.account,
            password_hash: f.login.password_hash,
            factors: f.factors.into(),
        }))
    }

    pub async fn account(&self, id: &str) -> Result<Option<AccountRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {ACCOUNT_COLS} FROM accounts WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn identifiers(&self, account_id: &str) -> Result<Vec<IdentifierRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT kind, value, account_id, verified_at FROM identifiers WHERE account_id = $1 ORDER BY kind",
        )
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn count_accounts(&self) -> Result<i64, StoreError> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM accounts")
            .fetch_one(&self.pool)
            .await?;
        Ok(n)
    }
}

/// An account an operator registers (`vhod accounts register`), committed with its audit entry;
/// a person's own registration commits it alone ([`Store::create_account`]).
impl super::change::Change<'_> {
    /// The account with its login identifier and password, in the change.
    pub async fn create_account(&mut self, new: NewAccount<'_>) -> Result<AccountRow, StoreError> {
        let now = self.store().now();
        let id = new_id();
        let tx = self.conn();
        let row: AccountRow = sqlx::query_as(&format!(
            "INSERT INTO accounts ({ACCOUNT_COLS}) VALUES ($1, $2, $3, NULL, 'simplified', 'registration', $4, $5, $6, $7, $7) \
             RETURNING {ACCOUNT_COLS}"
        ))
        .bind(&id)
        .bind(new.surname)
        .bind(new.given_name)
        .bind(new.terms_version)
        .bind(new.privacy_version)
        .bind(new.registered_via)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO identifiers (kind, value, account_id, verified_at, created_at) VALUES ($1, $2, $3, $4, $4)",
        )
        .bind(new.contact_kind)
        .bind(new.contact_value)
        .bind(&id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO credentials (id, account_id, kind, secret, created_at, updated_at) \
             VALUES ($1, $2, 'password', $3, $4, $4)",
        )
        .bind(new_id())
        .bind(&id)
        .bind(new.password_hash)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        Ok(row)
    }
}
