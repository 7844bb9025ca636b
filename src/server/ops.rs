//! Operator endpoints: `/metrics` (Prometheus text format), `/healthz` (the process answers) and
//! `/readyz` (the database and the cache answer and the schema is this build's: 503 naming what is
//! not; a newer build's migrations beside this build's are fine, store/schema.rs; 503
//! `"status":"stopping"` while the node drains before a stop, server/drain.rs). Served with
//! everything else, or only on `server.admin_bind` when that is set.

use super::AppState;
use super::drain::Drain;
use crate::ctx::Ctx;
use crate::store::schema::SchemaState;
use axum::Extension;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::time::Duration;

/// The three routes (`/healthz` alone is also served on the main address when an admin address is set).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/metrics", get(metrics))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
}

pub async fn healthz() -> &'static str {
    "ok"
}

async fn metrics(State(app): State<Ctx>) -> Response {
    if let Ok(keys) = app.store.published_signing_keys().await {
        let now = app.store.now();
        for k in keys.iter().filter(|k| k.state == "active") {
            crate::metrics::key_age(&k.alg, now - k.activated_at.unwrap_or(k.created_at));
        }
    }
    match crate::metrics::render() {
        Some(text) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
            )],
            text,
        )
            .into_response(),
        None => (
            StatusCode::SERVICE_UNAVAILABLE,
            "another metrics recorder is installed in this process",
        )
            .into_response(),
    }
}

async fn readyz(State(app): State<Ctx>, drain: Option<Extension<Drain>>) -> Response {
    let limit = Duration::from_secs(app.config.database.acquire_timeout_secs.max(1));
    let database = match tokio::time::timeout(limit, app.store.schema_state()).await {
        // Migrations of a newer build beside this one's: a rolling deploy, still ready.
        Ok(Ok(SchemaState::Current { .. })) => "ok",
        Ok(Ok(SchemaState::Behind { .. })) => "migrations not current",
        Ok(Ok(SchemaState::TooNew { .. })) => "schema needs a newer build",
        Ok(Err(_)) | Err(_) => "unreachable",
    };
    let cache = match tokio::time::timeout(limit, app.cache.ping()).await {
        Ok(Ok(())) => "ok",
        Ok(Err(_)) | Err(_) => "unreachable",
    };
    let stopping = drain.is_some_and(|Extension(d)| d.is_on());
    let ready = database == "ok" && cache == "ok" && !stopping;
    let status = match (stopping, ready) {
        (true, _) => "stopping",
        (false, true) => "ready",
        (false, false) => "not ready",
    };
    let body = serde_json::json!({
        "status": status,
        "database": database,
        "cache": cache,
    });
    let mut response = (
        if ready {
            StatusCode::OK
        } else {
            StatusCode::SERVICE_UNAVAILABLE
        },
        axum::Json(body),
    )
        .into_response();
    if !ready {
        response.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from(super::observe::RETRY_AFTER_SECS),
        );
    }
    response
}
