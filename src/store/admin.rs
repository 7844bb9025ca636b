//! Administrator roles and CLI-issued bootstrap tokens (stored hashed, with an expiry).

use super::change::Change;
use super::{Store, StoreError};

fn grant_query<'q>(
    account_id: &'q str,
    role: &'q str,
    now: i64,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    sqlx::query(
        "INSERT INTO admin_roles (account_id, role, granted_at) VALUES ($1, $2, $3) ON CONFLICT (account_id, role) DO NOTHING",
    )
    .bind(account_id)
    .bind(role)
    .bind(now)
}

/// An operator granting a role, a bootstrap token issued: each committed with its audit entry.
impl Change<'_> {
    pub async fn insert_admin_token(
        &mut self,
        hash: &str,
        roles: &str,
        label: &str,
        ttl: i64,
    ) -> Result<i64, StoreError> {
        let now = self.store().now();
        sqlx::query("INSERT INTO admin_tokens (hash, roles, label, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(hash)
            .bind(roles)
            .bind(label)
            .bind(now)
            .bind(now + ttl)
            .execute(self.conn())
            .await?;
        Ok(now + ttl)
    }

    pub async fn grant_role(&mut self, account_id: &str, role: &str) -> Result<(), StoreError> {
        let now = self.store().now();
        grant_query(account_id, role, now)
            .execute(self.conn())
            .await?;
        Ok(())
    }
}

impl Store {
    /// A role granted with nobody to audit it (tests' fixtures); operators use [`Change::grant_role`].
    pub async fn grant_role(&self, account_id: &str, role: &str) -> Result<(), StoreError> {
        grant_query(account_id, role, self.now())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn roles_of(&self, account_id: &str) -> Result<Vec<String>, StoreError> {
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT role FROM admin_roles WHERE account_id = $1 ORDER BY role")
                .bind(account_id)
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    /// (roles JSON, label) of an unexpired bootstrap token.
    pub async fn admin_token(&self, hash: &str) -> Result<Option<(String, String)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT roles, label FROM admin_tokens WHERE hash = $1 AND expires_at > $2",
        )
        .bind(hash)
        .bind(self.now())
        .fetch_optional(&self.pool)
        .await?)
    }
}

impl Store {
    /// Every (account, role) pair, for the console's administrators list.
    pub async fn all_roles(&self) -> Result<Vec<(String, String)>, StoreError> {
        Ok(
            sqlx::query_as("SELECT account_id, role FROM admin_roles ORDER BY account_id, role")
                .fetch_all(&self.pool)
                .await?,
        )
    }
}
