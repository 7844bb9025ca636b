//! Account levels (REQUIREMENTS §1): simplified → standard after the registry check of SNILS and an
//! identity document → confirmed by a service centre, a code letter, a qualified signature or a partner
//! bank. Every change is one transaction with its level_events row, then audited and notified.
//! A level never drops silently: replacing a verified document of a confirmed person returns the
//! account to standard (recorded, audited, notified) until the new document is verified.

use crate::ctx::Ctx;
use crate::identity::verifier::{Answer, CheckRequest, Verifier};
use crate::identity::{Contact, validation::Passport, validation::Snils};
use crate::lang::{Lang, Tr};
use crate::store::StoreError;
use crate::store::audit::AuditEntry;
use crate::store::change::Change;
use crate::store::documents::CheckEnd;
use crate::store::jobs::JobOutcome;
use crate::store::levels::LevelChange;
use crate::types::AccountId;
use crate::types::Level;

/// The stored names of the levels (their order is `types::Level`'s).
pub const SIMPLIFIED: &str = Level::Simplified.as_str();
pub const STANDARD: &str = Level::Standard.as_str();
pub const CONFIRMED: &str = Level::Confirmed.as_str();

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfirmMethod {
    ServiceCentre,
    CodeLetter,
    Qes,
    Bank,
}

impl ConfirmMethod {
    /// The name carried in tokens (`account_level_method`) and level history.
    pub fn as_str(self) -> &'static str {
        match self {
            ConfirmMethod::ServiceCentre => "service_centre",
            ConfirmMethod::CodeLetter => "code_letter",
            ConfirmMethod::Qes => "qes",
            ConfirmMethod::Bank => "bank",
        }
    }
}

/// Method names of the standard level and of a drop back to it.
pub const METHOD_REGISTRY: &str = "registry";
pub const METHOD_DOCUMENT_CHANGED: &str = "document_changed";

/// The identity document of a standard-level request.
#[derive(Debug, Clone)]
pub enum IdDocument {
    Passport(Passport),
    /// A foreigner's national identity document.
    Foreign {
        country: String,
        number: String,
        issued: String,
    },
}

#[derive(Debug, Clone)]
pub struct StandardRequest {
    pub snils: Snils,
    pub document: IdDocument,
    pub surname: String,
    pub given_name: String,
    pub patronymic: Option<String>,
    pub birth_date: String,
    pub birthplace: String,
    pub gender: String,
}

#[derive(Debug, thiserror::Error)]
pub enum LevelError {
    #[error("a registry check is already running")]
    CheckRunning,
    #[error("this SNILS belongs to another account")]
    SnilsTaken,
    #[error("these documents are already verified")]
    Unchanged,
    #[error("the account level does not allow this")]
    WrongLevel,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl StandardRequest {
    fn documents(&self) -> Vec<(&'static str, serde_json::Value)> {
        let snils = (
            "snils",
            serde_json::json!({ "number": self.snils.as_str() }),
        );
        let person = serde_json::json!({
            "surname": self.surname,
            "given_name": self.given_name,
            "patronymic": self.patronymic,
            "birth_date": self.birth_date,
            "birthplace": self.birthplace,
            "gender": self.gender,
        });
        let mut doc = match &self.document {
            IdDocument::Passport(p) => serde_json::json!({
                "series": p.series, "number": p.number, "issued": p.issued, "issuer_code": p.issuer_code,
            }),
            IdDocument::Foreign {
                country,
                number,
                issued,
            } => serde_json::json!({ "country": country, "number": number, "issued": issued }),
        };
        if let (Some(d), Some(p)) = (doc.as_object_mut(), person.as_object()) {
            d.extend(p.clone());
        }
        let kind = match self.document {
            IdDocument::Passport(_) => "passport_rf",
            IdDocument::Foreign { .. } => "foreign_id",
        };
        vec![snils, (kind, doc)]
    }
}

/// Stores the request as pending data and starts the durable registry check. Verified data stays as
/// it is until the check ends; a confirmed account returns to standard now.
pub async fn request_standard(
    app: &Ctx,
    account_id: &AccountId,
    req: &StandardRequest,
) -> Result<String, LevelError> {
    if let Some(holder) = app.store.snils_holder(req.snils.as_str()).await?
        && holder != account_id
    {
        return Err(LevelError::SnilsTaken);
    }
    let docs = req.documents();
    let verified = app.store.verified_documents(account_id).await?;
    let unchanged = docs.iter().all(|(kind, fields)| {
        verified
            .iter()
            .any(|v| v.kind == *kind && v.fields() == *fields)
    });
    if unchanged {
        return Err(LevelError::Unchanged);
    }
    let check_id = match app
        .store
        .submit_documents(account_id, &docs, app.config.identity.registry_max_attempts)
        .await
    {
        Ok(id) => id,
        Err(StoreError::Conflict) => return Err(LevelError::CheckRunning),
        Err(e) => return Err(e.into()),
    };
    let mut change = app.store.change().await?;
    let dropped = change
        .change_level(LevelChange {
            account_id,
            level: STANDARD,
            method: METHOD_DOCUMENT_CHANGED,
            evidence: &serde_json::json!({ "check_id": check_id }).to_string(),
            actor: account_id,
            from: &[CONFIRMED],
        })
        .await?;
    if dropped {
        commit_level(
            change,
            account_id,
            STANDARD,
            METHOD_DOCUMENT_CHANGED,
            account_id,
        )
        .await?;
        notify(app, account_id, |t| t.s("notify.document_changed")).await?;
    }
    Ok(check_id)
}

/// One run of a registry check (the durable job). Idempotent: a check that has ended is left alone,
/// and only the node whose update ends the check records and notifies the result.
pub async fn run_check(app: &Ctx, check_id: &str) -> Result<JobOutcome, String> {
    let err = |e: StoreError| e.to_string();
    let Some(check) = app.store.registry_check(check_id).await.map_err(err)? else {
        return Ok(JobOutcome::Done);
    };
    if check.status != "verifying" {
        return Ok(JobOutcome::Done);
    }
    let Some(account) = app.store.account(&check.account_id).await.map_err(err)? else {
        return Ok(JobOutcome::Done);
    };
    let docs = app.store.documents_of_check(check_id).await.map_err(err)?;
    // A standard-level request carries SNILS and an identity document; a record check (driving
    // licence, medical policy, vehicle, child) carries the record alone and is matched against the
    // person's verified identity.
    let identity_check = docs.iter().any(|d| d.kind == "snils");
    let verified = if identity_check {
        vec![]
    } else {
        app.store
            .verified_documents(&account.id)
            .await
            .map_err(err)?
    };
    let snils = docs
        .iter()
        .chain(&verified)
        .find(|d| d.kind == "snils")
        .map(|d| d.field("number"))
        .unwrap_or_default();
    let Some(document) = docs.iter().find(|d| d.kind != "snils") else {
        return Err("registry check without a document".into());
    };
    let person = if identity_check {
        document
    } else {
        verified
            .iter()
            .find(|d| d.kind == "passport_rf" || d.kind == "foreign_id")
            .unwrap_or(document)
    };
    let req = CheckRequest {
        check_id: check_id.to_string(),
        surname: person.field("surname"),
        given_name: person.field("given_name"),
        patronymic: Some(person.field("patronymic")).filter(|p| !p.is_empty()),
        birth_date: person.field("birth_date"),
        snils: snils.clone(),
        document_kind: document.kind.clone(),
        document: document.fields(),
    };
    let verifier = Verifier::from_config(&app.config.identity)?;
    app.store.count_check_run(check_id).await.map_err(err)?;
    let answer = verifier.check(&req).await?;
    match answer {
        Answer::Pending => {
            let deadline = check.created_at + app.config.identity.no_answer_days * 86_400;
            if app.store.now() >= deadline {
                fail_check(app, check_id, &account.id).await.map_err(err)?;
                Ok(JobOutcome::Done)
            } else {
                let next = (app.store.now() + app.config.identity.poll_secs).min(deadline);
                Ok(JobOutcome::Later(next))
            }
        }
        Answer::Rejected(reason) => {
            if app
                .store
                .end_check(check_id, CheckEnd::Rejected(&reason), None, None)
                .await
                .map_err(err)?
                .is_some()
            {
                let retry = reason == crate::identity::verifier::NO_MVD_RECORD;
                notify(app, &account.id, |t| {
                    let text = t.f("notify.check_failed", &[("reason", reason.as_str().into())]);
                    if retry {
                        format!("{text} {}", t.s("notify.check_retry"))
                    } else {
                        text
                    }
                })
                .await
                .map_err(err)?;
            }
            Ok(JobOutcome::Done)
        }
        Answer::Verified if !identity_check => {
            if app
                .store
                .end_check(check_id, CheckEnd::Verified, None, None)
                .await
                .map_err(err)?
                .is_some()
            {
                notify(app, &account.id, |t| t.s("notify.checked"))
                    .await
                    .map_err(err)?;
            }
            Ok(JobOutcome::Done)
        }
        Answer::Verified => {
            if let Some(holder) = app.store.snils_holder(&snils).await.map_err(err)?
                && holder != account.id
            {
                let reason = "СНИЛС уже используется в другой учётной записи";
                if app
                    .store
                    .end_check(check_id, CheckEnd::Rejected(reason), None, None)
                    .await
                    .map_err(err)?
                    .is_some()
                {
                    notify(app, &account.id, |t| {
                        let reason = t.s("notify.snils_in_use");
                        t.f("notify.check_failed", &[("reason", reason.as_str().into())])
                    })
                    .await
                    .map_err(err)?;
                }
                return Ok(JobOutcome::Done);
            }
            let evidence =
                serde_json::json!({ "check_id": check_id, "registries": ["СФР", "МВД"] })
                    .to_string();
            let level = LevelChange {
                account_id: &account.id,
                level: STANDARD,
                method: METHOD_REGISTRY,
                evidence: &evidence,
                actor: "registry",
                from: &[SIMPLIFIED, STANDARD],
            };
            let Some(raised) = app
                .store
                .end_check(check_id, CheckEnd::Verified, Some(&snils), Some(level))
                .await
                .map_err(err)?
            else {
                return Ok(JobOutcome::Done);
            };
            if raised {
                // Its own transaction ended the check and raised the level; the entry follows
                // (a system job's, not an operator's change: left outside the change).
                app.store
                    .append_audit(AuditEntry {
                        actor: "registry",
                        action: "account.level",
                        target: &account.id,
                        request_id: &crate::request_id::current(),
                        details: serde_json::json!({ "level": STANDARD, "method": METHOD_REGISTRY }),
                    })
                    .await
                    .map_err(err)?;
            }
            notify(app, &account.id, |t| t.s("notify.standard"))
                .await
                .map_err(err)?;
            Ok(JobOutcome::Done)
        }
    }
}

/// The check ends as failed (no answer in time, or the gateway failed every try).
pub async fn fail_check(
    app: &Ctx,
    check_id: &str,
    account_id: &AccountId,
) -> Result<(), StoreError> {
    let reason = "Ведомство не ответило на запрос. Повторите попытку позже";
    if app
        .store
        .end_check(check_id, CheckEnd::Failed(reason), None, None)
        .await?
        .is_some()
    {
        notify(app, account_id, |t| t.s("notify.check_unfinished")).await?;
    }
    Ok(())
}

/// Raises a standard account to confirmed. Returns false when the account is not standard (nothing
/// changes). `evidence` is JSON naming what was checked; `actor` the operator or the account itself.
pub async fn confirm(
    app: &Ctx,
    account_id: &AccountId,
    method: ConfirmMethod,
    evidence: &str,
    actor: &str,
) -> Result<bool, StoreError> {
    let mut change = app.store.change().await?;
    let raised = change
        .change_level(LevelChange {
            account_id,
            level: CONFIRMED,
            method: method.as_str(),
            evidence,
            actor,
            from: &[STANDARD],
        })
        .await?;
    if raised {
        commit_level(change, account_id, CONFIRMED, method.as_str(), actor).await?;
        notify(app, account_id, |t| t.s("notify.confirmed")).await?;
    }
    Ok(raised)
}

/// Commits a level change with its audit entry: both or neither.
async fn commit_level(
    change: Change<'_>,
    account_id: &AccountId,
    level: &str,
    method: &str,
    actor: &str,
) -> Result<(), StoreError> {
    change
        .commit(AuditEntry {
            actor,
            action: "account.level",
            target: account_id,
            request_id: &crate::request_id::current(),
            details: serde_json::json!({ "level": level, "method": method }),
        })
        .await?;
    Ok(())
}

/// Feed entry plus a message to every confirmed contact, in the person's language (the account's
/// choice, else the page's): `text` writes it with that language's translator.
pub async fn notify(
    app: &Ctx,
    account_id: &AccountId,
    text: impl FnOnce(&Tr) -> String,
) -> Result<(), StoreError> {
    let t = Tr::new(Lang::for_message(app.store.account_lang(account_id).await?));
    let text = text(&t);
    let text = text.as_str();
    app.store.push_feed(account_id, text).await?;
    for id in app.store.identifiers(account_id).await? {
        if id.verified_at.is_none() || !matches!(id.kind.as_str(), "phone" | "email") {
            continue;
        }
        if let Ok(contact) = Contact::parse(&id.value) {
            app.notifier
                .send(&contact, &t.s("notify.account_subject"), text)
                .await?;
        }
    }
    Ok(())
}
