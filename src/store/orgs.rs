//! Organisations, their members and invitations (migration 0075). Single use of an invitation and
//! the one chief per organisation are conditions of one statement (and a unique index), not of a
//! read before a write.

use super::change::Change;
use super::{Store, StoreError, new_id};

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct OrgRow {
    pub oid: i64,
    /// `LEGAL` (ЮЛ) or `BUSINESS` (ИП).
    pub kind: String,
    pub ogrn: String,
    pub inn: String,
    pub kpp: String,
    pub short_name: String,
    pub full_name: String,
    pub legal_address: String,
    pub actual_address: String,
    pub phone: String,
    pub email: String,
    pub hours: String,
    pub site: String,
    pub okpo: String,
    pub okved: String,
    pub created_at: i64,
    pub updated_at: i64,
}

pub(super) const ORG_COLS: &str = "oid, kind, ogrn, inn, kpp, short_name, full_name, legal_address, \
    actual_address, phone, email, hours, site, okpo, okved, created_at, updated_at";

/// The registry-checked identity of a new organisation.
pub struct NewOrg<'a> {
    pub kind: &'a str,
    pub ogrn: &'a str,
    pub inn: &'a str,
    pub kpp: &'a str,
    pub short_name: &'a str,
    pub full_name: &'a str,
}

/// The fields of the card people may edit (seed 000:70-73).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct OrgCard {
    pub short_name: String,
    pub legal_address: String,
    pub actual_address: String,
    pub phone: String,
    pub email: String,
    pub hours: String,
    pub site: String,
    pub okpo: String,
    pub okved: String,
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct MemberRow {
    pub org_oid: i64,
    pub account_id: String,
    pub role: String,
    pub joined_at: i64,
    pub surname: String,
    pub given_name: String,
    pub patronymic: Option<String>,
    /// The member's person oid, when one has been given (ESIA's employee id).
    pub person_oid: Option<i64>,
}

/// One of a person's organisations with the person's role in it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MembershipRow {
    pub oid: i64,
    pub kind: String,
    pub ogrn: String,
    pub inn: String,
    pub kpp: String,
    pub short_name: String,
    pub full_name: String,
    pub role: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InvitationRow {
    pub id: String,
    pub org_oid: i64,
    pub invitee_kind: String,
    pub invitee_hash: String,
    pub invitee_masked: String,
    pub role: String,
    pub invited_by: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
    pub used_at: Option<i64>,
    pub used_by: Option<String>,
}

const INV_COLS: &str = "id, org_oid, invitee_kind, invitee_hash, invitee_masked, role, invited_by, \
    created_at, expires_at, revoked_at, used_at, used_by";

pub struct NewInvitation<'a> {
    pub org_oid: i64,
    pub invitee_kind: &'a str,
    pub invitee_hash: &'a str,
    pub invitee_masked: &'a str,
    pub role: &'a str,
    pub invited_by: &'a str,
    pub expires_at: i64,
}

impl Store {
    /// [`Change::create_org`] with nobody to audit it (tests' fixtures).
    pub async fn create_org(&self, new: NewOrg<'_>, chief: &str) -> Result<OrgRow, StoreError> {
        let mut change = self.change().await?;
        let row = change.create_org(new, chief).await?;
        change.commit_unaudited().await?;
        Ok(row)
    }

    /// [`Change::update_org_card`] with nobody to audit it (tests' fixtures).
    pub async fn update_org_card(&self, oid: i64, c: &OrgCard) -> Result<bool, StoreError> {
        let mut change = self.change().await?;
        let done = change.update_org_card(oid, c).await?;
        change.commit_unaudited().await?;
        Ok(done)
    }

    /// [`Change::remove_org_member`] with nobody to audit it (tests' fixtures).
    pub async fn remove_org_member(&self, oid: i64, account_id: &str) -> Result<bool, StoreError> {
        let mut change = self.change().await?;
        let done = change.remove_org_member(oid, account_id).await?;
        change.commit_unaudited().await?;
        Ok(done)
    }

    pub async fn org(&self, oid: i64) -> Result<Option<OrgRow>, StoreError> {
        Ok(
            sqlx::query_as(&format!("SELECT {ORG_COLS} FROM orgs WHERE oid = $1"))
                .bind(oid)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    pub async fn org_by_ogrn(&self, ogrn: &str) -> Result<Option<OrgRow>, StoreError> {
        Ok(
            sqlx::query_as(&format!("SELECT {ORG_COLS} FROM orgs WHERE ogrn = $1"))
                .bind(ogrn)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// The person's role in the organisation, if a member.
    pub async fn org_role(&self, oid: i64, account_id: &str) -> Result<Option<String>, StoreError> {
        Ok(sqlx::query_as::<_, (String,)>(
            "SELECT role FROM org_members WHERE org_oid = $1 AND account_id = $2",
        )
        .bind(oid)
        .bind(account_id)
        .fetch_optional(&self.pool)
        .await?
        .map(|(r,)| r))
    }

    pub async fn org_members(&self, oid: i64) -> Result<Vec<MemberRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT m.org_oid, m.account_id, m.role, m.joined_at, a.surname, a.given_name, a.patronymic, \
             p.oid AS person_oid FROM org_members m JOIN accounts a ON a.id = m.account_id \
             LEFT JOIN person_oids p ON p.account_id = m.account_id WHERE m.org_oid = $1 \
             ORDER BY CASE m.role WHEN 'chief' THEN 0 WHEN 'admin' THEN 1 ELSE 2 END, a.surname, m.account_id",
        )
        .bind(oid)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The organisations the person belongs to, with the role in each.
    pub async fn memberships(&self, account_id: &str) -> Result<Vec<MembershipRow>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT o.oid, o.kind, o.ogrn, o.inn, o.kpp, o.short_name, o.full_name, m.role \
             FROM org_members m JOIN orgs o ON o.oid = m.org_oid WHERE m.account_id = $1 ORDER BY o.short_name, o.oid",
        )
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Adds a member; `Conflict` when already one.
    pub async fn add_org_member(
        &self,
        oid: i64,
        account_id: &str,
        role: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO org_members (org_oid, account_id, role, joined_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(oid)
        .bind(account_id)
        .bind(role)
        .bind(self.now())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn org_invitation(&self, id: &str) -> Result<Option<InvitationRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {INV_COLS} FROM org_invitations WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Open invitations (not used, revoked or expired) of an organisation.
    pub async fn open_org_invitations(&self, oid: i64) -> Result<Vec<InvitationRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {INV_COLS} FROM org_invitations WHERE org_oid = $1 AND used_at IS NULL \
             AND revoked_at IS NULL AND expires_at > $2 ORDER BY created_at"
        ))
        .bind(oid)
        .bind(self.now())
        .fetch_all(&self.pool)
        .await?)
    }

    /// Open invitations addressed to any of these invitee hashes.
    pub async fn open_invitations_for(
        &self,
        hashes: &[String],
    ) -> Result<Vec<InvitationRow>, StoreError> {
        let mut out = Vec::new();
        for h in hashes {
            let rows: Vec<InvitationRow> = sqlx::query_as(&format!(
                "SELECT {INV_COLS} FROM org_invitations WHERE invitee_hash = $1 AND used_at IS NULL \
                 AND revoked_at IS NULL AND expires_at > $2 ORDER BY created_at"
            ))
            .bind(h)
            .bind(self.now())
            .fetch_all(&self.pool)
            .await?;
            out.extend(rows);
        }
        Ok(out)
    }
}

/// The audited writes of organisations: each in the change that commits with its audit entry.
impl Change<'_> {
    /// Creates the organisation with `chief` as its chief, in one transaction. `Conflict` when the
    /// OGRN is already registered.
    pub async fn create_org(&mut self, new: NewOrg<'_>, chief: &str) -> Result<OrgRow, StoreError> {
        let now = self.store().now();
        let tx = self.conn();
        let row: OrgRow = sqlx::query_as(&format!(
            "INSERT INTO orgs (kind, ogrn, inn, kpp, short_name, full_name, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING {ORG_COLS}"
        ))
        .bind(new.kind)
        .bind(new.ogrn)
        .bind(new.inn)
        .bind(new.kpp)
        .bind(new.short_name)
        .bind(new.full_name)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO org_members (org_oid, account_id, role, joined_at) VALUES ($1, $2, 'chief', $3)",
        )
        .bind(row.oid)
        .bind(chief)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        Ok(row)
    }

    /// Writes the editable card fields; false when there is no such organisation.
    pub async fn update_org_card(&mut self, oid: i64, c: &OrgCard) -> Result<bool, StoreError> {
        let now = self.store().now();
        let done = sqlx::query(
            "UPDATE orgs SET short_name = $1, legal_address = $2, actual_address = $3, phone = $4, \
             email = $5, hours = $6, site = $7, okpo = $8, okved = $9, updated_at = $10 WHERE oid = $11",
        )
        .bind(&c.short_name)
        .bind(&c.legal_address)
        .bind(&c.actual_address)
        .bind(&c.phone)
        .bind(&c.email)
        .bind(&c.hours)
        .bind(&c.site)
        .bind(&c.okpo)
        .bind(&c.okved)
        .bind(now)
        .bind(oid)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Removes a member who is not the chief; false when no such (non-chief) member.
    pub async fn remove_org_member(
        &mut self,
        oid: i64,
        account_id: &str,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "DELETE FROM org_members WHERE org_oid = $1 AND account_id = $2 AND role <> 'chief'",
        )
        .bind(oid)
        .bind(account_id)
        .execute(self.conn())
        .await?;
        self.note_change();
        Ok(done.rows_affected() == 1)
    }

    /// Sets a non-chief member's role to admin or employee; false when no such member.
    pub async fn set_org_role(
        &mut self,
        oid: i64,
        account_id: &str,
        role: &str,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE org_members SET role = $1 WHERE org_oid = $2 AND account_id = $3 AND role <> 'chief'",
        )
        .bind(role)
        .bind(oid)
        .bind(account_id)
        .execute(self.conn())
        .await?;
        self.note_change();
        Ok(done.rows_affected() == 1)
    }

    /// Makes `account_id` (already a member) the chief; the previous chief, if any, becomes an admin.
    /// In one change: the unique index never sees two chiefs. On false nothing was written.
    pub async fn hand_over_chief(
        &mut self,
        oid: i64,
        account_id: &str,
    ) -> Result<bool, StoreError> {
        let tx = self.conn();
        // Only when the new chief is a member: a false answer leaves the organisation as it was.
        sqlx::query(
            "UPDATE org_members SET role = 'admin' WHERE org_oid = $1 AND role = 'chief' AND EXISTS \
             (SELECT 1 FROM org_members n WHERE n.org_oid = $1 AND n.account_id = $2)",
        )
        .bind(oid)
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
        let done = sqlx::query(
            "UPDATE org_members SET role = 'chief' WHERE org_oid = $1 AND account_id = $2",
        )
        .bind(oid)
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        self.note_change();
        Ok(true)
    }

    pub async fn create_org_invitation(
        &mut self,
        n: NewInvitation<'_>,
    ) -> Result<InvitationRow, StoreError> {
        let now = self.store().now();
        Ok(sqlx::query_as(&format!(
            "INSERT INTO org_invitations (id, org_oid, invitee_kind, invitee_hash, invitee_masked, role, \
             invited_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {INV_COLS}"
        ))
        .bind(new_id())
        .bind(n.org_oid)
        .bind(n.invitee_kind)
        .bind(n.invitee_hash)
        .bind(n.invitee_masked)
        .bind(n.role)
        .bind(n.invited_by)
        .bind(now)
        .bind(n.expires_at)
        .fetch_one(self.conn())
        .await?)
    }

    /// Uses an open invitation and adds `account_id` with its role, in one transaction: true for the
    /// one caller that wins; a used, revoked or expired invitation changes nothing.
    pub async fn accept_org_invitation(
        &mut self,
        inv: &InvitationRow,
        account_id: &str,
    ) -> Result<bool, StoreError> {
        let now = self.store().now();
        let tx = self.conn();
        let done = sqlx::query(
            "UPDATE org_invitations SET used_at = $1, used_by = $2 WHERE id = $3 AND used_at IS NULL \
             AND revoked_at IS NULL AND expires_at > $1",
        )
        .bind(now)
        .bind(account_id)
        .bind(&inv.id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            // Nothing written: the caller drops the change.
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO org_members (org_oid, account_id, role, joined_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (org_oid, account_id) DO NOTHING",
        )
        .bind(inv.org_oid)
        .bind(account_id)
        .bind(&inv.role)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        Ok(true)
    }

    /// Revokes (or, for the invitee, declines) an open invitation of `oid`; false when not open.
    pub async fn revoke_org_invitation(&mut self, oid: i64, id: &str) -> Result<bool, StoreError> {
        let now = self.store().now();
        let done = sqlx::query(
            "UPDATE org_invitations SET revoked_at = $1 WHERE id = $2 AND org_oid = $3 \
             AND used_at IS NULL AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(id)
        .bind(oid)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
