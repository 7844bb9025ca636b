//! One complete citizen sign-in as a browser and a portal make it: authorize → login page →
//! password → consent (when the request asks for it) → code → token. Each request goes to the next
//! node (`Nodes::url`), so with several nodes one flow crosses all of them.

use crate::http::{Jar, Nodes, hidden, location, ok_body};
use reqwest::header::COOKIE;

/// The relying party and the citizen of the flows.
#[derive(Clone)]
pub struct Citizen {
    pub client_id: String,
    pub client_secret: String,
    pub redirect_uri: String,
    pub login: String,
    pub password: String,
    /// Ask for `profile` with prompt=consent, so every flow passes the consent page.
    pub consent: bool,
}

fn authorize_url(nodes: &Nodes, c: &Citizen, challenge: &str) -> url::Url {
    let mut url = url::Url::parse(&nodes.url("/authorize")).expect("node URL");
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("response_type", "code")
            .append_pair("client_id", &c.client_id)
            .append_pair("redirect_uri", &c.redirect_uri)
            .append_pair("state", "bench")
            .append_pair("code_challenge", challenge)
            .append_pair("code_challenge_method", "S256");
        if c.consent {
            q.append_pair("scope", "openid profile")
                .append_pair("prompt", "consent");
        } else {
            q.append_pair("scope", "openid");
        }
    }
    url
}

fn code_of(back: &str) -> Result<String, String> {
    url::Url::parse(back)
        .map_err(|x| x.to_string())?
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .ok_or_else(|| format!("no code in {back}"))
}

/// Runs one flow; returns the token response (access, ID and refresh token).
pub async fn flow(
    http: &reqwest::Client,
    nodes: &Nodes,
    c: &Citizen,
) -> Result<serde_json::Value, String> {
    let e = |x: reqwest::Error| x.to_string();
    let mut jar = Jar::default();
    let verifier = vhod::crypto::random_token();
    let challenge = vhod::crypto::sha256_b64(&verifier);
    let res = http
        .get(authorize_url(nodes, c, &challenge))
        .send()
        .await
        .map_err(e)?;
    let login_path = location(&res).map_err(|x| format!("authorize: {x}"))?;
    let res = http.get(nodes.url(&login_path)).send().await.map_err(e)?;
    jar.take(&res);
    let html = ok_body(res, "login page").await?;
    let csrf = hidden(&html, "csrf").ok_or("no csrf on login page")?;
    let tx = hidden(&html, "tx").ok_or("no tx on login page")?;
    let res = http
        .post(nodes.url("/login"))
        .header(COOKIE, jar.header())
        .form(&[
            ("csrf", csrf.as_str()),
            ("tx", tx.as_str()),
            ("login", &c.login),
            ("password", &c.password),
        ])
        .send()
        .await
        .map_err(e)?;
    jar.take(&res);
    let cont = location(&res).map_err(|x| format!("password: {x}"))?;
    let res = http
        .get(nodes.url(&cont))
        .header(COOKIE, jar.header())
        .send()
        .await
        .map_err(e)?;
    jar.take(&res);
    let back = if res.status().is_redirection() {
        if c.consent {
            return Err("prompt=consent did not show the consent page".into());
        }
        location(&res)?
    } else {
        let html = ok_body(res, "consent page").await?;
        let csrf = hidden(&html, "csrf").ok_or("no csrf on consent page")?;
        let tx = hidden(&html, "tx").ok_or("no tx on consent page")?;
        let res = http
            .post(nodes.url("/consent"))
            .header(COOKIE, jar.header())
            .form(&[("csrf", csrf.as_str()), ("tx", &tx), ("decision", "allow")])
            .send()
            .await
            .map_err(e)?;
        location(&res).map_err(|x| format!("consent: {x}"))?
    };
    let code = code_of(&back)?;
    let res = http
        .post(nodes.url("/token"))
        .basic_auth(&c.client_id, Some(&c.client_secret))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", &c.redirect_uri),
            ("code_verifier", &verifier),
        ])
        .send()
        .await
        .map_err(e)?;
    let body = ok_body(res, "token").await?;
    let tokens: serde_json::Value = serde_json::from_str(&body).map_err(|x| x.to_string())?;
    if tokens["access_token"].as_str().is_none() {
        return Err("token: no access_token".into());
    }
    Ok(tokens)
}
