//! Consent per portal AND organisation (migration 0085): what a person allowed a portal to read
//! while acting for an organisation, and the organisation's view of it — the portals allowed for
//! it, whose permission its chief or an admin can withdraw for everyone (the grants made for the
//! organisation at that portal end in the same transaction).

use super::change::Change;
use super::{Store, StoreError};

/// A portal allowed to sign people in for an organisation.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OrgPortalRow {
    pub client_id: String,
    pub name: String,
    /// How many of the organisation's people allowed it.
    pub people: i64,
    pub last_granted_at: i64,
}

/// A person's consent to a portal for one of their organisations.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PersonOrgConsentRow {
    pub client_id: String,
    pub client_name: String,
    pub org_oid: i64,
    pub org_name: String,
    pub scopes: String,
    pub granted_at: i64,
}

impl Store {
    /// The consents `account_id` gave portals on behalf of organisations, by portal and organisation.
    pub async fn org_consents_of(
        &self,
        account_id: &str,
    ) -> Result<Vec<PersonOrgConsentRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT c.client_id, k.name AS client_name, c.org_oid, o.short_name AS org_name, \
             c.scopes, c.granted_at FROM org_consents c JOIN clients k ON k.id = c.client_id \
             JOIN orgs o ON o.oid = c.org_oid WHERE c.account_id = $1 \
             ORDER BY k.name, c.client_id, o.short_name, c.org_oid",
        )
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Withdraws the person's own consent to `client_id` for organisation `oid` and ends their
    /// grants at that portal for that organisation, in one transaction. False when there was none.
    pub async fn withdraw_own_org_consent(
        &self,
        account_id: &str,
        client_id: &str,
        oid: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        let removed = sqlx::query(
            "DELETE FROM org_consents WHERE account_id = $1 AND client_id = $2 AND org_oid = $3",
        )
        .bind(account_id)
        .bind(client_id)
        .bind(oid)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        sqlx::query(
            "UPDATE grants SET revoked_at = $4, revoked_reason = 'consent withdrawn' \
             WHERE account_id = $1 AND client_id = $2 AND org_oid = $3 AND revoked_at IS NULL",
        )
        .bind(account_id)
        .bind(client_id)
        .bind(oid)
        .bind(self.now())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.note_change();
        Ok(removed == 1)
    }

    /// The remembered consent of `account_id` to `client_id` for organisation `oid`: (scopes, claims).
    pub async fn org_consent(
        &self,
        account_id: &str,
        client_id: &str,
        oid: i64,
    ) -> Result<Option<(String, String)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT scopes, claims FROM org_consents WHERE account_id = $1 AND client_id = $2 AND org_oid = $3",
        )
        .bind(account_id)
        .bind(client_id)
        .bind(oid)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// [`Change::save_org_consent`] with nobody to audit it (tests' fixtures).
    pub async fn save_org_consent(
        &self,
        account_id: &str,
        client_id: &str,
        oid: i64,
        scopes: &str,
        claims: &str,
    ) -> Result<(), StoreError> {
        let mut change = self.change().await?;
        change
            .save_org_consent(account_id, client_id, oid, scopes, claims)
            .await?;
        change.commit_unaudited().await
    }

    /// The portals allowed for organisation `oid`, by name.
    pub async fn org_portals(&self, oid: i64) -> Result<Vec<OrgPortalRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT c.client_id, k.name, COUNT(*) AS people, MAX(c.granted_at) AS last_granted_at \
             FROM org_consents c JOIN clients k ON k.id = c.client_id WHERE c.org_oid = $1 \
             GROUP BY c.client_id, k.name ORDER BY k.name, c.client_id",
        )
        .bind(oid)
        .fetch_all(&self.pool)
        .await?)
    }
}

/// The audited writes of organisation consents, in the change that commits with its audit entry.
impl Change<'_> {
    pub async fn save_org_consent(
        &mut self,
        account_id: &str,
        client_id: &str,
        oid: i64,
        scopes: &str,
        claims: &str,
    ) -> Result<(), StoreError> {
        let now = self.store().now();
        sqlx::query(
            "INSERT INTO org_consents (account_id, client_id, org_oid, scopes, claims, granted_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (account_id, client_id, org_oid) DO UPDATE \
             SET scopes = excluded.scopes, claims = excluded.claims, granted_at = excluded.granted_at",
        )
        .bind(account_id)
        .bind(client_id)
        .bind(oid)
        .bind(scopes)
        .bind(claims)
        .bind(now)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// [`Store::replace_consent`] for the consent given for organisation `oid`: replaced only if
    /// still `seen`, false when someone changed it in between.
    pub async fn replace_org_consent(
        &mut self,
        account_id: &str,
        client_id: &str,
        oid: i64,
        seen: Option<&(String, String)>,
        scopes: &str,
        claims: &str,
    ) -> Result<bool, StoreError> {
        let sql = match seen {
            None => {
                "INSERT INTO org_consents (account_id, client_id, org_oid, scopes, claims, granted_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (account_id, client_id, org_oid) DO NOTHING"
            }
            Some(_) => {
                "UPDATE org_consents SET scopes = $4, claims = $5, granted_at = $6 \
                 WHERE account_id = $1 AND client_id = $2 AND org_oid = $3 AND scopes = $7 AND claims = $8"
            }
        };
        let now = self.store().now();
        let mut query = sqlx::query(sql)
            .bind(account_id)
            .bind(client_id)
            .bind(oid)
            .bind(scopes)
            .bind(claims)
            .bind(now);
        if let Some((had_scopes, had_claims)) = seen {
            query = query.bind(had_scopes).bind(had_claims);
        }
        Ok(query.execute(self.conn()).await?.rows_affected() == 1)
    }

    /// Withdraws the portal's permission for organisation `oid` (everyone's consent) and ends the
    /// grants made for the organisation at that portal, in one transaction. False when there was
    /// no permission.
    pub async fn withdraw_org_consent(
        &mut self,
        oid: i64,
        client_id: &str,
    ) -> Result<bool, StoreError> {
        let now = self.store().now();
        let tx = self.conn();
        let removed = sqlx::query("DELETE FROM org_consents WHERE org_oid = $1 AND client_id = $2")
            .bind(oid)
            .bind(client_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        sqlx::query(
            "UPDATE grants SET revoked_at = $3, revoked_reason = 'organisation withdrew consent' \
             WHERE org_oid = $1 AND client_id = $2 AND revoked_at IS NULL",
        )
        .bind(oid)
        .bind(client_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        self.note_change();
        Ok(removed > 0)
    }
}
