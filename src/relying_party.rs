//! vhod as a relying party of an OpenID provider (the partner bank that confirms identities, and the
//! demo portal that signs in through vhod itself): authorization code with PKCE, nonce and a state
//! bound to the browser (a cookie the caller sets) and kept single-use in the cache with the
//! caller's own data; on return the issuer is checked (RFC 9207), the code exchanged, the ID token
//! verified and, when asked, userinfo read for the same subject. One copy of the flow for both.

use crate::cache::Cache;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, OAuth2TokenResponse,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// The provider and how vhod is registered with it.
pub struct Provider<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    /// Empty for a public client.
    pub client_secret: &'a str,
    pub redirect_uri: String,
    /// Cache key prefix of pending sign-ins (e.g. "bank", "demo").
    pub purpose: &'a str,
}

/// Where to send the browser, and the state to bind to it (a cookie).
pub struct Started {
    pub url: String,
    pub state: String,
}

/// What came back: the caller's data, the verified ID token and what userinfo said.
pub struct Finished<T> {
    pub data: T,
    pub subject: String,
    /// The verified ID token's claims as JSON.
    pub id_token_claims: serde_json::Value,
    /// The userinfo response (its `sub` checked against the ID token's), when it was asked for.
    pub userinfo: Option<serde_json::Value>,
    /// The tokens, for a caller that goes on calling the provider (the demo B2B portal).
    pub access_token: String,
    pub refresh_token: Option<String>,
}

/// What the provider's redirect carried.
pub struct Callback<'a> {
    pub state: Option<&'a str>,
    pub code: Option<&'a str>,
    pub iss: Option<&'a str>,
    /// The state the browser's cookie holds.
    pub cookie_state: Option<&'a str>,
}

impl<'a> Callback<'a> {
    /// From the redirect's query parameters (`get`) and the state cookie.
    pub fn read(get: impl Fn(&str) -> Option<&'a str>, cookie_state: Option<&'a str>) -> Self {
        Callback {
            state: get("state"),
            code: get("code"),
            iss: get("iss"),
            cookie_state,
        }
    }
}

#[derive(Serialize, Deserialize)]
struct Pending<T> {
    verifier: String,
    nonce: String,
    data: T,
}

type Client = CoreClient<
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

/// One HTTP client for every provider call of the process (building one per call costs a TLS
/// configuration each time): no redirects, 10-second timeout.
fn http() -> &'static reqwest::Client {
    static HTTP: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    HTTP.get_or_init(|| {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .expect("reqwest client builds")
    })
}

/// The client and the userinfo endpoint, from the provider's (issuer-checked) discovery document.
async fn client(p: &Provider<'_>) -> anyhow::Result<(Client, Option<String>)> {
    let metadata =
        CoreProviderMetadata::discover_async(IssuerUrl::new(p.issuer.to_string())?, http()).await?;
    let userinfo = metadata.userinfo_endpoint().map(|u| u.url().to_string());
    let secret = Some(p.client_secret.to_string())
        .filter(|s| !s.is_empty())
        .map(ClientSecret::new);
    Ok((
        CoreClient::from_provider_metadata(metadata, ClientId::new(p.client_id.into()), secret)
            .set_redirect_uri(RedirectUrl::new(p.redirect_uri.clone())?),
        userinfo,
    ))
}

fn key(p: &Provider<'_>, state: &str) -> String {
    format!("{}:{state}", p.purpose)
}

/// Starts a sign-in at the provider: the authorization URL, with `data` kept for `ttl` seconds.
pub async fn start<T: Serialize>(
    cache: &Cache,
    p: &Provider<'_>,
    scopes: &[&str],
    ttl: i64,
    data: T,
) -> anyhow::Result<Started> {
    let (client, _) = client(p).await?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client.authorize_url(
        CoreAuthenticationFlow::AuthorizationCode,
        CsrfToken::new_random,
        Nonce::new_random,
    );
    for s in scopes {
        request = request.add_scope(Scope::new((*s).into()));
    }
    let (url, state, nonce) = request.set_pkce_challenge(challenge).url();
    let pending = Pending {
        verifier: verifier.secret().clone(),
        nonce: nonce.secret().clone(),
        data,
    };
    cache
        .put_json(&key(p, state.secret()), &pending, ttl)
        .await?;
    Ok(Started {
        url: url.to_string(),
        state: state.secret().clone(),
    })
}

/// Finishes a sign-in: state bound to this browser and used once, issuer, code, ID token and, with
/// `read_userinfo`, the userinfo of the same subject. `check` sees the caller's data before the
/// code is exchanged (e.g. that the same account started the step).
pub async fn finish<T: Serialize + DeserializeOwned>(
    cache: &Cache,
    p: &Provider<'_>,
    cb: Callback<'_>,
    read_userinfo: bool,
    check: impl FnOnce(&T) -> anyhow::Result<()>,
) -> anyhow::Result<Finished<T>> {
    let state = cb.state.ok_or_else(|| anyhow::anyhow!("no state"))?;
    let cookie = cb
        .cookie_state
        .ok_or_else(|| anyhow::anyhow!("no state cookie"))?;
    if !crate::crypto::ct_eq(state, cookie) {
        anyhow::bail!("state does not match this browser");
    }
    if cb.iss != Some(p.issuer) {
        anyhow::bail!("iss in the response is not the provider's (RFC 9207)");
    }
    let pending: Pending<T> = cache
        .take_json(&key(p, state))
        .await?
        .ok_or_else(|| anyhow::anyhow!("unknown or used state"))?;
    check(&pending.data)?;
    let code = cb.code.ok_or_else(|| anyhow::anyhow!("no code"))?;
    let (client, userinfo_endpoint) = client(p).await?;
    let http = http();
    let tokens = client
        .exchange_code(AuthorizationCode::new(code.to_string()))?
        .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier))
        .request_async(http)
        .await?;
    let id_token = tokens
        .id_token()
        .ok_or_else(|| anyhow::anyhow!("no id_token"))?;
    let claims = id_token.claims(&client.id_token_verifier(), &Nonce::new(pending.nonce))?;
    let subject = claims.subject().to_string();
    let id_token_claims = serde_json::to_value(claims)?;
    let userinfo = if read_userinfo {
        // Read as JSON (providers add claims of their own, e.g. SNILS), from the endpoint the
        // verified discovery document named, and only for the ID token's subject.
        let endpoint = userinfo_endpoint
            .ok_or_else(|| anyhow::anyhow!("the provider has no userinfo endpoint"))?;
        let info: serde_json::Value = http
            .get(endpoint)
            .bearer_auth(tokens.access_token().secret())
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        if info["sub"].as_str() != Some(subject.as_str()) {
            anyhow::bail!("userinfo is about another subject");
        }
        Some(info)
    } else {
        None
    };
    Ok(Finished {
        data: pending.data,
        subject,
        id_token_claims,
        userinfo,
        access_token: tokens.access_token().secret().clone(),
        refresh_token: tokens.refresh_token().map(|r| r.secret().clone()),
    })
}

/// What a portal learns when it uses its tokens again.
pub enum Renewed {
    /// New tokens (the refresh token rotated) and the userinfo read with the new access token.
    Tokens {
        access_token: String,
        refresh_token: Option<String>,
        userinfo: serde_json::Value,
    },
    /// The provider refused the refresh or userinfo (the grant ended, or the person lost the
    /// right): the portal's session is over. The provider's error code.
    Refused(String),
}

/// Refreshes the tokens and reads userinfo with the new access token, as a portal that checks the
/// person's rights at every page view does.
pub async fn renew(p: &Provider<'_>, refresh_token: &str) -> anyhow::Result<Renewed> {
    let (client, userinfo_endpoint) = client(p).await?;
    let http = http();
    let tokens = match client
        .exchange_refresh_token(&openidconnect::RefreshToken::new(refresh_token.to_string()))?
        .request_async(http)
        .await
    {
        Ok(t) => t,
        Err(openidconnect::RequestTokenError::ServerResponse(e)) => {
            return Ok(Renewed::Refused(e.error().to_string()));
        }
        Err(e) => return Err(e.into()),
    };
    let endpoint = userinfo_endpoint
        .ok_or_else(|| anyhow::anyhow!("the provider has no userinfo endpoint"))?;
    let res = http
        .get(endpoint)
        .bearer_auth(tokens.access_token().secret())
        .send()
        .await?;
    if res.status() == reqwest::StatusCode::UNAUTHORIZED {
        return Ok(Renewed::Refused("invalid_token".into()));
    }
    let userinfo: serde_json::Value = res.error_for_status()?.json().await?;
    Ok(Renewed::Tokens {
        access_token: tokens.access_token().secret().clone(),
        refresh_token: tokens
            .refresh_token()
            .map(|r| r.secret().clone())
            .or_else(|| Some(refresh_token.to_string())),
        userinfo,
    })
}

#[cfg(test)]
mod compat_tests {
    //! vhod's own relying-party state between the redirect to a provider and its callback (the
    //! bank confirming a person's identity carries the account id; the demo portals carry
    //! nothing), which any node of either build may receive (`crate::cache::compat`).

    use super::*;
    use crate::cache::compat::reads_across_releases;

    const BANK: &str = r#"{"verifier":"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk","nonce":"n-0S6_WzA2Mj","data":"0190f3a2-7c41-7d2e-9b1a-4f6e8d2c1a07"}"#;
    const DEMO: &str = r#"{"verifier":"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM","nonce":"n-Qm7xT2pZ","data":null}"#;

    #[test]
    fn a_pending_sign_in_with_a_provider_reads_across_releases() {
        let bank: Pending<String> = reads_across_releases(BANK);
        assert_eq!(bank.data, "0190f3a2-7c41-7d2e-9b1a-4f6e8d2c1a07");
        assert_eq!(bank.nonce, "n-0S6_WzA2Mj");
        // The verifier still answers the challenge it was sent with (RFC 7636's example pair).
        assert_eq!(
            crate::crypto::sha256_b64(&bank.verifier),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        let demo: Pending<()> = reads_across_releases(DEMO);
        assert_eq!(demo.nonce, "n-Qm7xT2pZ");
    }
}
