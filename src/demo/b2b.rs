//! The demo B2B portal at /demo/b2b (dev mode), in the spirit of seed 000's business «личный
//! кабинет»: «Войти через vhod как представитель организации» signs an employee in for an
//! organisation (scope `organization`, the portal requires one) with the `openidconnect` crate, and
//! shows the organisation card and the person's role from the tokens. At every page view the
//! portal refreshes its tokens and reads userinfo, as a careful portal does: an employee removed
//! from the organisation (or whose organisation withdrew the portal) loses access at the next view.

use super::b2b_esia::{self, EsiaCard, EsiaView};
use crate::clients::{self, NewClient};
use crate::crypto::keyring::SigningAlg;
use crate::ctx::Ctx;
use crate::relying_party::{self, Callback, Finished, Provider, Renewed};
use crate::web::i18n::Tr;
use crate::web::meta::ClientMeta;
use crate::web::params::Params;
use crate::web::{cookies, render};
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub const CLIENT_ID: &str = "vhod-demo-b2b";
/// The state of a sign-in in progress (bound to the browser).
const STATE_COOKIE: &str = "vhod_b2b_state";
/// The portal's own session: a random id; the tokens stay on the server (in the cache).
const SESSION_COOKIE: &str = "vhod_b2b";
/// How long the portal keeps a session (its refresh token lives longer at vhod).
const SESSION_TTL: i64 = 8 * 3600;

fn redirect_uri(app: &Ctx) -> String {
    format!("{}/demo/b2b/callback", app.issuer())
}

/// Registers (or re-registers, if the issuer changed) the B2B portal: public, organisation required.
pub async fn ensure_client(app: &Ctx) -> anyhow::Result<()> {
    let wanted = redirect_uri(app);
    if let Some(c) = clients::find(&app.store, CLIENT_ID).await? {
        if c.redirect_uris == [wanted.clone()] && c.require_org {
            return Ok(());
        }
        app.store.remove_client(CLIENT_ID).await?;
    }
    clients::register(
        &app.store,
        NewClient {
            id: Some(CLIENT_ID.into()),
            name: "Личный кабинет юридического лица (демо)".into(),
            redirect_uris: vec![wanted],
            is_public: true,
            id_token_alg: SigningAlg::Rs256,
            require_org: true,
            ..NewClient::default()
        },
    )
    .await?;
    Ok(())
}

fn provider(app: &Ctx) -> Provider<'_> {
    Provider {
        issuer: app.issuer(),
        client_id: CLIENT_ID,
        client_secret: "",
        redirect_uri: redirect_uri(app),
        purpose: "demo-b2b",
    }
}

#[derive(Serialize, Deserialize)]
struct Session {
    refresh_token: String,
}

fn session_key(id: &str) -> String {
    format!("demo-b2b:{id}")
}

/// The organisation card as the portal shows it, from the `org` claim.
struct OrgCard {
    short_name: String,
    kind_key: &'static str,
    ogrn: String,
    inn: String,
    kpp: String,
    role_key: &'static str,
}

impl OrgCard {
    fn from_claim(org: &Value) -> Option<OrgCard> {
        let s = |k: &str| org.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        org.get("id")?;
        Some(OrgCard {
            short_name: s("short_name"),
            kind_key: crate::web::org_choice::kind_key(&s("type")),
            ogrn: s("ogrn"),
            inn: s("inn"),
            kpp: s("kpp"),
            role_key: crate::web::org_choice::role_key(&s("role")),
        })
    }
}

#[derive(Template)]
#[template(path = "demo_b2b.html")]
struct B2bPage {
    t: Tr,
    /// A message (i18n key) and the provider's own words, when signing in failed or access ended.
    notice: Option<(&'static str, String)>,
    org: Option<OrgCard>,
    person: String,
    /// The ESIA half of the portal.
    esia: EsiaView,
}

impl B2bPage {
    fn esia_card(&self) -> Option<&EsiaCard> {
        match &self.esia {
            EsiaView::Card(c) => Some(c),
            _ => None,
        }
    }

    /// Access ended (vhod's words), or a notice: (message key, detail).
    fn esia_notice(&self) -> Option<(&'static str, &str)> {
        match &self.esia {
            EsiaView::Ended(why) => Some(("orgsel.b2b_esia_lost", why)),
            EsiaView::Notice(key, detail) => Some((key, detail)),
            EsiaView::Failed(e) => Some(("demo.failed", e)),
            _ => None,
        }
    }
}

fn page_of(
    meta: &ClientMeta,
    status: StatusCode,
    notice: Option<(&'static str, String)>,
    org: Option<OrgCard>,
    person: String,
) -> Response {
    page_with(meta, status, notice, org, person, EsiaView::Out)
}

fn page_with(
    meta: &ClientMeta,
    status: StatusCode,
    notice: Option<(&'static str, String)>,
    org: Option<OrgCard>,
    person: String,
    esia: EsiaView,
) -> Response {
    render(
        status,
        &B2bPage {
            t: Tr::new(meta.lang(None)),
            notice,
            org,
            person,
            esia,
        },
    )
}

/// Back to the portal's page with a new session of one of its halves (`cookie`: the half's).
pub(super) fn signed_in(app: &Ctx, cookie: &str, sid: &str) -> Response {
    let mut res = Redirect::to("/demo/b2b").into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        cookies::set(cookie, sid, None, app.config.issuer_is_https()),
    );
    res
}

fn clear_session(res: &mut Response, secure: bool) {
    res.headers_mut().append(
        header::SET_COOKIE,
        cookies::set(SESSION_COOKIE, "", Some(0), secure),
    );
}

/// GET /demo/b2b: both halves of the portal, each checked with vhod at this very view: the OpenID
/// one (refresh + userinfo) and the ESIA one (refresh + REST, `b2b_esia`).
pub async fn page(
    State(app): State<Ctx>,
    meta: ClientMeta,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let (esia, forget_esia) = match b2b_esia::view(&app, &headers).await {
        (EsiaView::Out, forget) => (
            b2b_esia::notice_of(q.as_deref()).unwrap_or(EsiaView::Out),
            forget,
        ),
        other => other,
    };
    let mut res = oidc_half(&app, &meta, &headers, esia).await;
    if forget_esia {
        res.headers_mut().append(
            header::SET_COOKIE,
            cookies::set(
                b2b_esia::SESSION_COOKIE,
                "",
                Some(0),
                app.config.issuer_is_https(),
            ),
        );
    }
    res
}

/// What the OpenID half shows: status, notice, card and person; `true` when the portal's session
/// ended (the cookie is cleared).
struct OidcHalf {
    status: StatusCode,
    notice: Option<(&'static str, String)>,
    org: Option<OrgCard>,
    person: String,
    ended: bool,
}

impl OidcHalf {
    fn landing(notice: Option<(&'static str, String)>) -> OidcHalf {
        OidcHalf {
            status: StatusCode::OK,
            notice,
            org: None,
            person: String::new(),
            ended: false,
        }
    }

    fn failed(e: impl std::fmt::Display) -> OidcHalf {
        OidcHalf {
            status: StatusCode::BAD_GATEWAY,
            ..OidcHalf::landing(Some(("demo.failed", e.to_string())))
        }
    }

    fn ended(code: String) -> OidcHalf {
        OidcHalf {
            ended: true,
            ..OidcHalf::landing(Some(("orgsel.b2b_lost", code)))
        }
    }
}

/// The page with the OpenID half read for this view (and `esia` as the ESIA half).
async fn oidc_half(app: &Ctx, meta: &ClientMeta, headers: &HeaderMap, esia: EsiaView) -> Response {
    let half = read_oidc_half(app, headers).await;
    let mut res = page_with(meta, half.status, half.notice, half.org, half.person, esia);
    if half.ended {
        clear_session(&mut res, app.config.issuer_is_https());
    }
    res
}

async fn read_oidc_half(app: &Ctx, headers: &HeaderMap) -> OidcHalf {
    let Some(sid) = cookies::get(headers, SESSION_COOKIE) else {
        return OidcHalf::landing(None);
    };
    let session: Option<Session> = match app.cache.get_json(&session_key(&sid)).await {
        Ok(s) => s,
        Err(e) => return OidcHalf::failed(e),
    };
    let Some(session) = session else {
        return OidcHalf::landing(None);
    };
    match relying_party::renew(&provider(app), &session.refresh_token).await {
        Ok(Renewed::Tokens {
            refresh_token,
            userinfo,
            ..
        }) => {
            let Some(org) = userinfo.get("org").and_then(OrgCard::from_claim) else {
                let _ = app.cache.delete(&session_key(&sid)).await;
                return OidcHalf::ended("no org".into());
            };
            if let Some(rt) = refresh_token {
                let saved = app
                    .cache
                    .put_json(
                        &session_key(&sid),
                        &Session { refresh_token: rt },
                        SESSION_TTL,
                    )
                    .await;
                if let Err(e) = saved {
                    return OidcHalf::failed(e);
                }
            }
            let person = ["family_name", "given_name"]
                .iter()
                .filter_map(|k| userinfo.get(*k).and_then(Value::as_str))
                .collect::<Vec<_>>()
                .join(" ");
            OidcHalf {
                org: Some(org),
                person,
                ..OidcHalf::landing(None)
            }
        }
        Ok(Renewed::Refused(code)) => {
            let _ = app.cache.delete(&session_key(&sid)).await;
            OidcHalf::ended(code)
        }
        Err(e) => OidcHalf::failed(e),
    }
}

/// GET /demo/b2b/start: to vhod, asking for an organisation.
pub async fn start(State(app): State<Ctx>, meta: ClientMeta) -> Response {
    match relying_party::start(
        &app.cache,
        &provider(&app),
        &["profile", "organization"],
        1800,
        (),
    )
    .await
    {
        Ok(started) => {
            let mut res = Redirect::to(&started.url).into_response();
            res.headers_mut().append(
                header::SET_COOKIE,
                cookies::set(
                    STATE_COOKIE,
                    &started.state,
                    None,
                    app.config.issuer_is_https(),
                ),
            );
            res
        }
        Err(e) => page_of(
            &meta,
            StatusCode::BAD_GATEWAY,
            Some(("demo.failed", e.to_string())),
            None,
            String::new(),
        ),
    }
}

/// GET /demo/b2b/callback: the code exchanged, the portal's session started.
pub async fn callback(
    State(app): State<Ctx>,
    meta: ClientMeta,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let p = Params::from_query(q.as_deref()).unwrap_or_default();
    if let Some(err) = p.get("error") {
        let key = match err {
            "access_denied" => "orgsel.b2b_denied",
            _ => "demo.failed",
        };
        let detail = format!("{err}: {}", p.get("error_description").unwrap_or(""));
        return page_of(
            &meta,
            StatusCode::OK,
            Some((key, detail)),
            None,
            String::new(),
        );
    }
    let cookie = cookies::get(&headers, STATE_COOKIE);
    let callback = Callback::read(|k| p.get(k), cookie.as_deref());
    let result = async {
        let done: Finished<()> =
            relying_party::finish(&app.cache, &provider(&app), callback, false, |_| Ok(())).await?;
        let refresh_token = done
            .refresh_token
            .ok_or_else(|| anyhow::anyhow!("no refresh token"))?;
        let sid = crate::crypto::random_token();
        app.cache
            .put_json(&session_key(&sid), &Session { refresh_token }, SESSION_TTL)
            .await?;
        Ok::<_, anyhow::Error>(sid)
    }
    .await;
    match result {
        Ok(sid) => signed_in(&app, SESSION_COOKIE, &sid),
        Err(e) => page_of(
            &meta,
            StatusCode::BAD_GATEWAY,
            Some(("demo.failed", e.to_string())),
            None,
            String::new(),
        ),
    }
}

/// GET /demo/b2b/logout: the portal forgets its session (vhod's own session is left alone).
pub async fn logout(State(app): State<Ctx>, headers: HeaderMap) -> Response {
    if let Some(sid) = cookies::get(&headers, SESSION_COOKIE) {
        let _ = app.cache.delete(&session_key(&sid)).await;
    }
    let mut res = Redirect::to("/demo/b2b").into_response();
    clear_session(&mut res, app.config.issuer_is_https());
    res
}

#[cfg(test)]
mod compat_tests {
    //! The demo business portal's session (`crate::cache::compat`).

    use super::*;
    use crate::cache::compat::reads_across_releases;

    #[test]
    fn a_demo_portal_session_reads_across_releases() {
        let s: Session = reads_across_releases(r#"{"refresh_token":"rt-7Hq2xK9vLm3"}"#);
        assert_eq!(s.refresh_token, "rt-7Hq2xK9vLm3");
    }
}
