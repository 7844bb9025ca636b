//! «Стандартная учётная запись»: the request form (SNILS, identity document, the person's data)
//! sent for the registry check.

use crate::ctx::Ctx;
use crate::identity::levels::{self, IdDocument, LevelError, StandardRequest};
use crate::identity::validation::{Passport, Snils};
use crate::web::extract::{Language, SignedIn, SignedInForm};
use crate::web::i18n::{Lang, Tr};
use crate::web::page_error::PageError;
use crate::web::pages::with_cookie;
use crate::web::params::Params;
use crate::web::{csrf, render};
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

#[derive(Template)]
#[template(path = "standard.html")]
struct StandardPage {
    t: Tr,
    csrf: String,
    f: Params,
    error_key: &'static str,
}

fn standard_page(
    app: &Ctx,
    headers: &HeaderMap,
    lang: Lang,
    f: Params,
    status: StatusCode,
    error_key: &'static str,
) -> Response {
    let (csrf, cookie) = csrf::token(headers, app.config.issuer_is_https());
    with_cookie(
        render(
            status,
            &StandardPage {
                t: Tr::new(lang),
                csrf,
                f,
                error_key,
            },
        ),
        cookie,
    )
}

pub async fn standard_form(
    State(app): State<Ctx>,
    Language(lang): Language,
    SignedIn(s): SignedIn,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let Some(account) = app.store.account(&s.account_id).await? else {
        return Ok(Redirect::to("/login").into_response());
    };
    let mut pairs: Vec<(String, String)> = vec![
        ("surname".into(), account.surname),
        ("given_name".into(), account.given_name),
        ("patronymic".into(), account.patronymic.unwrap_or_default()),
        ("doc_type".into(), "passport_rf".into()),
    ];
    // A re-submission (after a refusal, or to change the data) starts from what was sent last.
    pairs.extend(last_submission(
        &app.store.documents_of(&s.account_id).await?,
    ));
    let mut f: Vec<(String, String)> = vec![];
    for (k, v) in pairs.into_iter().rev() {
        if !f.iter().any(|(n, _)| *n == k) {
            f.push((k, v));
        }
    }
    Ok(standard_page(
        &app,
        &headers,
        lang,
        Params::from_pairs(f),
        StatusCode::OK,
        "",
    ))
}

/// The form's fields as the newest SNILS and identity document were submitted.
fn last_submission(docs: &[crate::store::documents::DocumentRow]) -> Vec<(String, String)> {
    let newest = |kinds: &[&str]| {
        docs.iter()
            .filter(|d| kinds.contains(&d.kind.as_str()))
            .max_by_key(|d| (d.created_at, d.id.clone()))
    };
    let mut out = vec![];
    if let Some(d) = newest(&["snils"])
        && let Some(n) = d.fields()["number"].as_str()
    {
        out.push(("snils".to_string(), n.to_string()));
    }
    if let Some(d) = newest(&["passport_rf", "foreign_id"]) {
        out.push(("doc_type".to_string(), d.kind.clone()));
        if let serde_json::Value::Object(fields) = d.fields() {
            for (k, v) in fields {
                if let Some(v) = v.as_str() {
                    out.push((k, v.to_string()));
                }
            }
        }
    }
    out
}

/// Reads the form into a request, or names the field that is wrong.
fn parse_standard(p: &Params) -> Result<StandardRequest, &'static str> {
    let get = |k: &str| p.get(k).unwrap_or("").trim().to_string();
    let snils: Snils = get("snils").parse().map_err(|_| "standard.bad_snils")?;
    let document = match p.get("doc_type") {
        Some("foreign_id") => {
            let country = get("country").to_uppercase();
            let number = get("number");
            if country.len() != 3 || !country.chars().all(|c| c.is_ascii_alphabetic()) {
                return Err("standard.bad_country");
            }
            if number.is_empty() || number.len() > 20 {
                return Err("standard.bad_document");
            }
            if Passport::parse("0000", "000000", &get("issued"), "000-000").is_err() {
                return Err("standard.bad_date");
            }
            IdDocument::Foreign {
                country,
                number,
                issued: get("issued"),
            }
        }
        _ => IdDocument::Passport(
            Passport::parse(
                &get("series"),
                &get("number"),
                &get("issued"),
                &get("issuer_code"),
            )
            .map_err(|_| "standard.bad_document")?,
        ),
    };
    let name = |k: &str| crate::identity::names::normalise_name(&get(k));
    let surname = name("surname").map_err(|_| "standard.bad_name")?;
    let given_name = name("given_name").map_err(|_| "standard.bad_name")?;
    let patronymic = match get("patronymic").as_str() {
        "" => None,
        _ => Some(name("patronymic").map_err(|_| "standard.bad_name")?),
    };
    let birth_date = get("birth_date");
    if Passport::parse("0000", "000000", &birth_date, "000-000").is_err() {
        return Err("standard.bad_date");
    }
    let birthplace = get("birthplace");
    if birthplace.is_empty() || birthplace.chars().count() > 200 {
        return Err("standard.bad_birthplace");
    }
    let gender = match p.get("gender") {
        Some("M") => "M",
        Some("F") => "F",
        _ => return Err("standard.bad_gender"),
    };
    Ok(StandardRequest {
        snils,
        document,
        surname,
        given_name,
        patronymic,
        birth_date,
        birthplace,
        gender: gender.into(),
    })
}

pub async fn standard_submit(
    State(app): State<Ctx>,
    SignedInForm {
        session: s,
        form: p,
        lang,
        headers,
    }: SignedInForm,
) -> Result<Response, PageError> {
    let req = match parse_standard(&p) {
        Ok(r) => r,
        Err(key) => {
            return Ok(standard_page(
                &app,
                &headers,
                lang,
                p,
                StatusCode::BAD_REQUEST,
                key,
            ));
        }
    };
    let key = match levels::request_standard(&app, &s.account_id, &req).await {
        Ok(_) => return Ok(Redirect::to("/account/documents?done=submitted").into_response()),
        Err(LevelError::Store(e)) => return Err(e.into()),
        Err(LevelError::CheckRunning) => "standard.running",
        Err(LevelError::SnilsTaken) => "standard.snils_taken",
        Err(LevelError::Unchanged) => "standard.unchanged",
        Err(_) => "error.bad_request",
    };
    Ok(standard_page(
        &app,
        &headers,
        lang,
        p,
        StatusCode::CONFLICT,
        key,
    ))
}
