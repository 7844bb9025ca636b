//! Organisations left without a chief (the chief's account deleted): flagged in the change that
//! records it (`orgs::members::forget_person`) and listed for operators from the flags, instead of
//! looking for a chief in every organisation on each view of the console (migration 0139).

use super::change::Change;
use super::orgs::{ORG_COLS, OrgRow};
use super::{Store, StoreError};

/// Organisation numbers one statement of `flag_chiefless_orgs` looks through.
const FLAG_SPAN: i64 = 50_000;

/// A flagged organisation that still has no chief.
const STILL_CHIEFLESS: &str =
    "NOT EXISTS (SELECT 1 FROM org_members m WHERE m.org_oid = o.oid AND m.role = 'chief')";

impl Store {
    /// Organisations with no chief, for operators: the flagged ones that still have none (a flag
    /// outlived by a new chief hides nothing).
    pub async fn orgs_without_chief(&self) -> Result<Vec<OrgRow>, StoreError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {ORG_COLS} FROM orgs_chief_lost l JOIN orgs o ON o.oid = l.org_oid \
             WHERE {STILL_CHIEFLESS} ORDER BY o.oid"
        ))
        .fetch_all(&self.pool)
        .await?)
    }

    /// Flags each organisation without a chief that has no flag — those a node of the previous
    /// release left (it deleted the chief's account without flagging) — and returns how many. It
    /// reads every organisation, `FLAG_SPAN` numbers a statement so each ends within the deadline:
    /// run at a node's start, never on a request.
    pub async fn flag_chiefless_orgs(&self) -> Result<u64, StoreError> {
        let (first, last): (Option<i64>, Option<i64>) =
            sqlx::query_as("SELECT MIN(oid), MAX(oid) FROM orgs")
                .fetch_one(&self.pool)
                .await?;
        let (Some(first), Some(last)) = (first, last) else {
            return Ok(0);
        };
        let (mut from, mut flagged) = (first.saturating_sub(1), 0);
        while from < last {
            let to = from.saturating_add(FLAG_SPAN).min(last);
            flagged += sqlx::query(&format!(
                "INSERT INTO orgs_chief_lost (org_oid, at) SELECT o.oid, $1 FROM orgs o \
                 WHERE o.oid > $2 AND o.oid <= $3 AND {STILL_CHIEFLESS} \
                 AND NOT EXISTS (SELECT 1 FROM orgs_chief_lost l WHERE l.org_oid = o.oid)"
            ))
            .bind(self.now())
            .bind(from)
            .bind(to)
            .execute(&self.pool)
            .await?
            .rows_affected();
            from = to;
        }
        Ok(flagged)
    }
}

impl Change<'_> {
    /// Flags organisation `oid` as left without a chief (its chief's account is being deleted).
    pub async fn flag_chief_lost(&mut self, oid: i64) -> Result<(), StoreError> {
        let now = self.store().now();
        sqlx::query(
            "INSERT INTO orgs_chief_lost (org_oid, at) VALUES ($1, $2) \
             ON CONFLICT (org_oid) DO UPDATE SET at = excluded.at",
        )
        .bind(oid)
        .bind(now)
        .execute(&mut *self.conn())
        .await?;
        Ok(())
    }
}
