//! Token introspection (RFC 7662) and revocation (RFC 7009). Both need client authentication; a client
//! sees and revokes only its own tokens (anything else is simply "inactive" / ignored, so token
//! existence is not revealed). Both read the store, so a revocation on one node holds on every node.

use super::OidcState;
use super::error::OAuthError;
use super::tokens::validate_access_token;
use crate::clients;
use crate::crypto;
use crate::web::params::Params;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value, json};
use std::sync::Arc;

async fn authenticated_params(
    app: &OidcState,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(clients::Client, Params), OAuthError> {
    let p =
        Params::from_form(headers, body).map_err(|e| OAuthError::invalid_request(e.to_string()))?;
    if let Some(dup) = p.duplicated() {
        return Err(OAuthError::invalid_request(format!(
            "parameter {dup} is given more than once"
        )));
    }
    let client = super::client_auth::authenticate(app, headers, &p).await?;
    if p.get("token").is_none() {
        return Err(OAuthError::invalid_request("token is required"));
    }
    Ok((client, p))
}

fn no_store(mut res: Response) -> Response {
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

pub async fn introspect(State(app): State<OidcState>, headers: HeaderMap, body: Bytes) -> Response {
    let result = async {
        let (client, p) = authenticated_params(&app, &headers, &body).await?;
        let token = p.get("token").unwrap_or_default();
        inspect(&app, &client.id, token).await
    }
    .await;
    match result {
        Ok(v) => no_store(Json(v).into_response()),
        Err(e) => e.into_response(),
    }
}

/// The claims an active access token's answer repeats.
const ACCESS_CLAIMS: [&str; 12] = [
    "cnf",
    "scope",
    "client_id",
    "sub",
    "exp",
    "iat",
    "iss",
    "aud",
    "jti",
    "auth_time",
    "acr",
    "amr",
];

/// What introspection answers: written out straight from the token's claims, without building
/// a JSON object first.
enum Answer {
    Inactive,
    Access {
        claims: Arc<Map<String, Value>>,
        org: Option<Value>,
    },
    Refresh(Value),
}

impl Serialize for Answer {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Answer::Inactive => {
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry("active", &false)?;
                m.end()
            }
            Answer::Access { claims, org } => {
                let mut m = s.serialize_map(None)?;
                m.serialize_entry("active", &true)?;
                // One pass over the claims (a look-up per name would hash each).
                let mut bound = false;
                for (k, v) in claims.iter() {
                    if ACCESS_CLAIMS.contains(&k.as_str()) {
                        bound |= k == "cnf";
                        m.serialize_entry(k, v)?;
                    }
                }
                m.serialize_entry("token_type", if bound { "DPoP" } else { "Bearer" })?;
                if let Some(org) = org {
                    m.serialize_entry("org", org)?;
                }
                m.end()
            }
            Answer::Refresh(v) => v.serialize(s),
        }
    }
}

async fn inspect(app: &OidcState, caller: &str, token: &str) -> Result<Answer, OAuthError> {
    if token.contains('.') {
        let Ok(valid) = validate_access_token(app, token).await else {
            return Ok(Answer::Inactive);
        };
        if valid.client_id() != caller {
            return Ok(Answer::Inactive);
        }
        // The organisation as it is now, not as the token says (a removed member acts for none).
        let org = match &valid.grant {
            Some(grant) => super::tokens::org_claim(app, grant).await?.ok().flatten(),
            None => None,
        };
        return Ok(Answer::Access {
            claims: valid.claims,
            org,
        });
    }
    let Some(row) = app
        .store
        .refresh_token(&crypto::hash_secret("refresh", token))
        .await?
    else {
        return Ok(Answer::Inactive);
    };
    let Some(grant) = app.store.grant(&row.grant_id).await? else {
        return Ok(Answer::Inactive);
    };
    if row.used_at.is_some()
        || row.expires_at <= app.clock.now()
        || grant.revoked_at.is_some()
        || grant.client_id != caller
    {
        return Ok(Answer::Inactive);
    }
    // A refresh token for an organisation the person has left would be refused: inactive.
    let Ok(org) = super::tokens::org_claim(app, &grant).await? else {
        return Ok(Answer::Inactive);
    };
    let mut out = json!({
        "active": true,
        "token_type": "refresh_token",
        "scope": grant.scopes,
        "client_id": grant.client_id,
        "sub": grant.account_id,
        "exp": row.expires_at,
        "iat": row.created_at,
        "iss": app.issuer(),
    });
    if let (Some(org), Some(m)) = (org, out.as_object_mut()) {
        m.insert("org".into(), org);
    }
    Ok(Answer::Refresh(out))
}

pub async fn revoke(State(app): State<OidcState>, headers: HeaderMap, body: Bytes) -> Response {
    let result = async {
        let (client, p) = authenticated_params(&app, &headers, &body).await?;
        let token = p.get("token").unwrap_or_default();
        // RFC 7009 §2.2: revoking a refresh token revokes its grant, and with it every access token.
        if let Some(row) = app
            .store
            .refresh_token(&crypto::hash_secret("refresh", token))
            .await?
        {
            if let Some(grant) = app
                .store
                .grant(&row.grant_id)
                .await?
                .filter(|g| g.client_id == client.id)
            {
                app.store
                    .revoke_grant(&grant.id, "revoked by the client")
                    .await?;
            }
        } else if let Ok(valid) = validate_access_token(&app, token).await {
            let jti = valid
                .claims
                .get("jti")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let exp = valid
                .claims
                .get("exp")
                .and_then(Value::as_i64)
                .unwrap_or_default();
            if valid.client_id() == client.id {
                app.store.revoke_access_token(jti, &client.id, exp).await?;
            }
        }
        Ok::<_, OAuthError>(())
    }
    .await;
    match result {
        Ok(()) => no_store(StatusCode::OK.into_response()),
        Err(e) => e.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(v: Value) -> Arc<Map<String, Value>> {
        Arc::new(v.as_object().cloned().unwrap())
    }

    #[test]
    fn an_active_access_token_is_answered_with_exactly_the_claims_it_repeats() {
        let repeated: Map<String, Value> = ACCESS_CLAIMS
            .iter()
            .filter(|k| **k != "cnf")
            .map(|k| (k.to_string(), json!(format!("{k}-value"))))
            .collect();
        let mut all = repeated.clone();
        // Claims the answer does not repeat: the ID of the session, a nonce, the token's own org.
        for k in ["sid", "nonce", "org", "active", "token_type"] {
            all.insert(k.into(), json!("not repeated"));
        }
        let answer = Answer::Access {
            claims: Arc::new(all),
            org: None,
        };
        let got = serde_json::to_value(&answer).unwrap();
        let mut want = repeated;
        want.insert("active".into(), json!(true));
        want.insert("token_type".into(), json!("Bearer"));
        assert_eq!(got, Value::Object(want));
    }

    #[test]
    fn a_bound_token_says_dpop_and_the_current_organisation_is_added() {
        let answer = Answer::Access {
            claims: claims(json!({ "cnf": { "jkt": "abc" }, "sub": "p1", "exp": 5 })),
            org: Some(json!({ "oid": 7 })),
        };
        assert_eq!(
            serde_json::to_value(&answer).unwrap(),
            json!({
                "active": true,
                "token_type": "DPoP",
                "cnf": { "jkt": "abc" },
                "sub": "p1",
                "exp": 5,
                "org": { "oid": 7 },
            })
        );
        assert_eq!(
            serde_json::to_string(&Answer::Inactive).unwrap(),
            r#"{"active":false}"#
        );
    }
}
