//! Grants (what a person allowed a client, the root of every token) and their refresh tokens.
//! Refresh tokens are stored as SHA-256 and rotated; single use comes from one atomic UPDATE.

use super::{Store, StoreError, new_id};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct GrantRow {
    pub id: String,
    pub account_id: String,
    pub client_id: String,
    pub scopes: String,
    pub acr: String,
    pub amr: String,
    pub auth_time: i64,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
    pub claims: Option<String>,
    pub sid: Option<String>,
    pub dpop_jkt: Option<String>,
    /// The organisation the person signed in for (issue 14), if any.
    pub org_oid: Option<i64>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RefreshRow {
    pub hash: String,
    pub grant_id: String,
    pub parent_hash: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

pub struct NewGrant<'a> {
    pub account_id: &'a str,
    pub client_id: &'a str,
    pub scopes: &'a str,
    pub acr: &'a str,
    pub amr: &'a str,
    pub auth_time: i64,
    pub claims: Option<String>,
    pub sid: Option<&'a str>,
    pub dpop_jkt: Option<&'a str>,
}

const GRANT_COLS: &str = "id, account_id, client_id, scopes, acr, amr, auth_time, created_at, revoked_at, claims, sid, dpop_jkt, org_oid";
const REFRESH_COLS: &str = "hash, grant_id, parent_hash, created_at, expires_at, used_at";

impl Store {
    pub async fn create_grant(&self, g: NewGrant<'_>) -> Result<GrantRow, StoreError> {
        self.create_grant_for_org(g, None).await
    }

    /// A grant made for an organisation (`org_oid`), or for the person themself (`None`).
    pub async fn create_grant_for_org(
        &self,
        g: NewGrant<'_>,
        org_oid: Option<i64>,
    ) -> Result<GrantRow, StoreError> {
        let row = self.prepare_grant(g, org_oid);
        self.save_grant(&row, None).await?;
        Ok(row)
    }

    /// The row of a new grant, not yet stored: the token endpoint stores it together with its
    /// first refresh token ([`Store::save_grant`]) once the tokens are made, so a failure on the
    /// way (the database or the cache going away) leaves no grant without tokens behind.
    pub fn prepare_grant(&self, g: NewGrant<'_>, org_oid: Option<i64>) -> GrantRow {
        GrantRow {
            id: new_id(),
            account_id: g.account_id.to_owned(),
            client_id: g.client_id.to_owned(),
            scopes: g.scopes.to_owned(),
            acr: g.acr.to_owned(),
            amr: g.amr.to_owned(),
            auth_time: g.auth_time,
            created_at: self.now(),
            revoked_at: None,
            claims: g.claims,
            sid: g.sid.map(str::to_owned),
            dpop_jkt: g.dpop_jkt.map(str::to_owned),
            org_oid,
        }
    }

    /// Stores a prepared grant and, when the client gets one, its first refresh token (hash, ttl)
    /// in one transaction: both or neither.
    pub async fn save_grant(
        &self,
        row: &GrantRow,
        first_refresh: Option<(&str, i64)>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        sqlx::query(&format!(
            "INSERT INTO grants ({GRANT_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, $9, $10, $11, $12)"
        ))
        .bind(&row.id)
        .bind(&row.account_id)
        .bind(&row.client_id)
        .bind(&row.scopes)
        .bind(&row.acr)
        .bind(&row.amr)
        .bind(row.auth_time)
        .bind(row.created_at)
        .bind(&row.claims)
        .bind(&row.sid)
        .bind(&row.dpop_jkt)
        .bind(row.org_oid)
        .execute(&mut *tx)
        .await?;
        if let Some((hash, ttl)) = first_refresh {
            sqlx::query(&format!(
                "INSERT INTO refresh_tokens ({REFRESH_COLS}) VALUES ($1, $2, NULL, $3, $4, NULL)"
            ))
            .bind(hash)
            .bind(&row.id)
            .bind(row.created_at)
            .bind(row.created_at + ttl)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn grant(&self, id: &str) -> Result<Option<GrantRow>, StoreError> {
        Ok(
            sqlx::query_as(&format!("SELECT {GRANT_COLS} FROM grants WHERE id = $1"))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// Revokes the grant and with it every token derived from it. Idempotent.
    pub async fn revoke_grant(&self, id: &str, reason: &str) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE grants SET revoked_at = $2, revoked_reason = $3 WHERE id = $1 AND revoked_at IS NULL",
        )
        .bind(id)
        .bind(self.now())
        .bind(reason)
        .execute(&self.pool)
        .await?;
        self.note_change();
        Ok(())
    }

    pub async fn insert_refresh_token(
        &self,
        hash: &str,
        grant_id: &str,
        parent_hash: Option<&str>,
        ttl: i64,
    ) -> Result<(), StoreError> {
        let now = self.now();
        sqlx::query(&format!(
            "INSERT INTO refresh_tokens ({REFRESH_COLS}) VALUES ($1, $2, $3, $4, $5, NULL)"
        ))
        .bind(hash)
        .bind(grant_id)
        .bind(parent_hash)
        .bind(now)
        .bind(now + ttl)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Marks the refresh token used if it was unused: `Ok(Ok(row))` for the one caller that wins,
    /// `Ok(Err(Some(row)))` when it exists but was already used, `Ok(Err(None))` when unknown.
    pub async fn take_refresh_token(
        &self,
        hash: &str,
    ) -> Result<Result<RefreshRow, Option<RefreshRow>>, StoreError> {
        let taken: Option<RefreshRow> = self.returning(sqlx::query_as(&format!(
            "UPDATE refresh_tokens SET used_at = $2 WHERE hash = $1 AND used_at IS NULL RETURNING {REFRESH_COLS}"
        ))
        .bind(hash)
        .bind(self.now()))
        .await?;
        if let Some(row) = taken {
            return Ok(Ok(row));
        }
        let existing: Option<RefreshRow> = sqlx::query_as(&format!(
            "SELECT {REFRESH_COLS} FROM refresh_tokens WHERE hash = $1"
        ))
        .bind(hash)
        .fetch_optional(&self.pool)
        .await?;
        Ok(Err(existing))
    }
}

impl Store {
    /// Every stored refresh-token hash (for tests that prove tokens are stored hashed).
    pub async fn refresh_token_hashes_for_tests(&self) -> Result<Vec<(String,)>, StoreError> {
        Ok(sqlx::query_as("SELECT hash FROM refresh_tokens")
            .fetch_all(&self.pool)
            .await?)
    }
}

impl Store {
    /// RFC 7009: remembers a revoked access token until it would have expired anyway.
    pub async fn revoke_access_token(
        &self,
        jti: &str,
        client_id: &str,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO revoked_access_tokens (jti, client_id, expires_at, revoked_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (jti) DO NOTHING",
        )
        .bind(jti)
        .bind(client_id)
        .bind(expires_at)
        .bind(self.now())
        .execute(&self.pool)
        .await?;
        self.note_change();
        Ok(())
    }

    /// True when the access token `jti` was revoked or the key `kid` that signed it was.
    pub async fn is_token_or_key_revoked(&self, jti: &str, kid: &str) -> Result<bool, StoreError> {
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT jti FROM revoked_access_tokens WHERE jti = $1 \
             UNION ALL SELECT kid FROM signing_keys WHERE kid = $2 AND state = 'revoked' LIMIT 1",
        )
        .bind(jti)
        .bind(kid)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.is_some())
    }

    /// A refresh token row, read without consuming it (introspection, revocation).
    pub async fn refresh_token(&self, hash: &str) -> Result<Option<RefreshRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {REFRESH_COLS} FROM refresh_tokens WHERE hash = $1"
        ))
        .bind(hash)
        .fetch_optional(&self.pool)
        .await?)
    }
}

impl Store {
    /// (client_id, account_id) of every live grant made in the SSO session `sid` by a client that
    /// wants back-channel logout.
    pub async fn clients_in_session(&self, sid: &str) -> Result<Vec<(String, String)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT DISTINCT g.client_id, g.account_id FROM grants g JOIN clients c ON c.id = g.client_id \
             WHERE g.sid = $1 AND g.revoked_at IS NULL AND c.backchannel_logout_uri IS NOT NULL",
        )
        .bind(sid)
        .fetch_all(&self.pool)
        .await?)
    }
}

impl Store {
    /// Ends the grants made in the SSO session `sid` (their refresh and access tokens stop
    /// working); `offline_access` grants survive unless `offline_too`. Returns how many ended.
    pub async fn revoke_session_grants(
        &self,
        sid: &str,
        offline_too: bool,
        reason: &str,
    ) -> Result<u64, StoreError> {
        let ended = sqlx::query(
            "UPDATE grants SET revoked_at = $2, revoked_reason = $3 \
             WHERE sid = $1 AND revoked_at IS NULL \
             AND ($4 = 1 OR (' ' || scopes || ' ') NOT LIKE '% offline_access %')",
        )
        .bind(sid)
        .bind(self.now())
        .bind(reason)
        .bind(i64::from(offline_too))
        .execute(&self.pool)
        .await?
        .rows_affected();
        self.note_change();
        Ok(ended)
    }

    /// Ends every grant of the account, offline ones included. Returns how many ended.
    pub async fn revoke_grants_of_account(
        &self,
        account_id: &str,
        reason: &str,
    ) -> Result<u64, StoreError> {
        let ended = sqlx::query(
            "UPDATE grants SET revoked_at = $2, revoked_reason = $3 \
             WHERE account_id = $1 AND revoked_at IS NULL",
        )
        .bind(account_id)
        .bind(self.now())
        .bind(reason)
        .execute(&self.pool)
        .await?
        .rows_affected();
        self.note_change();
        Ok(ended)
    }
}
