//! Login attempts (login_events) and the counters and locks derived from them (login_guard).
//! Everything here is in the store so it holds across nodes and restarts.

use super::{Store, StoreError, new_id};
use crate::types::net::address_block;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LoginEventRow {
    pub id: String,
    pub account_id: Option<String>,
    pub at: i64,
    pub user_agent: String,
    pub ip: String,
    pub method: String,
    pub result: String,
}

pub struct NewLoginEvent<'a> {
    pub account_id: Option<&'a str>,
    pub user_agent: &'a str,
    pub ip: &'a str,
    pub method: &'a str,
    pub result: &'a str,
}

/// What [`Store::guard_before_attempt`] read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GuardBefore {
    pub most_consecutive: i64,
    pub locked_until: i64,
    pub any_run: bool,
}

/// The state of one scope after a failure was counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GuardState {
    pub consecutive: i64,
    pub locked_until: i64,
}

pub fn account_scope(account_id: &str) -> String {
    format!("account:{account_id}")
}

/// The scope of one client address block (an IPv6 address counts with its /64).
pub fn ip_scope(ip: &str) -> String {
    format!("ip:{}", address_block(ip))
}

/// The scope of a submitted login identifier (already normalised and hashed by the caller),
/// counted whether or not an account has it.
pub fn login_scope(login_key: &str) -> String {
    format!("login:{login_key}")
}

/// The scope of one login identifier tried from one address block.
pub fn pair_scope(ip: &str, login_key: &str) -> String {
    format!("pair:{}|{login_key}", address_block(ip))
}

impl Store {
    pub async fn record_login_event(&self, e: NewLoginEvent<'_>) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO login_events (id, account_id, at, user_agent, ip, method, result) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(new_id())
        .bind(e.account_id)
        .bind(self.now())
        .bind(e.user_agent.chars().take(300).collect::<String>())
        .bind(e.ip)
        .bind(e.method)
        .bind(e.result)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Records a successful sign-in and tells, in the same statement, whether this account had
    /// signed in successfully from this user agent and IP before (a device seen before).
    pub async fn record_success_seen_before(
        &self,
        e: NewLoginEvent<'_>,
    ) -> Result<bool, StoreError> {
        let id = new_id();
        let (seen,): (i64,) = self
            .returning_one(
                sqlx::query_as(
                    "INSERT INTO login_events (id, account_id, at, user_agent, ip, method, result) \
                     VALUES ($1, $2, $3, $4, $5, $6, 'success') \
                     RETURNING CAST(EXISTS (SELECT 1 FROM login_events k WHERE k.account_id = $2 \
                       AND k.user_agent = $4 AND k.ip = $5 AND k.result = 'success' AND k.id <> $1) \
                       AS INTEGER)",
                )
                .bind(&id)
                .bind(e.account_id)
                .bind(self.now())
                .bind(e.user_agent.chars().take(300).collect::<String>())
                .bind(e.ip)
                .bind(e.method),
            )
            .await?;
        Ok(seen != 0)
    }

    /// The newest login events of an account, newest first.
    pub async fn login_events_of(
        &self,
        account_id: &str,
        limit: i64,
    ) -> Result<Vec<LoginEventRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT id, account_id, at, user_agent, ip, method, result FROM login_events \
             WHERE account_id = $1 ORDER BY at DESC, id DESC LIMIT $2",
        )
        .bind(account_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Counts one more consecutive failure for `scope` in one atomic statement.
    pub async fn count_login_failure(&self, scope: &str) -> Result<GuardState, StoreError> {
        let (consecutive, locked_until): (i64, i64) = self.returning_one(sqlx::query_as(
            "INSERT INTO login_guard (scope, consecutive, locked_until, reset_at, updated_at) \
             VALUES ($1, 1, 0, 0, $2) \
             ON CONFLICT (scope) DO UPDATE SET consecutive = login_guard.consecutive + 1, updated_at = $2 \
             RETURNING consecutive, locked_until",
        )
        .bind(scope)
        .bind(self.now()))
        .await?;
        Ok(GuardState {
            consecutive,
            locked_until,
        })
    }

    /// Consecutive failures of `scope` and until when it is locked (0, 0 when never seen).
    pub async fn login_guard(&self, scope: &str) -> Result<GuardState, StoreError> {
        let row: Option<(i64, i64)> =
            sqlx::query_as("SELECT consecutive, locked_until FROM login_guard WHERE scope = $1")
                .bind(scope)
                .fetch_optional(&self.pool)
                .await?;
        let (consecutive, locked_until) = row.unwrap_or((0, 0));
        Ok(GuardState {
            consecutive,
            locked_until,
        })
    }

    /// The most consecutive failures of any of `scopes` (0 when none was seen): one statement
    /// for the checks a sign-in makes of several scopes at once.
    pub async fn most_consecutive_failures(&self, scopes: &[&str]) -> Result<i64, StoreError> {
        let sql = format!(
            "SELECT COALESCE(MAX(consecutive), 0) FROM login_guard WHERE scope IN ({})",
            placeholders(1, scopes.len())
        );
        let mut q = sqlx::query_as(&sql);
        for s in scopes {
            q = q.bind(*s);
        }
        let (most,): (i64,) = q.fetch_one(&self.pool).await?;
        Ok(most)
    }

    /// What a password attempt checks before it hashes, in one statement: the most consecutive
    /// failures of `run_scopes` (whether a proof of work is due), until when `lock_scope` is
    /// locked (0 when it never was), and whether any of `lock_scope`, `run_scopes` and
    /// `also_scope` has a run of failures a success would end. `lock_scope` may be one of
    /// `run_scopes`.
    pub async fn guard_before_attempt(
        &self,
        lock_scope: &str,
        run_scopes: [&str; 2],
        also_scope: &str,
    ) -> Result<GuardBefore, StoreError> {
        let row: (Option<i64>, Option<i64>, Option<i64>) = sqlx::query_as(
            "SELECT MAX(CASE WHEN scope IN ($2, $3) THEN consecutive END), \
                    MAX(CASE WHEN scope = $1 THEN locked_until END), \
                    MAX(consecutive) \
             FROM login_guard WHERE scope IN ($1, $2, $3, $4)",
        )
        .bind(lock_scope)
        .bind(run_scopes[0])
        .bind(run_scopes[1])
        .bind(also_scope)
        .fetch_one(&self.pool)
        .await?;
        Ok(GuardBefore {
            most_consecutive: row.0.unwrap_or(0),
            locked_until: row.1.unwrap_or(0),
            any_run: row.2.unwrap_or(0) > 0,
        })
    }

    /// A success ends the runs of consecutive failures of `scopes` (the 30-minute failure window
    /// stays), in one statement that writes only the rows that had a run.
    pub async fn clear_consecutive_failures(&self, scopes: &[&str]) -> Result<(), StoreError> {
        let sql = format!(
            "UPDATE login_guard SET consecutive = 0, updated_at = $1 \
             WHERE consecutive <> 0 AND scope IN ({})",
            placeholders(2, scopes.len())
        );
        let mut q = sqlx::query(&sql).bind(self.now());
        for s in scopes {
            q = q.bind(*s);
        }
        q.execute(&self.pool).await?;
        Ok(())
    }

    /// Failed logins of the account within the last `window` seconds that still count (those
    /// before the last lock or lift do not), whatever the factor: password, app or SMS code,
    /// recovery code, passkey.
    pub async fn recent_login_failures(
        &self,
        account_id: &str,
        window: i64,
    ) -> Result<i64, StoreError> {
        let now = self.now();
        let (n,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM login_events WHERE account_id = $1 AND result = 'failure' \
             AND at > $2 \
             AND at > COALESCE((SELECT reset_at FROM login_guard WHERE scope = $3), 0)",
        )
        .bind(account_id)
        .bind(now - window)
        .bind(account_scope(account_id))
        .fetch_one(&self.pool)
        .await?;
        Ok(n)
    }

    /// Locks password login of the scope until `until`; true only for the call that locked it
    /// (a scope already locked stays as it is), so the owner is notified once.
    pub async fn lock_login(&self, scope: &str, until: i64) -> Result<bool, StoreError> {
        let now = self.now();
        let done = sqlx::query(
            "UPDATE login_guard SET locked_until = $2, reset_at = $3, updated_at = $3 \
             WHERE scope = $1 AND locked_until <= $3",
        )
        .bind(scope)
        .bind(until)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Ends a lock and forgets the failures before now (called after a successful recovery).
    pub async fn unlock_login(&self, scope: &str) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE login_guard SET locked_until = 0, consecutive = 0, reset_at = $2, updated_at = $2 \
             WHERE scope = $1",
        )
        .bind(scope)
        .bind(self.now())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Claims the right to tell the owner about a lock through `channel`: true at most once per
    /// `every` seconds per account and channel (one atomic statement, so two nodes cannot both send).
    pub async fn claim_lock_notice(
        &self,
        account_id: &str,
        channel: &str,
        every: i64,
    ) -> Result<bool, StoreError> {
        let now = self.now();
        let done = sqlx::query(
            "INSERT INTO lock_notices (account_id, channel, sent_at) VALUES ($1, $2, $3) \
             ON CONFLICT (account_id, channel) DO UPDATE SET sent_at = $3 \
             WHERE lock_notices.sent_at <= $4",
        )
        .bind(account_id)
        .bind(channel)
        .bind(now)
        .bind(now - every)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Lifts the password-login lock of an account and forgets its earlier failures (the recovery
    /// flow calls this after a successful recovery).
    pub async fn lift_lock(&self, account_id: &str) -> Result<(), StoreError> {
        self.unlock_login(&account_scope(account_id)).await
    }
}

/// `$first, $first+1, …` for `n` bound values.
fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}
