//! Relying parties (OAuth clients). Secrets are stored as SHA-256: they are high-entropy, so a slow
//! hash adds nothing but latency on every token request.

use super::change::Change;
use super::{Store, StoreError};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ClientRow {
    pub id: String,
    pub name: String,
    pub secret_hash: Option<String>,
    pub redirect_uris: String,
    pub is_public: i64,
    pub id_token_alg: String,
    pub require_pkce: i64,
    pub grant_types: String,
    pub created_at: i64,
    pub disabled_at: Option<i64>,
    pub allowed_scopes: String,
    pub auth_method: String,
    pub jwks: Option<String>,
    pub jwks_uri: Option<String>,
    pub post_logout_redirect_uris: String,
    pub backchannel_logout_uri: Option<String>,
    pub require_par: i64,
    pub subject_type: String,
    pub sector: Option<String>,
    pub require_dpop: i64,
    pub fapi2: i64,
    pub previous_secret_hash: Option<String>,
    pub previous_secret_expires: Option<i64>,
    pub min_level: String,
    pub min_acr: String,
    /// '' = the algorithms of the registered keys; otherwise the one accepted (may be `none`).
    pub request_object_alg: String,
    /// JSON array of the request_uri values the client registered.
    pub request_uris: String,
    /// 1: a person signs in here only on behalf of an organisation (issue 14).
    pub require_org: i64,
    /// CIBA token delivery: 'poll', 'ping' or '' (not a CIBA client).
    pub ciba_mode: String,
    pub ciba_notification_endpoint: Option<String>,
}

const COLS: &str = "id, name, secret_hash, redirect_uris, is_public, id_token_alg, require_pkce, grant_types, \
                    created_at, disabled_at, allowed_scopes, auth_method, jwks, jwks_uri, \
                    post_logout_redirect_uris, backchannel_logout_uri, require_par, subject_type, sector, \
                    require_dpop, fapi2, \
                    previous_secret_hash, previous_secret_expires, min_level, min_acr, \
                    request_object_alg, request_uris, require_org, ciba_mode, ciba_notification_endpoint";

/// The INSERT of a client row, to run inside a transaction.
pub(super) fn insert_query(
    c: &ClientRow,
) -> sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments<'_>> {
    sqlx::query(INSERT_SQL)
        .bind(&c.id)
        .bind(&c.name)
        .bind(&c.secret_hash)
        .bind(&c.redirect_uris)
        .bind(c.is_public)
        .bind(&c.id_token_alg)
        .bind(c.require_pkce)
        .bind(&c.grant_types)
        .bind(c.created_at)
        .bind(c.disabled_at)
        .bind(&c.allowed_scopes)
        .bind(&c.auth_method)
        .bind(&c.jwks)
        .bind(&c.jwks_uri)
        .bind(&c.post_logout_redirect_uris)
        .bind(&c.backchannel_logout_uri)
        .bind(c.require_par)
        .bind(&c.subject_type)
        .bind(&c.sector)
        .bind(c.require_dpop)
        .bind(c.fapi2)
        .bind(&c.previous_secret_hash)
        .bind(c.previous_secret_expires)
        .bind(&c.min_level)
        .bind(&c.min_acr)
        .bind(&c.request_object_alg)
        .bind(&c.request_uris)
        .bind(c.require_org)
        .bind(&c.ciba_mode)
        .bind(&c.ciba_notification_endpoint)
}

const INSERT_SQL: &str = "INSERT INTO clients (id, name, secret_hash, redirect_uris, is_public, id_token_alg, require_pkce, grant_types, \
                    created_at, disabled_at, allowed_scopes, auth_method, jwks, jwks_uri, \
                    post_logout_redirect_uris, backchannel_logout_uri, require_par, subject_type, sector, \
                    require_dpop, fapi2, \
                    previous_secret_hash, previous_secret_expires, min_level, min_acr, \
                    request_object_alg, request_uris, require_org, ciba_mode, ciba_notification_endpoint) \
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30)";

impl Store {
    pub async fn client(&self, id: &str) -> Result<Option<ClientRow>, StoreError> {
        Ok(sqlx::query_as(&client_sql())
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    pub async fn clients(&self) -> Result<Vec<ClientRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {COLS} FROM clients ORDER BY created_at, id"
        ))
        .fetch_all(&self.pool)
        .await?)
    }

    /// [`Change::remove_client`] with nobody to audit it (the demo replacing its own portal).
    pub async fn remove_client(&self, id: &str) -> Result<bool, StoreError> {
        let mut change = self.change().await?;
        let removed = change.remove_client(id).await?;
        change.commit_unaudited().await?;
        Ok(removed)
    }
}

/// An enabled client by id.
fn client_sql() -> String {
    format!("SELECT {COLS} FROM clients WHERE id = $1 AND disabled_at IS NULL")
}

/// The audited writes of a client: each runs in the change that commits with its audit entry.
impl Change<'_> {
    /// An enabled client, read inside the change: an operator's change reads what it is about to
    /// write on its own connection, not on a second one from the pool while it holds the first.
    pub async fn client(&mut self, id: &str) -> Result<Option<ClientRow>, StoreError> {
        Ok(sqlx::query_as(&client_sql())
            .bind(id)
            .fetch_optional(self.conn())
            .await?)
    }

    pub async fn insert_client(&mut self, c: &ClientRow) -> Result<(), StoreError> {
        insert_query(c).execute(self.conn()).await?;
        Ok(())
    }

    /// Deletes the client and, by cascade, its grants, refresh tokens and consents. True if it existed.
    pub async fn remove_client(&mut self, id: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM clients WHERE id = $1")
            .bind(id)
            .execute(self.conn())
            .await?;
        self.note_change();
        Ok(done.rows_affected() > 0)
    }

    /// The new secret hash replaces the current one, which stays valid `overlap` seconds more.
    pub async fn rotate_client_secret(
        &mut self,
        id: &str,
        new_hash: &str,
        overlap: i64,
    ) -> Result<bool, StoreError> {
        let expires = self.store().now() + overlap;
        let done = sqlx::query(
            "UPDATE clients SET previous_secret_hash = secret_hash, previous_secret_expires = $3, secret_hash = $2 \
             WHERE id = $1 AND secret_hash IS NOT NULL AND disabled_at IS NULL",
        )
        .bind(id)
        .bind(new_hash)
        .bind(expires)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    pub async fn set_client_redirect_uris(
        &mut self,
        id: &str,
        uris_json: &str,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE clients SET redirect_uris = $2 WHERE id = $1")
            .bind(id)
            .bind(uris_json)
            .execute(self.conn())
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// A disabled client cannot authenticate, and its tokens stop working.
    pub async fn disable_client(&mut self, id: &str) -> Result<bool, StoreError> {
        let now = self.store().now();
        let done = sqlx::query(
            "UPDATE clients SET disabled_at = $2 WHERE id = $1 AND disabled_at IS NULL",
        )
        .bind(id)
        .bind(now)
        .execute(self.conn())
        .await?;
        self.note_change();
        Ok(done.rows_affected() > 0)
    }

    /// Changes the settings a client may change after registration; `None` leaves one as it is.
    pub async fn update_client_settings(
        &mut self,
        id: &str,
        u: &ClientSettings,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE clients SET allowed_scopes = COALESCE($2, allowed_scopes), id_token_alg = COALESCE($3, id_token_alg), \
             require_par = COALESCE($4, require_par), require_dpop = COALESCE($5, require_dpop), \
             min_level = COALESCE($6, min_level), min_acr = COALESCE($7, min_acr), \
             request_object_alg = COALESCE($8, request_object_alg), request_uris = COALESCE($9, request_uris), \
             require_org = COALESCE($10, require_org) WHERE id = $1",
        )
        .bind(id)
        .bind(&u.allowed_scopes)
        .bind(&u.id_token_alg)
        .bind(u.require_par)
        .bind(u.require_dpop)
        .bind(&u.min_level)
        .bind(&u.min_acr)
        .bind(&u.request_object_alg)
        .bind(&u.request_uris)
        .bind(u.require_org)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() > 0)
    }
}

#[derive(Debug, Default)]
pub struct ClientSettings {
    pub allowed_scopes: Option<String>,
    pub id_token_alg: Option<String>,
    pub require_par: Option<i64>,
    pub require_dpop: Option<i64>,
    pub min_level: Option<String>,
    pub min_acr: Option<String>,
    pub request_object_alg: Option<String>,
    /// JSON array.
    pub request_uris: Option<String>,
    pub require_org: Option<i64>,
}
