//! Client authentication at the token, PAR, introspection and revocation endpoints: exactly one
//! method presented (RFC 6749 §2.3), and only the method the client registered
//! (`token_endpoint_auth_method`, OIDC Dynamic Client Registration §2).

use super::OidcState;
use super::client_assertion;
use super::error::OAuthError;
use crate::clients::{AuthMethod, Client};
use crate::web::params::Params;
use axum::http::{HeaderMap, header};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// Authenticates the client calling the token, introspection or revocation endpoint.
/// Exactly one method may be presented (RFC 6749 §2.3).
pub async fn authenticate(
    app: &OidcState,
    headers: &HeaderMap,
    p: &Params,
) -> Result<Client, OAuthError> {
    authenticate_at(app, headers, p, "token").await
}

/// [`authenticate`] at `{issuer}/{endpoint}`: a client assertion may name that endpoint as its
/// audience as well as the issuer or the token endpoint (CIBA Core §7.1, RFC 8628 §3.1).
pub async fn authenticate_at(
    app: &OidcState,
    headers: &HeaderMap,
    p: &Params,
    endpoint: &str,
) -> Result<Client, OAuthError> {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Basic ")
                .or_else(|| v.strip_prefix("basic "))
        });
    let post_secret = p.get("client_secret");
    let assertion = p.get("client_assertion");
    let presented = [basic.is_some(), post_secret.is_some(), assertion.is_some()];
    if presented.iter().filter(|x| **x).count() > 1 {
        return Err(OAuthError::invalid_request(
            "more than one client authentication method",
        ));
    }
    let used_basic = basic.is_some();
    let (id, secret) = if let Some(b) = basic {
        let (id, secret) = parse_basic(b).ok_or_else(|| OAuthError::invalid_client(true))?;
        (id, Some(secret))
    } else if let Some(a) = assertion {
        if p.get("client_assertion_type") != Some(client_assertion::ASSERTION_TYPE) {
            return Err(OAuthError::invalid_request(
                "client_assertion_type must be jwt-bearer",
            ));
        }
        let id = client_assertion::claimed_client_id(a)
            .ok_or_else(|| OAuthError::invalid_client(false))?;
        (id, None)
    } else {
        let id = p
            .get("client_id")
            .ok_or_else(|| OAuthError::invalid_client(false))?;
        (id.to_string(), post_secret.map(str::to_owned))
    };
    if p.get("client_id").is_some_and(|form_id| form_id != id) {
        return Err(OAuthError::invalid_request(
            "client_id does not match the authenticated client",
        ));
    }
    let client = app
        .clients
        .find(&app.store, &id)
        .await?
        .ok_or_else(|| OAuthError::invalid_client(used_basic))?;
    let refuse = |why: &dyn std::fmt::Display| {
        tracing::info!(client = %client.id, reason = %why, "client authentication failed");
        Err(OAuthError::invalid_client(used_basic))
    };
    // Only the registered method is accepted: a client_secret_basic secret in the form body (or a
    // client_secret_post secret in the header) is refused, as is a secret for a key-based client.
    match (client.auth_method, used_basic, secret, assertion) {
        (AuthMethod::None, false, None, None) => Ok(client),
        (AuthMethod::ClientSecretBasic, true, Some(s), None)
        | (AuthMethod::ClientSecretPost, false, Some(s), None)
            if client.secret_matches(&s, app.clock.now()) =>
        {
            Ok(client)
        }
        (AuthMethod::ClientSecretBasic, false, Some(_), None)
        | (AuthMethod::ClientSecretPost, true, Some(_), None) => {
            refuse(&"the secret was presented with a method other than the registered one")
        }
        (AuthMethod::PrivateKeyJwt, false, None, Some(a)) => {
            let audiences = [
                app.issuer().to_string(),
                format!("{}/token", app.issuer()),
                format!("{}/{endpoint}", app.issuer()),
            ];
            match client_assertion::verify(app, &client, a, &audiences).await {
                Ok(()) => Ok(client),
                Err(e) => refuse(&e),
            }
        }
        _ => refuse(&"method or credentials do not match the registration"),
    }
}

/// RFC 6749 §2.3.1: id and secret are form-urlencoded before base64.
fn parse_basic(b64: &str) -> Option<(String, String)> {
    let raw = STANDARD.decode(b64.trim()).ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (id, secret) = text.split_once(':')?;
    let decode = |s: &str| crate::web::params::decode_value(s).ok();
    Some((decode(id)?, decode(secret)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_credentials_are_form_decoded() {
        let b = STANDARD.encode("my%20client:s%2Bcr%3At");
        assert_eq!(parse_basic(&b), Some(("my client".into(), "s+cr:t".into())));
        assert_eq!(parse_basic("not base64!"), None);
        // A value is decoded whole: `&` and `=` belong to it, invalid UTF-8 is refused.
        let b = STANDARD.encode("a&b=c:d=e&f");
        assert_eq!(parse_basic(&b), Some(("a&b=c".into(), "d=e&f".into())));
        assert_eq!(parse_basic(&STANDARD.encode("id:%FF")), None);
    }
}
