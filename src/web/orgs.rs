//! «Организации» in the personal account (/account/orgs): the person's organisations and
//! invitations, «Добавить организацию» (a legal entity by the head's qualified signature, a sole
//! trader by OGRNIP + INN), and each organisation's card, members and invitations. Every form is
//! CSRF-checked; every action is checked against the person's role by the domain (`orgs`), which a
//! page never bypasses.

use super::csrf;
use super::extract::{Language, SignedIn, SignedInForm, signed_in};
use super::i18n::{Lang, Tr};
use super::page_error::PageError;
use super::pages::with_cookie;
use super::render;
use super::signature_form::SignatureForm;
use crate::ctx::Ctx;
use crate::lang::Arg;
use crate::orgs::create::{self, Created};
use crate::orgs::members::{self, Invitee};
use crate::orgs::{OrgError, Role};
use crate::store::org_consents::OrgPortalRow;
use crate::store::orgs::{InvitationRow, MemberRow, MembershipRow, OrgCard, OrgRow};
use crate::store::sessions::SessionRow;
use crate::types::Level;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

#[derive(Template)]
#[template(path = "orgs/list.html")]
struct ListPage {
    t: Tr,
    csrf: String,
    orgs: Vec<MembershipRow>,
    invitations: Vec<(InvitationRow, String)>,
}

#[derive(Template)]
#[template(path = "orgs/new.html")]
struct NewPage {
    t: Tr,
    csrf: String,
    confirmed: bool,
    challenge: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "orgs/card.html")]
struct CardPage {
    t: Tr,
    csrf: String,
    org: OrgRow,
    role: String,
    manages: bool,
    is_chief: bool,
    me: String,
    members: Vec<MemberRow>,
    invitations: Vec<InvitationRow>,
    notice: Option<&'static str>,
    /// The portals allowed to sign people in for the organisation (chief and admins see them).
    portals: Vec<OrgPortalRow>,
}

/// The text key of a role's name.
fn role_key(role: &str) -> &'static str {
    match Role::parse(role) {
        Some(Role::Chief) => "orgs.role.chief",
        Some(Role::Admin) => "orgs.role.admin",
        _ => "orgs.role.employee",
    }
}

impl ListPage {
    fn role_key(&self, role: &str) -> &'static str {
        role_key(role)
    }
}

impl CardPage {
    fn role_key(&self, role: &str) -> &'static str {
        role_key(role)
    }

    /// «3 сотрудника» allowed the portal.
    fn people(&self, n: &i64) -> String {
        self.t.f("orgsel.portal_people", &[("count", Arg::Num(*n))])
    }
}

/// The person's text of a refusal (with the chief's name where it has one).
fn refusal(lang: Lang, e: &OrgError) -> Option<String> {
    let key = e.message_key()?;
    let contact = match e {
        OrgError::AlreadyRegistered { contact } => contact.as_str(),
        _ => "",
    };
    let mut text = Tr::new(lang).f(key, &[("contact", Arg::Text(contact))]);
    if let OrgError::RegistryRejected(reason) = e {
        text = format!("{text} {reason}");
    }
    Some(text)
}

/// A refusal as the error page (status by kind); internal failures as the internal error.
fn refused(lang: Lang, e: OrgError) -> PageError {
    let status = match e {
        OrgError::NotMember => StatusCode::NOT_FOUND,
        OrgError::Forbidden | OrgError::ChiefStays => StatusCode::FORBIDDEN,
        _ => StatusCode::BAD_REQUEST,
    };
    match e.message_key() {
        Some(key) => PageError::page(lang, status, key),
        None => PageError::internal(&e),
    }
}

pub async fn list(
    State(app): State<Ctx>,
    Language(lang): Language,
    SignedIn(s): SignedIn,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let orgs = app.store.memberships(&s.account_id).await?;
    let mut invitations = Vec::new();
    for inv in members::invitations_for(&app, &s.account_id).await? {
        let name = app
            .store
            .org(inv.org_oid)
            .await?
            .map(|o| o.short_name)
            .unwrap_or_default();
        invitations.push((inv, name));
    }
    let (csrf, cookie) = csrf::token(&headers, app.config.issuer_is_https());
    Ok(with_cookie(
        render(
            StatusCode::OK,
            &ListPage {
                t: Tr::new(lang),
                csrf,
                orgs,
                invitations,
            },
        ),
        cookie,
    ))
}

async fn new_page(
    app: &Ctx,
    headers: &HeaderMap,
    lang: Lang,
    s: &SessionRow,
    status: StatusCode,
    error: Option<String>,
) -> Result<Response, PageError> {
    let confirmed = app
        .store
        .account(&s.account_id)
        .await?
        .is_some_and(|a| Level::of(&a.level) >= Level::Confirmed);
    let challenge = if confirmed {
        create::challenge(app, &s.account_id).await?
    } else {
        String::new()
    };
    let (csrf, cookie) = csrf::token(headers, app.config.issuer_is_https());
    Ok(with_cookie(
        render(
            status,
            &NewPage {
                t: Tr::new(lang),
                csrf,
                confirmed,
                challenge,
                error,
            },
        ),
        cookie,
    ))
}

pub async fn add(
    State(app): State<Ctx>,
    Language(lang): Language,
    SignedIn(s): SignedIn,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    new_page(&app, &headers, lang, &s, StatusCode::OK, None).await
}

async fn after_create(
    app: &Ctx,
    headers: &HeaderMap,
    lang: Lang,
    s: &SessionRow,
    result: Result<Created, OrgError>,
) -> Result<Response, PageError> {
    match result {
        Ok(Created::New(o)) => {
            Ok(Redirect::to(&format!("/account/orgs/{}?done=created", o.oid)).into_response())
        }
        Ok(Created::BecameChief(o)) => {
            Ok(Redirect::to(&format!("/account/orgs/{}?done=chief", o.oid)).into_response())
        }
        Err(e) => match refusal(lang, &e) {
            Some(text) => {
                tracing::info!(account = %s.account_id, reason = %e, "organisation not created");
                new_page(app, headers, lang, s, StatusCode::BAD_REQUEST, Some(text)).await
            }
            None => Err(PageError::internal(&e)),
        },
    }
}

pub async fn create_legal(
    State(app): State<Ctx>,
    headers: HeaderMap,
    form: SignatureForm,
) -> Result<Response, PageError> {
    let lang = form.lang;
    let s = signed_in(&app, &headers).await?;
    let challenge = form.params.get("challenge").unwrap_or("");
    let result = create::legal_entity(&app, &s.account_id, challenge, &form.signature).await;
    after_create(&app, &headers, lang, &s, result).await
}

pub async fn create_sole(State(app): State<Ctx>, f: SignedInForm) -> Result<Response, PageError> {
    let ogrnip = f.form.get("ogrnip").unwrap_or("");
    let inn = f.form.get("inn").unwrap_or("");
    let result = create::sole_trader(&app, &f.session.account_id, ogrnip, inn).await;
    after_create(&app, &f.headers, f.lang, &f.session, result).await
}

pub async fn card(
    State(app): State<Ctx>,
    Language(lang): Language,
    SignedIn(s): SignedIn,
    Path(oid): Path<i64>,
    headers: HeaderMap,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Result<Response, PageError> {
    let (org, role) = crate::orgs::membership(&app, oid, &s.account_id)
        .await
        .map_err(|e| refused(lang, e))?;
    let members = app.store.org_members(oid).await?;
    let (invitations, portals) = if role.manages() {
        (
            app.store.open_org_invitations(oid).await?,
            app.store.org_portals(oid).await?,
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let done = super::params::Params::from_query(query.as_deref()).ok();
    let notice = match done.as_ref().and_then(|p| p.get("done")) {
        Some("created") => Some("orgs.created"),
        Some("chief") => Some("orgs.became_chief"),
        Some("saved") => Some("orgs.saved"),
        Some("invited") => Some("orgs.invited"),
        Some("portal_revoked") => Some("orgsel.revoked"),
        _ => None,
    };
    let (csrf, cookie) = csrf::token(&headers, app.config.issuer_is_https());
    Ok(with_cookie(
        render(
            StatusCode::OK,
            &CardPage {
                t: Tr::new(lang),
                csrf,
                org,
                role: role.as_str().to_string(),
                manages: role.manages(),
                is_chief: role == Role::Chief,
                me: s.account_id.to_string(),
                members,
                invitations,
                notice,
                portals,
            },
        ),
        cookie,
    ))
}

/// The forms of an organisation's page: card, invite, revoke, remove, role, leave.
pub async fn act(
    State(app): State<Ctx>,
    Path((oid, action)): Path<(i64, String)>,
    f: SignedInForm,
) -> Result<Response, PageError> {
    let me = f.session.account_id.as_str();
    let field = |n: &str| f.form.get(n).unwrap_or("").to_string();
    let back = |done: &str| {
        let url = if done.is_empty() {
            format!("/account/orgs/{oid}")
        } else {
            format!("/account/orgs/{oid}?done={done}")
        };
        Redirect::to(&url).into_response()
    };
    let role_of = |n: &str| Role::parse(&field(n)).ok_or(OrgError::Forbidden);
    let result = match action.as_str() {
        "card" => {
            let card = OrgCard {
                short_name: field("short_name"),
                legal_address: field("legal_address"),
                actual_address: field("actual_address"),
                phone: field("phone"),
                email: field("email"),
                hours: field("hours"),
                site: field("site"),
                okpo: field("okpo"),
                okved: field("okved"),
            };
            members::edit_card(&app, me, oid, card)
                .await
                .map(|_| back("saved"))
        }
        "invite" => match (Invitee::parse(&field("invitee")), role_of("role")) {
            (Ok(who), Ok(role)) => members::invite(&app, me, oid, &who, role)
                .await
                .map(|_| back("invited")),
            (Err(e), _) | (_, Err(e)) => Err(e),
        },
        "revoke" => members::revoke_invitation(&app, me, oid, &field("invitation"))
            .await
            .map(|_| back("")),
        "remove" => members::remove(&app, me, oid, &field("member"))
            .await
            .map(|_| back("")),
        "role" => match role_of("role") {
            Ok(role) => members::set_role(&app, me, oid, &field("member"), role)
                .await
                .map(|_| back("")),
            Err(e) => Err(e),
        },
        "portal_revoke" => crate::orgs::portals::withdraw(&app, oid, me, &field("client"))
            .await
            .map(|_| back("portal_revoked")),
        "leave" => members::leave(&app, me, oid)
            .await
            .map(|_| Redirect::to("/account/orgs").into_response()),
        _ => Err(OrgError::NotMember),
    };
    result.map_err(|e| refused(f.lang, e))
}

/// Accepting or declining an invitation from one's own account.
pub async fn invitation(
    State(app): State<Ctx>,
    Path(action): Path<String>,
    f: SignedInForm,
) -> Result<Response, PageError> {
    let me = f.session.account_id.as_str();
    let id = f.form.get("invitation").unwrap_or("");
    let result = match action.as_str() {
        "accept" => members::accept(&app, me, id)
            .await
            .map(|oid| Redirect::to(&format!("/account/orgs/{oid}")).into_response()),
        "decline" => members::decline(&app, me, id)
            .await
            .map(|_| Redirect::to("/account/orgs").into_response()),
        _ => Err(OrgError::InvitationClosed),
    };
    result.map_err(|e| refused(f.lang, e))
}
