//! Second factors of an account: TOTP credential, recovery codes, and the security choices
//! (SMS two-step login, login alerts).

use super::{Store, StoreError, new_id};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SecurityChoices {
    pub sms_two_step: bool,
    pub login_alerts: bool,
}

/// What a second step may use, read at once: an app (TOTP), recovery codes left, SMS chosen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SecondFactors {
    pub totp: bool,
    pub recovery_codes_left: i64,
    pub sms_two_step: bool,
}

/// The columns that read an account's [`SecondFactors`] (as [`FactorRow`]), for the account
/// whose id is the SQL expression `account` (a parameter, or a column of a joined query).
pub(super) fn factor_columns(account: &str) -> String {
    format!(
        "(SELECT COUNT(*) FROM totp_credentials WHERE account_id = {account}) AS totp, \
         (SELECT COUNT(*) FROM recovery_codes WHERE account_id = {account} AND used_at IS NULL) \
           AS recovery_codes_left, \
         COALESCE((SELECT sms_two_step FROM account_security WHERE account_id = {account}), 0) \
           AS sms_two_step"
    )
}

/// [`SecondFactors`] as [`factor_columns`] read them.
#[derive(sqlx::FromRow)]
pub(super) struct FactorRow {
    totp: i64,
    recovery_codes_left: i64,
    sms_two_step: i64,
}

impl From<FactorRow> for SecondFactors {
    fn from(r: FactorRow) -> SecondFactors {
        SecondFactors {
            totp: r.totp > 0,
            recovery_codes_left: r.recovery_codes_left,
            sms_two_step: r.sms_two_step != 0,
        }
    }
}

/// One of the [`SecurityChoices`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecurityChoice {
    SmsTwoStep,
    LoginAlerts,
}

impl Store {
    /// Stores (or replaces) the account's TOTP secret, already sealed, with the step used to confirm it.
    pub async fn set_totp(
        &self,
        account_id: &str,
        sealed_secret: &str,
        confirmed_step: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO totp_credentials (account_id, secret, last_step, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (account_id) DO UPDATE SET secret = $2, last_step = $3, created_at = $4",
        )
        .bind(account_id)
        .bind(sealed_secret)
        .bind(confirmed_step)
        .bind(self.now())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The sealed TOTP secret of the account, if it has one.
    pub async fn totp_secret(&self, account_id: &str) -> Result<Option<String>, StoreError> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT secret FROM totp_credentials WHERE account_id = $1")
                .bind(account_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|r| r.0))
    }

    /// Accepts time step `step` once: true only if it is later than every step accepted before
    /// (one atomic statement, so two nodes cannot both accept the same code).
    pub async fn spend_totp_step(&self, account_id: &str, step: i64) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE totp_credentials SET last_step = $2 WHERE account_id = $1 AND last_step < $2",
        )
        .bind(account_id)
        .bind(step)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn delete_totp(&self, account_id: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM totp_credentials WHERE account_id = $1")
            .bind(account_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Replaces every recovery code of the account by these hashes.
    pub async fn replace_recovery_codes(
        &self,
        account_id: &str,
        hashes: &[String],
    ) -> Result<(), StoreError> {
        let now = self.now();
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM recovery_codes WHERE account_id = $1")
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
        for h in hashes {
            sqlx::query(
                "INSERT INTO recovery_codes (id, account_id, code_hash, created_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(new_id())
            .bind(account_id)
            .bind(h)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Marks an unused recovery code used; true only for the call that used it.
    pub async fn spend_recovery_code(
        &self,
        account_id: &str,
        code_hash: &str,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE recovery_codes SET used_at = $3 WHERE account_id = $1 AND code_hash = $2 AND used_at IS NULL",
        )
        .bind(account_id)
        .bind(code_hash)
        .bind(self.now())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The account's second factors in one statement (a sign-in asks for all three at once).
    pub async fn second_factors(&self, account_id: &str) -> Result<SecondFactors, StoreError> {
        static SQL: std::sync::LazyLock<String> =
            std::sync::LazyLock::new(|| format!("SELECT {}", factor_columns("$1")));
        let row: FactorRow = sqlx::query_as(SQL.as_str())
            .bind(account_id)
            .fetch_one(&self.pool)
            .await?;
        Ok(row.into())
    }

    pub async fn recovery_codes_left(&self, account_id: &str) -> Result<i64, StoreError> {
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM recovery_codes WHERE account_id = $1 AND used_at IS NULL",
        )
        .bind(account_id)
        .fetch_one(&self.pool)
        .await?;
        Ok(n)
    }

    pub async fn security_choices(&self, account_id: &str) -> Result<SecurityChoices, StoreError> {
        let row: Option<(i64, i64)> = sqlx::query_as(
            "SELECT sms_two_step, login_alerts FROM account_security WHERE account_id = $1",
        )
        .bind(account_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row
            .map(|(s, a)| SecurityChoices {
                sms_two_step: s != 0,
                login_alerts: a != 0,
            })
            .unwrap_or_default())
    }

    pub async fn set_security_choices(
        &self,
        account_id: &str,
        c: SecurityChoices,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO account_security (account_id, sms_two_step, login_alerts, updated_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (account_id) DO UPDATE \
             SET sms_two_step = $2, login_alerts = $3, updated_at = $4",
        )
        .bind(account_id)
        .bind(i64::from(c.sms_two_step))
        .bind(i64::from(c.login_alerts))
        .bind(self.now())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Turns one choice on or off in one statement (no read-modify-write: two changes racing each
    /// other cannot undo one another's other choice).
    pub async fn set_security_choice(
        &self,
        account_id: &str,
        choice: SecurityChoice,
        on: bool,
    ) -> Result<(), StoreError> {
        let column = match choice {
            SecurityChoice::SmsTwoStep => "sms_two_step",
            SecurityChoice::LoginAlerts => "login_alerts",
        };
        // A new row starts from the defaults (SMS off, alerts on) with this one choice set.
        let defaults = SecurityChoices::default();
        let (sms, alerts) = match choice {
            SecurityChoice::SmsTwoStep => (on, defaults.login_alerts),
            SecurityChoice::LoginAlerts => (defaults.sms_two_step, on),
        };
        sqlx::query(&format!(
            "INSERT INTO account_security (account_id, sms_two_step, login_alerts, updated_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (account_id) DO UPDATE \
             SET {column} = $5, updated_at = $4"
        ))
        .bind(account_id)
        .bind(i64::from(sms))
        .bind(i64::from(alerts))
        .bind(self.now())
        .bind(i64::from(on))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Removes the authenticator app and every recovery code with it, in one transaction.
    pub async fn remove_totp(&self, account_id: &str) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        for table in ["totp_credentials", "recovery_codes"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE account_id = $1"))
                .bind(account_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Every (account id, sealed TOTP secret), for a KEK rewrap.
    pub async fn all_totp_secrets(&self) -> Result<Vec<(String, String)>, StoreError> {
        Ok(sqlx::query_as(ALL_TOTP_SQL).fetch_all(&self.pool).await?)
    }
}

const ALL_TOTP_SQL: &str = "SELECT account_id, secret FROM totp_credentials ORDER BY account_id";

/// A KEK rewrap, in the change that commits with its audit entry.
impl super::change::Change<'_> {
    /// The next `limit` (account id, sealed TOTP secret) after account `after`, in account order,
    /// on the change's own connection: one batch of a rewrap.
    pub async fn totp_secrets_after(
        &mut self,
        after: &str,
        limit: i64,
    ) -> Result<Vec<(String, String)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT account_id, secret FROM totp_credentials WHERE account_id > $1 \
             ORDER BY account_id LIMIT $2",
        )
        .bind(after)
        .bind(limit)
        .fetch_all(self.conn())
        .await?)
    }

    /// Replaces sealed TOTP secrets (KEK rewrap).
    pub async fn reseal_totp_secrets(
        &mut self,
        sealed: &[(String, String)],
    ) -> Result<(), StoreError> {
        for (account_id, secret) in sealed {
            sqlx::query("UPDATE totp_credentials SET secret = $2 WHERE account_id = $1")
                .bind(account_id)
                .bind(secret)
                .execute(self.conn())
                .await?;
        }
        Ok(())
    }
}
