//! Admin API handlers: authenticate → check the operation's role and acr → act → audit → answer.

use super::auth::{self, Caller};
use super::op;
use super::problem::Problem;
use crate::clients;
use crate::crypto::keyring::{Revoked, SigningAlg};
use crate::crypto::maintenance::keep_retired;
use crate::oidc::OidcState;
use crate::store::audit::AuditEntry;
use crate::store::change::Change;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

/// Authenticates the caller and checks it may perform `method path` (shared by the admin handlers).
pub(super) async fn guard(
    app: &OidcState,
    headers: &HeaderMap,
    method: &str,
    path: &str,
) -> Result<Caller, Problem> {
    let caller = auth::authenticate(app, headers).await?;
    caller.require(op(method, path))?;
    Ok(caller)
}

/// Commits the caller's change with its audit entry under this request's id: both or neither.
pub(super) async fn commit(
    change: Change<'_>,
    caller: &Caller,
    action: &str,
    target: &str,
    details: Value,
) -> Result<(), Problem> {
    change
        .commit(AuditEntry {
            actor: &caller.actor,
            action,
            target,
            request_id: &crate::request_id::current(),
            details,
        })
        .await?;
    Ok(())
}

/// [`commit`] for a change of the signing keys: this node signs with them at once.
async fn commit_keys(
    app: &OidcState,
    change: Change<'_>,
    caller: &Caller,
    action: &str,
    target: &str,
    details: Value,
) -> Result<(), Problem> {
    let entry = AuditEntry {
        actor: &caller.actor,
        action,
        target,
        request_id: &crate::request_id::current(),
        details,
    };
    app.keyring.commit(&app.store, change, entry).await?;
    Ok(())
}

fn json_body<T: for<'de> Deserialize<'de>>(body: &[u8]) -> Result<T, Problem> {
    let body = if body.is_empty() {
        b"{}".as_slice()
    } else {
        body
    };
    serde_json::from_slice(body)
        .map_err(|e| Problem::new(StatusCode::BAD_REQUEST, "Bad request", e.to_string()))
}

fn respond(r: Result<Value, Problem>) -> Response {
    match r {
        Ok(v) => Json(v).into_response(),
        Err(p) => p.into_response(),
    }
}

pub async fn list_keys(State(app): State<OidcState>, headers: HeaderMap) -> Response {
    respond(async {
        guard(&app, &headers, "get", "/admin/api/keys").await?;
        let keys: Vec<Value> = app
            .store
            .all_signing_keys()
            .await?
            .into_iter()
            .map(|k| json!({ "kid": k.kid, "alg": k.alg, "state": k.state, "created_at": k.created_at,
                             "activated_at": k.activated_at, "retired_at": k.retired_at, "revoked_at": k.revoked_at }))
            .collect();
        Ok(json!(keys))
    }
    .await)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RotateRequest {
    alg: Option<String>,
    #[serde(default)]
    now: bool,
}

pub async fn rotate_key(State(app): State<OidcState>, headers: HeaderMap, body: Bytes) -> Response {
    respond(
        async {
            let caller = guard(&app, &headers, "post", "/admin/api/keys/rotate").await?;
            let req: RotateRequest = json_body(&body)?;
            let alg = match req.alg.as_deref() {
                None => SigningAlg::Rs256,
                Some(a) => SigningAlg::parse(a).ok_or_else(|| {
                    Problem::new(
                        StatusCode::BAD_REQUEST,
                        "Bad request",
                        "alg must be RS256, ES256, GOST3410_2012_256 or GOST3410_2012_512",
                    )
                })?,
            };
            let (kid, change) = match app
                .keyring
                .rotate_staged(&app.store, alg, req.now, keep_retired(&app.config))
                .await
            {
                Ok(staged) => staged,
                Err(crate::crypto::keyring::KeyError::Store(
                    crate::store::StoreError::Conflict,
                )) => {
                    return Err(Problem::new(
                        StatusCode::CONFLICT,
                        "Conflict",
                        "a next key for this algorithm is already published",
                    ));
                }
                Err(e) => return Err(e.into()),
            };
            let state = if req.now { "active" } else { "next" };
            commit_keys(
                &app,
                change,
                &caller,
                "key.rotate",
                &kid,
                json!({ "alg": alg.name(), "state": state }),
            )
            .await?;
            Ok(json!({ "kid": kid, "alg": alg.name(), "state": state }))
        }
        .await,
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RevokeRequest {
    reason: String,
}

pub async fn revoke_key(
    State(app): State<OidcState>,
    headers: HeaderMap,
    Path(kid): Path<String>,
    body: Bytes,
) -> Response {
    respond(
        async {
            let caller = guard(&app, &headers, "post", "/admin/api/keys/{kid}/revoke").await?;
            let req: RevokeRequest = json_body(&body)?;
            if req.reason.trim().is_empty() {
                return Err(Problem::new(
                    StatusCode::BAD_REQUEST,
                    "Bad request",
                    "a reason is required",
                ));
            }
            match app.keyring.revoke_staged(&app.store, &kid).await? {
                (Revoked::Unknown, _) => Err(Problem::new(
                    StatusCode::NOT_FOUND,
                    "Not found",
                    format!("no key {kid} (or already revoked)"),
                )),
                (Revoked::Done { replacement }, change) => {
                    commit_keys(
                        &app,
                        change,
                        &caller,
                        "key.revoke",
                        &kid,
                        json!({ "reason": req.reason, "replacement": replacement }),
                    )
                    .await?;
                    Ok(json!({ "kid": kid, "state": "revoked", "replacement": replacement }))
                }
            }
        }
        .await,
    )
}

pub async fn list_clients(State(app): State<OidcState>, headers: HeaderMap) -> Response {
    respond(async {
        guard(&app, &headers, "get", "/admin/api/clients").await?;
        let list: Vec<Value> = clients::list(&app.store)
            .await?
            .iter()
            .map(|c| json!({ "client_id": c.id, "name": c.name, "redirect_uris": c.redirect_uris, "public": c.is_public,
                             "grant_types": c.grant_types, "auth_method": c.auth_method.name(), "fapi2": c.fapi2,
                             "require_org": c.require_org,
                             "backchannel_token_delivery_mode": c.ciba_mode.map(|m| m.name()) }))
            .collect();
        Ok(json!(list))
    }
    .await)
}

pub async fn add_client(State(app): State<OidcState>, headers: HeaderMap, body: Bytes) -> Response {
    let result = async {
        let caller = guard(&app, &headers, "post", "/admin/api/clients").await?;
        let req: super::client_request::AddClientRequest = json_body(&body)?;
        let new = req.into_new_client()?;
        let (client, secret, change) =
            async { clients::register_staged(&app.store, &clients::strict_outbound()?, new).await }
                .await
                .map_err(|e| match e {
                    clients::RegisterError::Store(e) => Problem::internal(&e),
                    e => Problem::new(StatusCode::BAD_REQUEST, "Bad request", e.to_string()),
                })?;
        commit(
            change,
            &caller,
            "client.add",
            &client.id,
            json!({ "name": client.name }),
        )
        .await?;
        Ok::<_, Problem>(json!({ "client_id": client.id, "client_secret": secret }))
    }
    .await;
    match result {
        Ok(v) => (StatusCode::CREATED, Json(v)).into_response(),
        Err(p) => p.into_response(),
    }
}

pub async fn remove_client(
    State(app): State<OidcState>,
    headers: HeaderMap,
    Path(client_id): Path<String>,
) -> Response {
    respond(
        async {
            let caller = guard(&app, &headers, "delete", "/admin/api/clients/{client_id}").await?;
            let mut change = app.store.change().await?;
            if !change.remove_client(&client_id).await? {
                return Err(Problem::new(
                    StatusCode::NOT_FOUND,
                    "Not found",
                    format!("no client {client_id}"),
                ));
            }
            commit(change, &caller, "client.remove", &client_id, json!({})).await?;
            app.clients.forget(&client_id);
            Ok(json!({ "client_id": client_id, "removed": true }))
        }
        .await,
    )
}

fn manage_problem(e: clients::ManageError) -> Problem {
    match e {
        clients::ManageError::NotFound => {
            Problem::new(StatusCode::NOT_FOUND, "Not found", "no such client")
        }
        clients::ManageError::Store(e) => Problem::internal(&e),
        e => Problem::new(StatusCode::BAD_REQUEST, "Bad request", e.to_string()),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RedirectUris {
    redirect_uris: Vec<String>,
}

pub async fn set_redirect_uris(
    State(app): State<OidcState>,
    headers: HeaderMap,
    Path(client_id): Path<String>,
    body: Bytes,
) -> Response {
    respond(
        async {
            let caller = guard(
                &app,
                &headers,
                "post",
                "/admin/api/clients/{client_id}/redirect-uris",
            )
            .await?;
            let req: RedirectUris = json_body(&body)?;
            let change = clients::set_redirect_uris_staged(
                &app,
                &app.clients,
                &client_id,
                &req.redirect_uris,
            )
            .await
            .map_err(manage_problem)?;
            commit(
                change,
                &caller,
                "client.update",
                &client_id,
                json!({ "redirect_uris": req.redirect_uris }),
            )
            .await?;
            Ok(json!({ "client_id": client_id, "redirect_uris": req.redirect_uris }))
        }
        .await,
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RotateSecret {
    #[serde(default = "default_overlap")]
    overlap: i64,
}

fn default_overlap() -> i64 {
    86_400
}

pub async fn rotate_secret(
    State(app): State<OidcState>,
    headers: HeaderMap,
    Path(client_id): Path<String>,
    body: Bytes,
) -> Response {
    respond(async {
        let caller = guard(&app, &headers, "post", "/admin/api/clients/{client_id}/rotate-secret").await?;
        let req: RotateSecret = json_body(&body)?;
        let (secret, change) = clients::rotate_secret_staged(&app, &app.clients, &client_id, req.overlap).await.map_err(manage_problem)?;
        commit(change, &caller, "client.rotate_secret", &client_id, json!({ "overlap": req.overlap })).await?;
        Ok(json!({ "client_id": client_id, "client_secret": secret, "previous_valid_for": req.overlap }))
    }
    .await)
}

pub async fn disable_client(
    State(app): State<OidcState>,
    headers: HeaderMap,
    Path(client_id): Path<String>,
) -> Response {
    respond(
        async {
            let caller = guard(
                &app,
                &headers,
                "post",
                "/admin/api/clients/{client_id}/disable",
            )
            .await?;
            let change = clients::disable_staged(&app, &app.clients, &client_id)
                .await
                .map_err(manage_problem)?;
            commit(change, &caller, "client.disable", &client_id, json!({})).await?;
            Ok(json!({ "client_id": client_id, "disabled": true }))
        }
        .await,
    )
}

pub async fn change_settings(
    State(app): State<OidcState>,
    headers: HeaderMap,
    Path(client_id): Path<String>,
    body: Bytes,
) -> Response {
    respond(async {
        let caller = guard(&app, &headers, "post", "/admin/api/clients/{client_id}/settings").await?;
        let change: clients::SettingsChange = json_body(&body)?;
        let staged = clients::change_settings_staged(&app, &app.clients, &client_id, &change).await.map_err(manage_problem)?;
        let details = json!({
            "scopes": change.scopes, "id_token_alg": change.id_token_alg, "require_par": change.require_par,
            "require_dpop": change.require_dpop, "min_level": change.min_level, "min_acr": change.min_acr,
            "require_org": change.require_org,
        });
        commit(staged, &caller, "client.update", &client_id, details.clone()).await?;
        Ok(json!({ "client_id": client_id, "changed": details }))
    }
    .await)
}

#[derive(Deserialize)]
struct InPerson {
    snils: String,
    passport_series: String,
    passport_number: String,
}

/// A service-centre operator confirms a person whose passport they have checked.
pub async fn operator_confirm(
    State(app): State<OidcState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    respond(
        async {
            let caller = guard(&app, &headers, "post", "/admin/api/operator/confirm").await?;
            let req: InPerson = json_body(&body)?;
            let account_id = confirm_in_person(
                &app,
                &req.snils,
                &req.passport_series,
                &req.passport_number,
                &caller.actor,
            )
            .await?;
            Ok(json!({ "account_id": account_id, "level": "confirmed" }))
        }
        .await,
    )
}

/// Shared by the API and the console: the domain call with its refusals as problems.
pub async fn confirm_in_person(
    app: &OidcState,
    snils: &str,
    series: &str,
    number: &str,
    actor: &str,
) -> Result<String, Problem> {
    use crate::identity::service_centre::{self, InPersonError};
    let snils: crate::identity::validation::Snils = snils.parse().map_err(|_| {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "Bad request",
            "the SNILS is invalid",
        )
    })?;
    service_centre::confirm(app, &snils, series, number, actor)
        .await
        .map_err(|e| match e {
            InPersonError::NotFound => {
                Problem::new(StatusCode::NOT_FOUND, "Not found", e.to_string())
            }
            InPersonError::Store(e) => Problem::internal(&e),
            e => Problem::new(StatusCode::CONFLICT, "Conflict", e.to_string()),
        })
}
