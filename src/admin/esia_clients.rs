//! Admin API for ESIA clients (problem+json): list, register (mnemonic client_id, certificate PEM,
//! redirect URIs, scopes, legacy flag, token algorithm, level), change the legacy and PKCE flags,
//! and replace a certificate with an overlap. The same operations as `vhod clients add --esia`,
//! `clients update --esia` and `replace-certificate`.

use super::handlers::{commit, guard};
use super::problem::Problem;
use crate::clients::esia::{self, EsiaClient, EsiaClientError, EsiaFlags, NewEsiaClient};
use crate::crypto::keyring::SigningAlg;
use crate::oidc::OidcState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

fn bad(detail: impl Into<String>) -> Problem {
    Problem::new(StatusCode::BAD_REQUEST, "Bad request", detail)
}

fn problem(e: EsiaClientError) -> Problem {
    match e {
        EsiaClientError::Store(e) => Problem::internal(&e),
        EsiaClientError::Unknown => Problem::new(StatusCode::NOT_FOUND, "Not found", e.to_string()),
        EsiaClientError::Exists | EsiaClientError::SameCertificate => {
            Problem::new(StatusCode::CONFLICT, "Conflict", e.to_string())
        }
        e => bad(e.to_string()),
    }
}

fn describe(c: &EsiaClient) -> Value {
    json!({
        "client_id": c.client.id, "name": c.client.name, "redirect_uris": c.client.redirect_uris,
        "scopes": c.client.allowed_scopes, "legacy": c.legacy, "require_pkce": c.client.require_pkce, "token_alg": c.client.id_token_alg.name(),
        "min_level": c.client.min_level,
        "certificates": c.certificates.iter().map(|x| json!({
            "hash": x.hash, "added_at": x.added_at, "expires_at": x.expires_at })).collect::<Vec<_>>(),
    })
}

pub async fn list(State(app): State<OidcState>, headers: HeaderMap) -> Response {
    let r = async {
        guard(&app, &headers, "get", "/admin/api/esia/clients").await?;
        let list = esia::list(&app.store).await?;
        Ok::<_, Problem>(json!(list.iter().map(describe).collect::<Vec<_>>()))
    }
    .await;
    match r {
        Ok(v) => Json(v).into_response(),
        Err(p) => p.into_response(),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AddRequest {
    client_id: String,
    name: String,
    /// PEM.
    certificate: String,
    #[serde(default)]
    redirect_uris: Vec<String>,
    #[serde(default)]
    scopes: Vec<String>,
    #[serde(default)]
    legacy: bool,
    token_alg: Option<String>,
    min_level: Option<String>,
    #[serde(default)]
    require_pkce: bool,
}

pub async fn add(State(app): State<OidcState>, headers: HeaderMap, body: Bytes) -> Response {
    let r = async {
        let caller = guard(&app, &headers, "post", "/admin/api/esia/clients").await?;
        let req: AddRequest = serde_json::from_slice(&body).map_err(|e| bad(e.to_string()))?;
        let token_alg = match req.token_alg.as_deref() {
            None => None,
            Some(a) => Some(SigningAlg::parse(a).ok_or_else(|| {
                bad(format!("token_alg {a} is not an algorithm vhod signs with"))
            })?),
        };
        let (c, change) = esia::register_staged(
            &app.store,
            NewEsiaClient {
                client_id: req.client_id,
                name: req.name,
                certificate: req.certificate.into_bytes(),
                redirect_uris: req.redirect_uris,
                legacy: req.legacy,
                scopes: req.scopes,
                token_alg,
                min_level: req.min_level,
                require_pkce: req.require_pkce,
            },
        )
        .await
        .map_err(problem)?;
        let out = describe(&c);
        commit(
            change,
            &caller,
            "client.add",
            &c.client.id,
            json!({ "esia": true, "certificates": out["certificates"] }),
        )
        .await?;
        Ok::<_, Problem>(out)
    }
    .await;
    match r {
        Ok(v) => (StatusCode::CREATED, Json(v)).into_response(),
        Err(p) => p.into_response(),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReplaceRequest {
    certificate: String,
    overlap: Option<i64>,
}

pub async fn replace_certificate(
    State(app): State<OidcState>,
    headers: HeaderMap,
    Path(client_id): Path<String>,
    body: Bytes,
) -> Response {
    let r = async {
        let caller = guard(
            &app,
            &headers,
            "post",
            "/admin/api/esia/clients/{client_id}/certificate",
        )
        .await?;
        let req: ReplaceRequest = serde_json::from_slice(&body).map_err(|e| bad(e.to_string()))?;
        let overlap = req.overlap.unwrap_or(app.config.esia.certificate_overlap);
        let (hash, change) = esia::replace_certificate_staged(
            &app.store,
            &client_id,
            req.certificate.as_bytes(),
            overlap,
        )
        .await
        .map_err(problem)?;
        commit(
            change,
            &caller,
            "client.replace_certificate",
            &client_id,
            json!({ "certificate_hash": hash, "overlap": overlap }),
        )
        .await?;
        Ok::<_, Problem>(
            json!({ "client_id": client_id, "certificate_hash": hash, "overlap": overlap }),
        )
    }
    .await;
    match r {
        Ok(v) => Json(v).into_response(),
        Err(p) => p.into_response(),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FlagsRequest {
    legacy: Option<bool>,
    require_pkce: Option<bool>,
}

pub async fn set_flags(
    State(app): State<OidcState>,
    headers: HeaderMap,
    Path(client_id): Path<String>,
    body: Bytes,
) -> Response {
    let r = async {
        let caller = guard(
            &app,
            &headers,
            "post",
            "/admin/api/esia/clients/{client_id}/flags",
        )
        .await?;
        let req: FlagsRequest = serde_json::from_slice(&body).map_err(|e| bad(e.to_string()))?;
        let flags = EsiaFlags {
            legacy: req.legacy,
            require_pkce: req.require_pkce,
        };
        let (c, change) = esia::set_flags_staged(&app.store, &client_id, flags)
            .await
            .map_err(problem)?;
        let out = describe(&c);
        commit(
            change,
            &caller,
            "client.update",
            &client_id,
            json!({ "esia": true, "legacy": c.legacy, "require_pkce": c.client.require_pkce }),
        )
        .await?;
        Ok::<_, Problem>(out)
    }
    .await;
    match r {
        Ok(v) => Json(v).into_response(),
        Err(p) => p.into_response(),
    }
}
