//! Rows written straight into the store in bulk, for the sweep's tests: old grants and sessions.

/// Inserts `n` grants of `account` to `client` with `scopes`, ids `{prefix}{10000 + i}` (so they
/// sort as made), the i-th (from 1) made at `made_at + i * step`.
#[allow(clippy::too_many_arguments)]
pub async fn insert_grants(
    db: &mut sqlx::AnyConnection,
    prefix: &str,
    n: u32,
    account: &str,
    client: &str,
    scopes: &str,
    made_at: i64,
    step: i64,
) {
    sqlx::query(&format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n}) \
         INSERT INTO grants (id, account_id, client_id, scopes, acr, amr, auth_time, created_at) \
         SELECT '{prefix}' || (10000 + i), $1, $2, $3, 'a', '[]', $4, $4 + i * $5 FROM n"
    ))
    .bind(account)
    .bind(client)
    .bind(scopes)
    .bind(made_at)
    .bind(step)
    .execute(db)
    .await
    .unwrap();
}

/// Inserts `n` sessions of `account`, ids `{prefix}{i}`, begun at `begun` and expiring at `expires`.
pub async fn insert_sessions(
    db: &mut sqlx::AnyConnection,
    prefix: &str,
    n: u32,
    account: &str,
    begun: i64,
    expires: i64,
) {
    sqlx::query(&format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n}) \
         INSERT INTO sessions (id_hash, account_id, auth_time, acr, amr, persistent, user_agent, \
           ip, created_at, last_seen, expires_at) \
         SELECT '{prefix}' || i, $1, $2, 'a', '[]', 0, 'test', '127.0.0.1', $2, $2, $3 FROM n"
    ))
    .bind(account)
    .bind(begun)
    .bind(expires)
    .execute(db)
    .await
    .unwrap();
}
