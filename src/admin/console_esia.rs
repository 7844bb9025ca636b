//! The console's page of ESIA clients (/admin/console/esia): the list with each client's
//! certificates, registration (mnemonic, certificate PEM pasted, redirect URIs, flags), the flags
//! changed later, a certificate replaced with an overlap, and disabling. Each action is checked
//! with the same guard as its admin API twin and audited under the same name.

use super::auth::Caller;
use super::console::{caller, form, lang_of, permitted};
use super::op;
use crate::clients::esia::{self, EsiaClient, EsiaFlags, NewEsiaClient};
use crate::clients::{self, SettingsChange};
use crate::crypto::keyring::SigningAlg;
use crate::oidc::OidcState;
use crate::store::change::Change;
use crate::web::i18n::Tr;
use crate::web::page_error::PageError;
use crate::web::pages::with_cookie;
use crate::web::params::Params;
use crate::web::{csrf, flash, render};
use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

const PAGE: &str = "/admin/console/esia";

/// The algorithms the form offers: ESIA's own and RS256.
const TOKEN_ALGS: [&str; 3] = ["GOST3410_2012_256", "GOST3410_2012_512", "RS256"];
const LEVELS: [&str; 3] = ["simplified", "standard", "confirmed"];

pub struct CertificateLine {
    pub hash: String,
    pub added: String,
    /// Empty while current; otherwise the end of its overlap.
    pub until: String,
}

/// One option of a select: its value, its words (i18n key, or the value), chosen or not.
pub struct Opt {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

fn options(
    values: &[&'static str],
    label: fn(&'static str) -> &'static str,
    chosen: &str,
) -> Vec<Opt> {
    values
        .iter()
        .map(|v| Opt {
            value: v,
            label: label(v),
            selected: *v == chosen,
        })
        .collect()
}

pub struct EsiaLine {
    pub id: String,
    pub name: String,
    pub redirect_uris: String,
    pub legacy: bool,
    pub require_pkce: bool,
    pub token_alg: String,
    pub level_key: &'static str,
    pub alg_options: Vec<Opt>,
    pub level_options: Vec<Opt>,
    pub certificates: Vec<CertificateLine>,
}

impl EsiaLine {
    fn of(t: &Tr, c: EsiaClient) -> EsiaLine {
        EsiaLine {
            certificates: c
                .certificates
                .iter()
                .map(|x| CertificateLine {
                    hash: x.hash.clone(),
                    added: t.datetime(x.added_at),
                    until: x.expires_at.map(|e| t.datetime(e)).unwrap_or_default(),
                })
                .collect(),
            redirect_uris: c.client.redirect_uris.join("\n"),
            token_alg: c.client.id_token_alg.name().to_string(),
            level_key: level_key(&c.client.min_level),
            alg_options: options(&TOKEN_ALGS, |a| a, c.client.id_token_alg.name()),
            level_options: options(&LEVELS, level_key, &c.client.min_level),
            require_pkce: c.client.require_pkce,
            legacy: c.legacy,
            name: c.client.name,
            id: c.client.id.to_string(),
        }
    }
}

#[derive(Template)]
#[template(path = "admin_esia.html")]
struct EsiaPage {
    t: Tr,
    csrf: String,
    clients: Vec<EsiaLine>,
    new_algs: Vec<Opt>,
    new_levels: Vec<Opt>,
    overlap: i64,
    message: Option<String>,
}

/// The level's name in words (i18n key).
pub fn level_key(level: &str) -> &'static str {
    match level {
        "confirmed" => "admin_esia.level_confirmed",
        "standard" => "admin_esia.level_standard",
        _ => "admin_esia.level_simplified",
    }
}

/// GET /admin/console/esia
pub async fn page(State(app): State<OidcState>, headers: HeaderMap) -> Result<Response, PageError> {
    let lang = lang_of(&headers);
    let Some(c) = caller(&app, &headers).await else {
        return Ok(Redirect::to("/admin/console").into_response());
    };
    if c.require(op("get", "/admin/api/esia/clients")).is_err() {
        return Err(PageError::page(
            lang,
            StatusCode::FORBIDDEN,
            "admin.forbidden",
        ));
    }
    let t = Tr::new(lang);
    let list = esia::list(&app.store)
        .await
        .map_err(|e| PageError::from(e).in_lang(lang))?;
    let flash = flash::take(&app, &headers);
    let (csrf, cookie) = csrf::token(&headers, app.config.issuer_is_https());
    let mut res = with_cookie(
        render(
            StatusCode::OK,
            &EsiaPage {
                clients: list.into_iter().map(|x| EsiaLine::of(&t, x)).collect(),
                t,
                csrf,
                new_algs: options(&TOKEN_ALGS, |a| a, ""),
                new_levels: options(&LEVELS, level_key, ""),
                overlap: app.config.esia.certificate_overlap,
                message: flash.as_ref().map(|(m, _)| m.clone()),
            },
        ),
        cookie,
    );
    if let Some((_, spent)) = flash {
        res.headers_mut().append(header::SET_COOKIE, spent);
    }
    Ok(res)
}

/// A line per item of a textarea (redirect URIs), or items split by spaces (scopes).
fn lines(text: &str) -> Vec<String> {
    text.split_whitespace().map(str::to_owned).collect()
}

fn alg(p: &Params) -> Result<Option<SigningAlg>, String> {
    match p.get("token_alg").filter(|a| !a.is_empty()) {
        None => Ok(None),
        Some(a) => SigningAlg::parse(a)
            .map(Some)
            .ok_or_else(|| format!("token_alg {a} is not an algorithm vhod signs with")),
    }
}

/// What one action wrote (its audit action, details and the change to commit with them), or why
/// it did nothing.
type Outcome<'a> = Result<(&'static str, serde_json::Value, Change<'a>), String>;

async fn register<'a>(app: &'a OidcState, p: &Params, id: &str) -> Outcome<'a> {
    let new = NewEsiaClient {
        client_id: id.to_string(),
        name: p.get("name").unwrap_or("").to_string(),
        certificate: p.get("certificate").unwrap_or("").as_bytes().to_vec(),
        redirect_uris: lines(p.get("redirect_uris").unwrap_or("")),
        legacy: p.get("legacy") == Some("on"),
        scopes: lines(p.get("scopes").unwrap_or("")),
        token_alg: alg(p)?,
        min_level: p.get("min_level").map(str::to_owned),
        require_pkce: p.get("require_pkce") == Some("on"),
    };
    let (c, change) = esia::register_staged(&app.store, new)
        .await
        .map_err(|e| e.to_string())?;
    let hashes: Vec<_> = c.certificates.iter().map(|x| x.hash.clone()).collect();
    Ok((
        "client.add",
        serde_json::json!({ "esia": true, "name": c.client.name, "legacy": c.legacy,
            "require_pkce": c.client.require_pkce, "token_alg": c.client.id_token_alg.name(),
            "min_level": c.client.min_level, "certificates": hashes }),
        change,
    ))
}

/// The ESIA flags and the token settings: one change, one entry.
async fn change_flags<'a>(app: &'a OidcState, p: &Params, id: &str) -> Outcome<'a> {
    let flags = EsiaFlags {
        legacy: Some(p.get("legacy") == Some("on")),
        require_pkce: Some(p.get("require_pkce") == Some("on")),
    };
    let settings = SettingsChange {
        id_token_alg: alg(p)?.map(|a| a.name().to_string()),
        min_level: p.get("min_level").map(str::to_owned),
        ..SettingsChange::default()
    };
    let mut change = app.store.change().await.map_err(|e| e.to_string())?;
    let c = esia::set_flags_in(&mut change, id, flags)
        .await
        .map_err(|e| e.to_string())?;
    clients::change_settings_in(&app.clients, &mut change, id, &settings)
        .await
        .map_err(|e| e.to_string())?;
    Ok((
        "client.update",
        serde_json::json!({ "esia": true, "legacy": c.legacy, "require_pkce": c.client.require_pkce,
            "token_alg": settings.id_token_alg, "min_level": settings.min_level }),
        change,
    ))
}

async fn replace_certificate<'a>(app: &'a OidcState, p: &Params, id: &str) -> Outcome<'a> {
    let overlap = match p.get("overlap").map(str::trim).filter(|o| !o.is_empty()) {
        None => app.config.esia.certificate_overlap,
        Some(o) => o
            .parse::<i64>()
            .ok()
            .filter(|o| *o >= 0)
            .ok_or_else(|| format!("overlap {o} is not a number of seconds"))?,
    };
    let certificate = p.get("certificate").unwrap_or("").as_bytes();
    let (hash, change) = esia::replace_certificate_staged(&app.store, id, certificate, overlap)
        .await
        .map_err(|e| e.to_string())?;
    Ok((
        "client.replace_certificate",
        serde_json::json!({ "certificate_hash": hash, "overlap": overlap }),
        change,
    ))
}

async fn disable<'a>(app: &'a OidcState, id: &str) -> Outcome<'a> {
    if esia::find(&app.store, id).await.ok().flatten().is_none() {
        return Err(format!("no ESIA client {id}"));
    }
    clients::disable_staged(app, &app.clients, id)
        .await
        .map(|change| {
            (
                "client.disable",
                serde_json::json!({ "esia": true }),
                change,
            )
        })
        .map_err(|e| e.to_string())
}

/// Each form action and the admin API operation (and role) it stands for.
const ROUTES: &[(&str, &str, &str)] = &[
    ("add", "post", "/admin/api/esia/clients"),
    ("flags", "post", "/admin/api/esia/clients/{client_id}/flags"),
    (
        "certificate",
        "post",
        "/admin/api/esia/clients/{client_id}/certificate",
    ),
    ("disable", "post", "/admin/api/clients/{client_id}/disable"),
];

/// POST /admin/console/esia: one form handler; `action` = add | flags | certificate | disable.
pub async fn action(
    State(app): State<OidcState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let p = form(&headers, &body)?;
    let lang = lang_of(&headers);
    let Some(c) = caller(&app, &headers).await else {
        return Ok(Redirect::to("/admin/console").into_response());
    };
    let action = p.get("action").unwrap_or("");
    permitted(&c, lang, action, ROUTES)?;
    // Destructive actions carry the person's explicit confirmation (a required checkbox).
    if action == "disable" && p.get("confirm") != Some("yes") {
        return Err(PageError::page(
            lang,
            StatusCode::BAD_REQUEST,
            "admin.confirm_needed",
        ));
    }
    let id = p.get("client_id").unwrap_or("").trim().to_string();
    let outcome = match action {
        "add" => register(&app, &p, &id).await,
        "flags" => change_flags(&app, &p, &id).await,
        "certificate" => replace_certificate(&app, &p, &id).await,
        _ => disable(&app, &id).await,
    };
    let message = record(&c, &id, outcome)
        .await
        .map_err(|e| e.in_lang(lang))?;
    let t = Tr::new(lang);
    let message = match message {
        Ok(done) => format!("{} {done}", t.s("admin_esia.done")),
        Err(why) => format!("{} {why}", t.s("admin_esia.not_done")),
    };
    Ok(flash::redirect(&app, PAGE, &message))
}

/// Commits a done action with its audit entry (as the API does); says what was done, or why
/// nothing was.
async fn record(
    c: &Caller,
    id: &str,
    outcome: Outcome<'_>,
) -> Result<Result<String, String>, PageError> {
    match outcome {
        Ok((action, details, change)) => {
            super::console::commit(change, c, action, id, details).await?;
            Ok(Ok(format!("{action}: {id}")))
        }
        Err(why) => Ok(Err(why)),
    }
}
