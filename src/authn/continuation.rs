//! The continuation of a pending authorization request, the same for every protocol surface: the
//! policy decision ([`authorization::decide`]: login, step-up, level), then the organisation the
//! person acts for ([`org_choice::step`]), then consent, then the code — in this order, with the
//! login transaction saved while the person is sent to a page and deleted once the request ends.
//! What comes next is returned as [`Next`]; the surface turns it into its protocol's answer (OpenID
//! redirects and errors, ESIA's codes). Whether consent is needed is the surface's own rule (its
//! remembered permissions), passed in as a check run only once the organisation is decided.

use super::authorization::{self, DecideError, Decision};
use super::login_tx::{AuthRequest, delete_tx, save_tx};
use super::org_choice::{self, OrgStep};
use crate::ctx::Ctx;
use crate::store::StoreError;
use crate::store::sessions::SessionRow;

/// Whether the surface may show the person a page for this request (OpenID's `prompt=none` may
/// not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interaction {
    Allowed,
    Forbidden,
}

/// A page the request would need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    OrganisationChoice,
    Consent,
}

/// What the request needs next.
#[derive(Debug)]
pub enum Next {
    /// Nobody usable is signed in and the portal said `prompt=none`.
    LoginRequired,
    /// The person signs in first; the request waits as this login transaction.
    Login { tx: String },
    /// The session's assurance is below what the portal requires.
    StepUp { session: SessionRow },
    /// The account's level is below the portal's minimum.
    LevelTooLow,
    /// The person chooses the organisation they act for on [`org_choice::page_url`]`(tx)`; the
    /// request waits as `tx`.
    ChooseOrganisation { tx: String },
    /// The portal requires an organisation and the person has none it accepts: the request is
    /// over (its login transaction deleted).
    NoOrganisation,
    /// The person is asked for consent (acting for `org`, or as themself); the request waits as
    /// `tx`.
    Consent {
        tx: String,
        session: SessionRow,
        org: Option<i64>,
    },
    /// Nothing is missing: the surface issues the code (the login transaction is deleted).
    Code {
        session: SessionRow,
        org: Option<i64>,
    },
    /// A page is needed and [`Interaction::Forbidden`] was given: nothing was saved.
    InteractionRequired(Page),
}

/// Decides what `req` needs next and saves or deletes its login transaction accordingly. `tx` is
/// the login transaction when the person comes back from a step; `consent_needed` is the
/// surface's check, asked only once the organisation is decided.
pub async fn next<F>(
    ctx: &Ctx,
    req: &mut AuthRequest,
    session: Option<SessionRow>,
    tx: Option<&str>,
    interaction: Interaction,
    consent_needed: F,
) -> Result<Next, DecideError>
where
    F: AsyncFnOnce(&AuthRequest, &SessionRow) -> Result<bool, StoreError>,
{
    let session = match authorization::decide(ctx, req, session, tx).await? {
        Decision::LoginRequired => return Ok(Next::LoginRequired),
        Decision::Login { tx } => return Ok(Next::Login { tx }),
        Decision::StepUp { session } => return Ok(Next::StepUp { session }),
        Decision::LevelTooLow => return Ok(Next::LevelTooLow),
        Decision::Proceed { session } => session,
    };
    after_sign_in(ctx, req, session, tx, interaction, consent_needed).await
}

/// The part of [`next`] after the session will do: the organisation, consent, the code. For a
/// surface that checks something of its own between the two (the back-channel approval: whether
/// the signed-in person is the one the portal named).
pub async fn after_sign_in<F>(
    ctx: &Ctx,
    req: &AuthRequest,
    session: SessionRow,
    tx: Option<&str>,
    interaction: Interaction,
    consent_needed: F,
) -> Result<Next, DecideError>
where
    F: AsyncFnOnce(&AuthRequest, &SessionRow) -> Result<bool, StoreError>,
{
    // Signing in for an organisation: the choice comes before consent, which is per portal and
    // organisation.
    let org = match org_choice::step(ctx, req, &session.account_id).await? {
        OrgStep::NotAsked | OrgStep::Decided(None) => None,
        OrgStep::Decided(Some(oid)) => Some(oid),
        OrgStep::Choose => {
            return Ok(match interaction {
                Interaction::Forbidden => Next::InteractionRequired(Page::OrganisationChoice),
                Interaction::Allowed => Next::ChooseOrganisation {
                    tx: waiting(ctx, req, tx).await?,
                },
            });
        }
        OrgStep::NoOrganisation => {
            end(ctx, tx).await?;
            return Ok(Next::NoOrganisation);
        }
    };
    if consent_needed(req, &session).await? {
        return Ok(match interaction {
            Interaction::Forbidden => Next::InteractionRequired(Page::Consent),
            Interaction::Allowed => Next::Consent {
                tx: waiting(ctx, req, tx).await?,
                session,
                org,
            },
        });
    }
    end(ctx, tx).await?;
    Ok(Next::Code { session, org })
}

/// The login transaction the request waits as while a page is shown: the one it came back with,
/// else a new one.
async fn waiting(ctx: &Ctx, req: &AuthRequest, tx: Option<&str>) -> Result<String, DecideError> {
    Ok(match tx {
        Some(t) => t.to_string(),
        None => save_tx(ctx, req).await?,
    })
}

/// The request is over: its login transaction (if it has one) goes.
async fn end(ctx: &Ctx, tx: Option<&str>) -> Result<(), DecideError> {
    if let Some(t) = tx {
        delete_tx(ctx, t).await?;
    }
    Ok(())
}
