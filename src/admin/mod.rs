//! The admin HTTP API (/admin/api): keys, clients, audit. One table lists every operation with the
//! role and assurance it needs; the router and the OpenAPI document are both built from it.

pub mod audit_api;
pub mod auth;
mod client_request;
pub mod console;
mod console_audit;
pub mod console_clients;
pub mod console_esia;
pub mod console_oidc;
mod console_orgs;
pub mod esia_clients;
pub mod handlers;
pub mod problem;

use serde_json::{Map, Value, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    SecurityAdmin,
    Operator,
    Auditor,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::SecurityAdmin, Role::Operator, Role::Auditor];

    pub fn name(self) -> &'static str {
        match self {
            Role::SecurityAdmin => "security_admin",
            Role::Operator => "operator",
            Role::Auditor => "auditor",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Self::ALL.into_iter().find(|r| r.name() == s)
    }
}

/// One admin operation: what the OpenAPI document says and what the guard enforces.
pub struct Op {
    pub method: &'static str,
    pub path: &'static str,
    pub summary: &'static str,
    pub role: Role,
    /// Minimum acr of an OAuth-authenticated administrator (bootstrap tokens stand in until the
    /// authenticators exist).
    pub min_acr: &'static str,
}

pub const OPS: &[Op] = &[
    Op {
        method: "get",
        path: "/admin/api/keys",
        summary: "List signing keys (never private parts)",
        role: Role::SecurityAdmin,
        min_acr: crate::authn::ACR_SUBSTANTIAL,
    },
    Op {
        method: "post",
        path: "/admin/api/keys/rotate",
        summary: "Rotate: pre-publish a new key, or activate at once with now=true",
        role: Role::SecurityAdmin,
        min_acr: crate::authn::ACR_SUBSTANTIAL,
    },
    Op {
        method: "post",
        path: "/admin/api/keys/{kid}/revoke",
        summary: "Revoke a key: out of the JWKS, its tokens refused",
        role: Role::SecurityAdmin,
        min_acr: crate::authn::ACR_HIGH,
    },
    Op {
        method: "get",
        path: "/admin/api/clients",
        summary: "List relying parties",
        role: Role::SecurityAdmin,
        min_acr: crate::authn::ACR_SUBSTANTIAL,
    },
    Op {
        method: "post",
        path: "/admin/api/clients",
        summary: "Register a relying party (require_org: sign-in only for an organisation); the secret is returned once",
        role: Role::SecurityAdmin,
        min_acr: crate::authn::ACR_SUBSTANTIAL,
    },
    Op {
        method: "delete",
        path: "/admin/api/clients/{client_id}",
        summary: "Remove a relying party with its grants",
        role: Role::SecurityAdmin,
        min_acr: crate::authn::ACR_SUBSTANTIAL,
    },
    Op {
        method: "post",
        path: "/admin/api/clients/{client_id}/redirect-uris",
        summary: "Replace the redirect URIs",
        role: Role::SecurityAdmin,
        min_acr: crate::authn::ACR_SUBSTANTIAL,
    },
    Op {
        method: "post",
        path: "/admin/api/clients/{client_id}/settings",
        summary: "Change scopes, token algorithm, PAR/DPoP requirements, minimum account level and acr, require_org",
        role: Role::SecurityAdmin,
        min_acr: crate::authn::ACR_SUBSTANTIAL,
    },
    Op {
        method: "post",
        path: "/admin/api/clients/{client_id}/rotate-secret",
        summary: "New secret (returned once); the old one works for `overlap` seconds",
        role: Role::SecurityAdmin,
        min_acr: crate::authn::ACR_SUBSTANTIAL,
    },
    Op {
        method: "post",
        path: "/admin/api/clients/{client_id}/disable",
        summary: "Disable a relying party; its tokens stop working",
        role: Role::SecurityAdmin,
        min_acr: crate::authn::ACR_SUBSTANTIAL,
    },
    Op {
        method: "get",
        path: "/admin/api/esia/clients",
        summary: "List ESIA clients with their valid certificates",
        role: Role::SecurityAdmin,
        min_acr: crate::authn::ACR_SUBSTANTIAL,
    },
    Op {
        method: "post",
        path: "/admin/api/esia/clients",
        summary: "Register an ESIA client: JSON {client_id (mnemonic), name, certificate (PEM), redirect_uris, scopes, legacy, require_pkce, token_alg, min_level}",
        role: Role::SecurityAdmin,
        min_acr: crate::authn::ACR_SUBSTANTIAL,
    },
    Op {
        method: "post",
        path: "/admin/api/esia/clients/{client_id}/certificate",
        summary: "Replace an ESIA client's certificate: JSON {certificate (PEM), overlap}; the old one works for `overlap` seconds",
        role: Role::SecurityAdmin,
        min_acr: crate::authn::ACR_SUBSTANTIAL,
    },
    Op {
        method: "post",
        path: "/admin/api/esia/clients/{client_id}/flags",
        summary: "Change an ESIA client's flags: JSON {legacy, require_pkce} (either may be left out)",
        role: Role::SecurityAdmin,
        min_acr: crate::authn::ACR_SUBSTANTIAL,
    },
    Op {
        method: "post",
        path: "/admin/api/operator/confirm",
        summary: "Confirm a person in person: JSON {snils, passport_series, passport_number}",
        role: Role::Operator,
        min_acr: crate::authn::ACR_SUBSTANTIAL,
    },
    Op {
        method: "get",
        path: "/admin/api/audit",
        summary: "Audit log entries, oldest first: query `since` (unix seconds, 0), `after` (an entry's position, 0), `limit` (1000, at most 10000); a full page answers with a `Link: <…>; rel=\"next\"` header naming the next",
        role: Role::Auditor,
        min_acr: crate::authn::ACR_SUBSTANTIAL,
    },
];

pub fn op(method: &str, path: &str) -> &'static Op {
    OPS.iter()
        .find(|o| o.method == method && o.path == path)
        .expect("every admin handler is in OPS")
}

/// OpenAPI 3.1 document built from [`OPS`].
pub fn openapi_document() -> Value {
    let mut paths = Map::new();
    for o in OPS {
        let params: Vec<Value> = o
            .path
            .split('/')
            .filter(|s| s.starts_with('{'))
            .map(|s| json!({ "name": s.trim_matches(['{', '}']), "in": "path", "required": true, "schema": { "type": "string" } }))
            .collect();
        let entry = paths.entry(o.path.to_string()).or_insert_with(|| json!({}));
        entry[o.method] = json!({
            "summary": o.summary,
            "parameters": params,
            "security": [{ "bearer": [] }],
            "x-vhod-role": o.role.name(),
            "x-vhod-min-acr": o.min_acr,
            "responses": {
                "200": { "description": "OK", "content": { "application/json": {} } },
                "401": { "description": "No or invalid credentials", "content": { "application/problem+json": {} } },
                "403": { "description": "Role or assurance insufficient", "content": { "application/problem+json": {} } },
            },
        });
    }
    json!({
        "openapi": "3.1.0",
        "info": { "title": "vhod admin API", "version": env!("CARGO_PKG_VERSION") },
        "components": { "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer",
            "description": "A bootstrap token from `vhod admin bootstrap-token`, or a vhod access token of the admin console client" } } },
        "paths": paths,
    })
}

pub async fn openapi() -> axum::Json<Value> {
    axum::Json(openapi_document())
}
