//! What a portal may read about a person over a protocol that hands out the person's data
//! (the ESIA REST resources `/rs/prns/{oid}`): the account, its confirmed contacts, its addresses
//! and the documents and records a portal may see.
//!
//! Which documents are visible: every verified one (ESIA `vrfStu` VERIFIED) and, as NOT_VERIFIED,
//! one still under its registry check when nothing verified of that kind exists (a first passport,
//! a vehicle or child being added). Pending data never hides or replaces verified data
//! (REQUIREMENTS §1); rejected and failed submissions are never shown.

use crate::ctx::Ctx;
use crate::store::StoreError;
use crate::store::accounts::{AccountRow, IdentifierRow};
use crate::store::documents::DocumentRow;
use crate::types::Level;
use std::collections::BTreeSet;

/// Kinds a person may hold several of at once (each verified row is its own item).
const MANY: [&str; 2] = ["vehicle", "child"];
/// Kinds whose check decides the account's identity (ESIA `verifying`).
const IDENTITY: [&str; 3] = ["snils", "passport_rf", "foreign_id"];

#[derive(Debug, Clone)]
pub struct PersonView {
    pub oid: i64,
    pub account: AccountRow,
    /// Confirmed contacts (`phone`, `email`); SNILS is a login identifier, not a contact.
    pub contacts: Vec<IdentifierRow>,
    /// (kind `PRG` | `PLV`, text).
    pub addresses: Vec<(String, String)>,
    /// Visible documents and records (see the module comment), verified ones first.
    pub documents: Vec<DocumentRow>,
    /// An identity check (SNILS and identity document) is running.
    pub verifying: bool,
}

impl PersonView {
    /// ESIA's `trusted`: the account is confirmed.
    pub fn is_trusted(&self) -> bool {
        Level::of(&self.account.level) >= Level::Confirmed
    }

    /// The verified document of this kind, if any.
    pub fn verified(&self, kinds: &[&str]) -> Option<&DocumentRow> {
        self.documents
            .iter()
            .find(|d| d.status == "verified" && kinds.contains(&d.kind.as_str()))
    }

    /// The visible documents of these kinds.
    pub fn of_kinds<'a>(&'a self, kinds: &'a [&str]) -> impl Iterator<Item = &'a DocumentRow> {
        self.documents
            .iter()
            .filter(move |d| kinds.contains(&d.kind.as_str()))
    }

    /// When anything a portal may see last changed (unix seconds).
    pub fn updated_on(&self) -> i64 {
        self.documents
            .iter()
            .map(|d| d.updated_at)
            .fold(self.account.updated_at, i64::max)
    }
}

/// The person an oid names, or None when no account has it (never given, or the account is gone).
pub async fn of_oid(ctx: &Ctx, oid: i64) -> Result<Option<PersonView>, StoreError> {
    let Some(account_id) = ctx.store.account_of_oid(oid).await? else {
        return Ok(None);
    };
    let Some(account) = ctx.store.account(&account_id).await? else {
        return Ok(None);
    };
    let contacts = ctx
        .store
        .identifiers(&account_id)
        .await?
        .into_iter()
        .filter(|i| i.verified_at.is_some() && matches!(i.kind.as_str(), "phone" | "email"))
        .collect();
    let addresses = ctx.store.addresses(&account_id).await?;
    let all = ctx.store.documents_of(&account_id).await?;
    let verifying = all
        .iter()
        .any(|d| d.status == "verifying" && IDENTITY.contains(&d.kind.as_str()));
    Ok(Some(PersonView {
        oid,
        account,
        contacts,
        addresses,
        documents: visible(all),
        verifying,
    }))
}

/// The scopes the person currently allows `client_id` (their remembered consent, which only
/// grows until it is withdrawn), or None when they never gave one or withdrew it
/// (`identity::permissions::withdraw`): then the portal's tokens read nothing more.
pub async fn consented_scopes(
    ctx: &Ctx,
    account_id: &str,
    client_id: &str,
) -> Result<Option<BTreeSet<String>>, StoreError> {
    Ok(ctx
        .store
        .consent(account_id, client_id)
        .await?
        .map(|(scopes, _)| scopes.split_whitespace().map(str::to_owned).collect()))
}

/// Verified rows, then the rows under check that hide nothing verified (oldest first, so an
/// item keeps its place in a collection).
fn visible(mut all: Vec<DocumentRow>) -> Vec<DocumentRow> {
    all.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
    let verified: Vec<&DocumentRow> = all.iter().filter(|d| d.status == "verified").collect();
    let pending = all.iter().filter(|d| {
        d.status == "verifying"
            && (MANY.contains(&d.kind.as_str()) || !verified.iter().any(|v| v.kind == d.kind))
    });
    verified.iter().copied().chain(pending).cloned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, kind: &str, status: &str, at: i64) -> DocumentRow {
        DocumentRow {
            id: id.into(),
            account_id: "a".into(),
            kind: kind.into(),
            fields: "{}".into(),
            status: status.into(),
            reason: None,
            check_id: None,
            created_at: at,
            updated_at: at,
            verified_at: None,
        }
    }

    fn ids(rows: &[DocumentRow]) -> Vec<&str> {
        rows.iter().map(|r| r.id.as_str()).collect()
    }

    #[test]
    fn a_pending_document_shows_only_where_nothing_verified_of_its_kind_exists() {
        let rows = vec![
            row("new-passport", "passport_rf", "verifying", 30),
            row("passport", "passport_rf", "verified", 10),
            row("licence", "drivers_licence", "verifying", 20),
            row("bad-policy", "medical_policy", "rejected", 5),
            row("failed-inn", "inn", "failed", 6),
        ];
        assert_eq!(ids(&visible(rows)), ["passport", "licence"]);
    }

    #[test]
    fn every_vehicle_and_child_shows_verified_first_then_those_under_check() {
        let rows = vec![
            row("car-2", "vehicle", "verifying", 20),
            row("kid", "child", "verified", 15),
            row("car-1", "vehicle", "verified", 10),
        ];
        assert_eq!(ids(&visible(rows)), ["car-1", "kid", "car-2"]);
    }
}
