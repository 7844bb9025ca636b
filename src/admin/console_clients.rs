//! The console's page of OpenID portals (/admin/console/clients): the list with each client's
//! settings, registration (the secret shown once, on the answer to the form), changes to redirect
//! URIs, scopes, token algorithm, PAR/DPoP and minimum level and acr, and disabling or removing
//! (both confirmed). Each action is checked with the guard of its admin API twin and audited
//! under the same name. ESIA clients have their own page (console_esia.rs).

use super::console::{caller, commit, form, lang_of, permitted};
use super::console_esia::{Opt, level_key};
use super::op;
use crate::clients::{self, Client, NewClient, SettingsChange};
use crate::crypto::keyring::SigningAlg;
use crate::oidc::OidcState;
use crate::store::change::Change;
use crate::web::i18n::{Lang, Tr};
use crate::web::page_error::PageError;
use crate::web::pages::with_cookie;
use crate::web::params::Params;
use crate::web::{csrf, flash, render};
use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

const PAGE: &str = "/admin/console/clients";
const ALGS: [&str; 4] = ["RS256", "ES256", "GOST3410_2012_256", "GOST3410_2012_512"];
const LEVELS: [&str; 3] = ["simplified", "standard", "confirmed"];
const ACRS: [&str; 3] = [
    crate::authn::ACR_LOW,
    crate::authn::ACR_SUBSTANTIAL,
    crate::authn::ACR_HIGH,
];

fn acr_key(acr: &'static str) -> &'static str {
    match acr {
        crate::authn::ACR_HIGH => "admin_clients.acr_high",
        crate::authn::ACR_SUBSTANTIAL => "admin_clients.acr_substantial",
        _ => "admin_clients.acr_low",
    }
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

pub struct ClientView {
    pub id: String,
    pub name: String,
    pub kind: &'static str,
    pub redirect_uris: String,
    pub scopes: String,
    /// Grant types beyond the code flow, by short name (device_code, ciba, client_credentials).
    pub extra_grants: String,
    pub require_par: bool,
    pub require_dpop: bool,
    pub level_key: &'static str,
    pub algs: Vec<Opt>,
    pub levels: Vec<Opt>,
    pub acrs: Vec<Opt>,
}

impl ClientView {
    fn of(c: Client) -> ClientView {
        ClientView {
            kind: if c.is_public {
                "admin.public"
            } else {
                "admin.confidential"
            },
            redirect_uris: c.redirect_uris.join("\n"),
            scopes: c.allowed_scopes.join(" "),
            extra_grants: extra_grants(&c.grant_types),
            require_par: c.require_par,
            require_dpop: c.require_dpop,
            level_key: level_key(&c.min_level),
            algs: options(&ALGS, |a| a, c.id_token_alg.name()),
            levels: options(&LEVELS, level_key, &c.min_level),
            acrs: options(&ACRS, acr_key, &c.min_acr),
            id: c.id.to_string(),
            name: c.name,
        }
    }
}

/// The grant types a portal registered beyond the code flow, by their short names.
fn extra_grants(grants: &[String]) -> String {
    grants
        .iter()
        .filter(|g| !clients::DEFAULT_GRANT_TYPES.contains(&g.as_str()))
        .map(|g| match g.as_str() {
            clients::DEVICE_CODE_GRANT => "device_code",
            clients::CIBA_GRANT => "ciba",
            other => other,
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The form's grant choices (device code, CIBA) as a NewClient's grant types, client
/// authentication and CIBA settings; the code flow stays when redirect URIs are given.
fn with_grants(mut new: NewClient, p: &Params) -> NewClient {
    let on = |k: &str| p.get(k) == Some("on");
    let text = |k: &str| Some(p.get(k).unwrap_or("").trim()).filter(|v| !v.is_empty());
    let extra: Vec<String> = [
        ("grant_device", clients::DEVICE_CODE_GRANT),
        ("grant_ciba", clients::CIBA_GRANT),
    ]
    .iter()
    .filter(|(k, _)| on(k))
    .map(|(_, g)| g.to_string())
    .collect();
    if extra.is_empty() {
        return new;
    }
    if !new.redirect_uris.is_empty() {
        new.grant_types = clients::DEFAULT_GRANT_TYPES.map(String::from).to_vec();
    }
    new.grant_types.extend(extra);
    if on("grant_ciba") {
        // CIBA clients authenticate with private_key_jwt (the registration checks the rest).
        new.auth_method = Some(clients::AuthMethod::PrivateKeyJwt);
        new.jwks = text("jwks").map(str::to_string);
        new.ciba_mode = text("ciba_mode").map(str::to_string);
        new.ciba_notification_endpoint = text("ciba_notification_endpoint").map(str::to_string);
    }
    new
}

#[derive(Template)]
#[template(path = "admin_clients.html")]
struct ClientsPage {
    t: Tr,
    csrf: String,
    clients: Vec<ClientView>,
    new_algs: Vec<Opt>,
    message: Option<String>,
    /// Right after registration: the new client's id and secret, shown this once.
    created: Option<(String, Option<String>)>,
}

async fn show(
    app: &OidcState,
    headers: &HeaderMap,
    lang: Lang,
    message: Option<String>,
    created: Option<(String, Option<String>)>,
) -> Result<Response, PageError> {
    let esia = app.store.esia_client_ids().await?;
    let list = clients::list(&app.store)
        .await?
        .into_iter()
        .filter(|c| !esia.iter().any(|e| e == c.id.as_str()))
        .map(ClientView::of)
        .collect();
    let (csrf, cookie) = csrf::token(headers, app.config.issuer_is_https());
    Ok(with_cookie(
        render(
            StatusCode::OK,
            &ClientsPage {
                t: Tr::new(lang),
                csrf,
                clients: list,
                new_algs: options(&ALGS, |a| a, "RS256"),
                message,
                created,
            },
        ),
        cookie,
    ))
}

/// GET /admin/console/clients
pub async fn page(State(app): State<OidcState>, headers: HeaderMap) -> Result<Response, PageError> {
    let lang = lang_of(&headers);
    let Some(c) = caller(&app, &headers).await else {
        return Ok(Redirect::to("/admin/console").into_response());
    };
    if c.require(op("get", "/admin/api/clients")).is_err() {
        return Err(PageError::page(
            lang,
            StatusCode::FORBIDDEN,
            "admin.forbidden",
        ));
    }
    let flash = flash::take(&app, &headers);
    let message = flash.as_ref().map(|(m, _)| m.clone());
    let mut res = show(&app, &headers, lang, message, None)
        .await
        .map_err(|e| e.in_lang(lang))?;
    if let Some((_, spent)) = flash {
        res.headers_mut().append(header::SET_COOKIE, spent);
    }
    Ok(res)
}

fn words(text: &str) -> Vec<String> {
    text.split_whitespace().map(str::to_owned).collect()
}

fn alg(p: &Params) -> Result<SigningAlg, String> {
    let a = p.get("id_token_alg").unwrap_or("RS256");
    SigningAlg::parse(a).ok_or_else(|| format!("id_token_alg must be {}", SigningAlg::NAMES))
}

/// What one action wrote (its audit action, details and the change to commit with them), or why
/// it did nothing.
type Outcome<'a> = Result<(&'static str, serde_json::Value, Change<'a>), String>;

/// Redirect URIs and settings: one change, one entry.
async fn change<'a>(app: &'a OidcState, p: &Params, id: &str) -> Outcome<'a> {
    let on = |k: &str| Some(p.get(k) == Some("on"));
    let uris = words(p.get("redirect_uris").unwrap_or(""));
    let settings = SettingsChange {
        scopes: Some(words(p.get("scopes").unwrap_or(""))),
        id_token_alg: Some(alg(p)?.name().to_string()),
        require_par: on("require_par"),
        require_dpop: on("require_dpop"),
        min_level: p.get("min_level").map(str::to_owned),
        min_acr: p.get("min_acr").map(str::to_owned),
        ..SettingsChange::default()
    };
    let mut change = app.store.change().await.map_err(|e| e.to_string())?;
    clients::set_redirect_uris_in(&app.clients, &mut change, id, &uris)
        .await
        .map_err(|e| e.to_string())?;
    clients::change_settings_in(&app.clients, &mut change, id, &settings)
        .await
        .map_err(|e| e.to_string())?;
    Ok((
        "client.update",
        serde_json::json!({ "redirect_uris": uris, "scopes": settings.scopes,
            "id_token_alg": settings.id_token_alg, "require_par": settings.require_par,
            "require_dpop": settings.require_dpop, "min_level": settings.min_level,
            "min_acr": settings.min_acr }),
        change,
    ))
}

async fn remove<'a>(app: &'a OidcState, id: &str) -> Outcome<'a> {
    let mut change = app.store.change().await.map_err(|e| e.to_string())?;
    if !change.remove_client(id).await.map_err(|e| e.to_string())? {
        return Err(format!("no client {id}"));
    }
    let forget = id.to_string();
    change.after_commit(move || app.clients.forget(&forget));
    Ok(("client.remove", serde_json::json!({}), change))
}

/// Each form action and the admin API operation (and role) it stands for.
const ROUTES: &[(&str, &str, &str)] = &[
    ("add", "post", "/admin/api/clients"),
    ("change", "post", "/admin/api/clients/{client_id}/settings"),
    ("disable", "post", "/admin/api/clients/{client_id}/disable"),
    ("remove", "delete", "/admin/api/clients/{client_id}"),
];

/// POST /admin/console/clients: `action` = add | change | disable | remove.
pub async fn action(
    State(app): State<OidcState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    let p = form(&headers, &body)?;
    let lang = lang_of(&headers);
    let t = Tr::new(lang);
    let Some(c) = caller(&app, &headers).await else {
        return Ok(Redirect::to("/admin/console").into_response());
    };
    let action = p.get("action").unwrap_or("");
    permitted(&c, lang, action, ROUTES)?;
    if matches!(action, "disable" | "remove") && p.get("confirm") != Some("yes") {
        return Err(PageError::page(
            lang,
            StatusCode::BAD_REQUEST,
            "admin.confirm_needed",
        ));
    }
    let not_done = |why: String| format!("{} {why}", t.s("admin_esia.not_done"));
    if action == "add" {
        // Answered with the page itself (not a redirect): the secret is shown this once and is
        // never put in a cookie or a URL.
        let new = match alg(&p) {
            Ok(alg) => with_grants(
                NewClient {
                    name: p.get("name").unwrap_or("").trim().to_string(),
                    redirect_uris: words(p.get("redirect_uris").unwrap_or("")),
                    is_public: p.get("public") == Some("on"),
                    scopes: words(p.get("scopes").unwrap_or("")),
                    id_token_alg: alg,
                    ..NewClient::default()
                },
                &p,
            ),
            Err(why) => return show(&app, &headers, lang, Some(not_done(why)), None).await,
        };
        let staged = match clients::strict_outbound() {
            Ok(strict) => clients::register_staged(&app.store, &strict, new).await,
            Err(e) => Err(e),
        };
        return match staged {
            Ok((client, secret, change)) => {
                let id = client.id.to_string();
                commit(
                    change,
                    &c,
                    "client.add",
                    &id,
                    serde_json::json!({ "name": client.name }),
                )
                .await
                .map_err(|e| PageError::from(e).in_lang(lang))?;
                let done = format!("{} client.add: {id}", t.s("admin_esia.done"));
                show(&app, &headers, lang, Some(done), Some((id, secret))).await
            }
            Err(clients::RegisterError::Store(e)) => Err(PageError::from(e).in_lang(lang)),
            Err(e) => show(&app, &headers, lang, Some(not_done(e.to_string())), None).await,
        };
    }
    let id = p.get("client_id").unwrap_or("").trim().to_string();
    let outcome = match action {
        "change" => change(&app, &p, &id).await,
        "remove" => remove(&app, &id).await,
        _ => clients::disable_staged(&app, &app.clients, &id)
            .await
            .map(|change| ("client.disable", serde_json::json!({}), change))
            .map_err(|e| e.to_string()),
    };
    let message = match outcome {
        Ok((done, details, change)) => {
            commit(change, &c, done, &id, details)
                .await
                .map_err(|e| PageError::from(e).in_lang(lang))?;
            format!("{} {done}: {id}", t.s("admin_esia.done"))
        }
        Err(why) => not_done(why),
    };
    Ok(flash::redirect(&app, PAGE, &message))
}
