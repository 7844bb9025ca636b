//! The ESIA half of the demo B2B portal (/demo/b2b): the portal signs an employee in for an
//! organisation over ESIA's protocol (`esia_portal`: a signed request to `/aas/oauth2/v2/ac` with
//! `usr_org` and the organisation scopes in `scope_org`, the code exchanged at
//! `/aas/oauth2/v3/te`, the access token verified with vhod's GOST certificate), and at every page
//! view refreshes its tokens and reads `/rs/prns/{oid}/roles`, the card `/rs/orgs/{id}` with
//! `/ctts`, `/addrs` (and `/emps` for a chief or an admin), as a careful portal does: an employee
//! removed from the organisation (or whose organisation withdrew the portal) is refused at the
//! next view, and the page says why.

use super::esia_portal::{self, Grant, Portal};
use crate::ctx::Ctx;
use crate::web::cookies;
use crate::web::params::Params;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The state of a sign-in in progress (bound to the browser).
const STATE_COOKIE: &str = "vhod_b2b_esia_state";
/// The portal's own ESIA session: a random id; the tokens stay on the server (in the cache).
pub const SESSION_COOKIE: &str = "vhod_b2b_esia";
const SESSION_TTL: i64 = 8 * 3600;
const PENDING_TTL: i64 = 1800;

#[derive(Serialize, Deserialize)]
struct Session {
    refresh_token: String,
    prn_oid: i64,
    org_oid: i64,
}

fn session_key(id: &str) -> String {
    format!("demo-b2b-esia:{id}")
}

fn pending_key(state: &str) -> String {
    format!("demo-b2b-esia-state:{state}")
}

/// The organisation card as the ESIA half shows it, from the REST answers.
pub struct EsiaCard {
    pub person: String,
    pub role_key: &'static str,
    pub short_name: String,
    pub full_name: String,
    pub kind_key: &'static str,
    pub ogrn: String,
    pub inn: String,
    pub kpp: String,
    /// (text key of the contact's type, value).
    pub contacts: Vec<(&'static str, String)>,
    /// (text key of the address's type, address).
    pub addresses: Vec<(&'static str, String)>,
    /// The employees (name, role key), read only for a chief or an admin.
    pub employees: Option<Vec<(String, &'static str)>>,
}

/// What the ESIA half shows.
pub enum EsiaView {
    /// No ESIA session: the sign-in button.
    Out,
    Card(Box<EsiaCard>),
    /// vhod refused (the refresh or a REST call): access ended; the detail says what vhod said.
    Ended(String),
    /// The sign-in came back with an error (e.g. the person declined): a message key and detail.
    Notice(&'static str, String),
    /// Something failed on the way (network, cache): the detail.
    Failed(String),
}

fn text(v: &Value, k: &str) -> String {
    v[k].as_str().unwrap_or_default().to_string()
}

fn role_key(chief: bool, admin: bool) -> &'static str {
    match (chief, admin) {
        (true, _) => "orgs.role.chief",
        (_, true) => "orgs.role.admin",
        _ => "orgs.role.employee",
    }
}

fn contact_key(kind: &str) -> &'static str {
    match kind {
        "OPH" => "orgsel.b2b_esia_phone",
        "OEM" => "orgsel.b2b_esia_email",
        _ => "orgsel.b2b_esia_contact",
    }
}

fn address_key(kind: &str) -> &'static str {
    match kind {
        "OLG" => "orgsel.b2b_esia_legal_address",
        _ => "orgsel.b2b_esia_actual_address",
    }
}

fn elements(v: &Value) -> &[Value] {
    v["elements"].as_array().map(Vec::as_slice).unwrap_or(&[])
}

fn full_name(p: &Value) -> String {
    ["lastName", "firstName", "middleName"]
        .iter()
        .filter_map(|k| p[*k].as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// What a refusal of vhod looks like on the page: the HTTP status and ESIA's code, if any.
fn refusal(status: u16, body: &Value) -> String {
    let code = body["code"]
        .as_str()
        .or(body["error_description"].as_str())
        .unwrap_or_default();
    format!("HTTP {status} {code}").trim().to_string()
}

/// Reads everything the card shows with `token`; `Err` = vhod refused (the portal's words).
async fn read_card(
    app: &Ctx,
    portal: &Portal,
    token: &str,
    prn: i64,
    org: i64,
) -> anyhow::Result<Result<EsiaCard, String>> {
    let (status, roles) = portal
        .rest(app, token, &format!("/rs/prns/{prn}/roles"))
        .await?;
    if status != 200 {
        return Ok(Err(refusal(status, &roles)));
    }
    let Some(role) = elements(&roles).iter().find(|r| r["oid"] == org) else {
        return Ok(Err(format!("/rs/prns/{prn}/roles: no organisation {org}")));
    };
    let (chief, admin) = (role["chief"] == true, role["admin"] == true);
    let (status, card) = portal.rest(app, token, &format!("/rs/orgs/{org}")).await?;
    if status != 200 {
        return Ok(Err(refusal(status, &card)));
    }
    let mut collections = Vec::new();
    let wanted: &[&str] = if chief || admin {
        &["ctts", "addrs", "emps"]
    } else {
        &["ctts", "addrs"]
    };
    for c in wanted {
        let path = format!("/rs/orgs/{org}/{c}?embed=(elements)");
        let (status, list) = portal.rest(app, token, &path).await?;
        if status != 200 {
            return Ok(Err(refusal(status, &list)));
        }
        collections.push(list);
    }
    let (_, person) = portal.rest(app, token, &format!("/rs/prns/{prn}")).await?;
    let contacts = elements(&collections[0])
        .iter()
        .map(|c| {
            (
                contact_key(c["type"].as_str().unwrap_or("")),
                text(c, "value"),
            )
        })
        .collect();
    let addresses = elements(&collections[1])
        .iter()
        .map(|a| {
            let kind = a["type"].as_str().unwrap_or("");
            (address_key(kind), text(a, "addressStr"))
        })
        .collect();
    let employees = collections.get(2).map(|emps| {
        elements(emps)
            .iter()
            .map(|e| {
                let role = role_key(e["chief"] == true, e["admin"] == true);
                (full_name(&e["person"]), role)
            })
            .collect()
    });
    Ok(Ok(EsiaCard {
        person: full_name(&person),
        role_key: role_key(chief, admin),
        short_name: text(&card, "shortName"),
        full_name: text(&card, "fullName"),
        kind_key: crate::web::org_choice::kind_key(card["type"].as_str().unwrap_or("")),
        ogrn: text(&card, "ogrn"),
        inn: text(&card, "inn"),
        kpp: text(&card, "kpp"),
        contacts,
        addresses,
        employees,
    }))
}

/// The ESIA half for this browser; `true` when the portal's session is to be forgotten (the
/// caller clears the cookie).
pub async fn view(app: &Ctx, headers: &HeaderMap) -> (EsiaView, bool) {
    let Some(sid) = cookies::get(headers, SESSION_COOKIE) else {
        return (EsiaView::Out, false);
    };
    let session: Session = match app.cache.get_json(&session_key(&sid)).await {
        Ok(Some(s)) => s,
        Ok(None) => return (EsiaView::Out, true),
        Err(e) => return (EsiaView::Failed(e.to_string()), false),
    };
    let outcome = async {
        let portal = Portal::load(app).await?;
        let tokens = match portal
            .token(app, Grant::Refresh(&session.refresh_token))
            .await?
        {
            Ok(t) => t,
            Err(why) => return Ok(Err(why)),
        };
        if let Some(rt) = &tokens.refresh_token {
            let next = Session {
                refresh_token: rt.clone(),
                ..session
            };
            app.cache
                .put_json(&session_key(&sid), &next, SESSION_TTL)
                .await?;
        }
        read_card(
            app,
            &portal,
            &tokens.access_token,
            session.prn_oid,
            session.org_oid,
        )
        .await
    }
    .await;
    match outcome {
        Ok(Ok(card)) => (EsiaView::Card(Box::new(card)), false),
        Ok(Err(why)) => {
            let _ = app.cache.delete(&session_key(&sid)).await;
            (EsiaView::Ended(why), true)
        }
        Err(e) => (EsiaView::Failed(e.to_string()), false),
    }
}

/// GET /demo/b2b/esia/start: to vhod's ESIA endpoint with a signed request.
pub async fn start(State(app): State<Ctx>) -> Response {
    let state = esia_portal::new_state();
    let url = async {
        let portal = Portal::load(&app).await?;
        app.cache
            .put(&pending_key(&state), "1", PENDING_TTL)
            .await?;
        portal.ac_url(app.clock.now(), &state)
    }
    .await;
    match url {
        Ok(url) => {
            let mut res = Redirect::to(&url).into_response();
            res.headers_mut().append(
                header::SET_COOKIE,
                cookies::set(STATE_COOKIE, &state, None, app.config.issuer_is_https()),
            );
            res
        }
        Err(e) => back_with("failed", &e.to_string()),
    }
}

/// To the portal's page with the outcome of a sign-in (`esia` = what happened, `detail`).
fn back_with(what: &str, detail: &str) -> Response {
    let q = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([("esia", what), ("detail", detail)])
        .finish();
    Redirect::to(&format!("/demo/b2b?{q}")).into_response()
}

/// The notice of `?esia=…&detail=…` on the portal's page, if any.
pub fn notice_of(query: Option<&str>) -> Option<EsiaView> {
    let p = Params::from_query(query).ok()?;
    let detail: String = p.get("detail").unwrap_or("").chars().take(300).collect();
    let key = match p.get("esia")? {
        "denied" => "orgsel.b2b_esia_denied",
        "failed" => "demo.failed",
        _ => return None,
    };
    Some(EsiaView::Notice(key, detail))
}

/// GET /demo/b2b/esia/callback: the code (or ESIA's error) back from vhod; the code exchanged
/// and the portal's session started.
pub async fn callback(
    State(app): State<Ctx>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let p = Params::from_query(q.as_deref()).unwrap_or_default();
    let state = p.get("state").unwrap_or("");
    let bound = cookies::get(&headers, STATE_COOKIE).is_some_and(|c| c == state);
    let pending = match app.cache.take(&pending_key(state)).await {
        Ok(v) => v.is_some(),
        Err(e) => return back_with("failed", &e.to_string()),
    };
    if !bound || !pending {
        return back_with("failed", "state");
    }
    if let Some(err) = p.get("error") {
        let detail = format!("{err}: {}", p.get("error_description").unwrap_or(""));
        let what = if err == "access_denied" {
            "denied"
        } else {
            "failed"
        };
        return back_with(what, &detail);
    }
    let Some(code) = p.get("code") else {
        return back_with("failed", "no code");
    };
    let started = async {
        let portal = Portal::load(&app).await?;
        let tokens = portal
            .token(&app, Grant::Code(code))
            .await?
            .map_err(|why| anyhow::anyhow!(why))?;
        let claims = portal.verified_claims(&app, &tokens.access_token).await?;
        let (prn_oid, org_oid) = esia_portal::subject_and_org(&claims)
            .ok_or_else(|| anyhow::anyhow!("the access token names no person"))?;
        let org_oid = org_oid.ok_or_else(|| anyhow::anyhow!("no organisation in the token"))?;
        let refresh_token = tokens
            .refresh_token
            .ok_or_else(|| anyhow::anyhow!("no refresh token"))?;
        let sid = crate::crypto::random_token();
        let session = Session {
            refresh_token,
            prn_oid,
            org_oid,
        };
        app.cache
            .put_json(&session_key(&sid), &session, SESSION_TTL)
            .await?;
        Ok::<_, anyhow::Error>(sid)
    }
    .await;
    match started {
        Ok(sid) => super::b2b::signed_in(&app, SESSION_COOKIE, &sid),
        Err(e) => back_with("failed", &e.to_string()),
    }
}

/// GET /demo/b2b/esia/logout: the portal forgets its ESIA session.
pub async fn logout(State(app): State<Ctx>, headers: HeaderMap) -> Response {
    if let Some(sid) = cookies::get(&headers, SESSION_COOKIE) {
        let _ = app.cache.delete(&session_key(&sid)).await;
    }
    let mut res = Redirect::to("/demo/b2b").into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        cookies::set(SESSION_COOKIE, "", Some(0), app.config.issuer_is_https()),
    );
    res
}

#[cfg(test)]
mod compat_tests {
    //! The demo ESIA business portal's session (`crate::cache::compat`).

    use super::*;
    use crate::cache::compat::reads_across_releases;

    #[test]
    fn a_demo_esia_portal_session_reads_across_releases() {
        let s: Session = reads_across_releases(
            r#"{"refresh_token":"rt-Zk41pQw8","prn_oid":1000299411,"org_oid":1000512087}"#,
        );
        assert_eq!(s.refresh_token, "rt-Zk41pQw8");
        assert_eq!((s.prn_oid, s.org_oid), (1_000_299_411, 1_000_512_087));
    }
}
