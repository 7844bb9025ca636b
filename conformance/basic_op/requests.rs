use super::*;

// ------------------------------------------------------------------------------------------------
// The authorization request and the browser.
// ------------------------------------------------------------------------------------------------

/// An authorization request as the suite builds it, in parameter order.
#[derive(Clone)]
pub(crate) struct AuthRequest {
    pub(crate) params: Vec<(String, String)>,
}

impl AuthRequest {
    /// `CreateAuthorizationEndpointRequestFromClientInformation` + random state and nonce; the
    /// client's configured scope is `openid`.
    pub(crate) fn new(client: &StaticClient) -> AuthRequest {
        let p = |k: &str, v: &str| (k.to_string(), v.to_string());
        AuthRequest {
            params: vec![
                p("response_type", "code"),
                p("client_id", &client.id),
                p("redirect_uri", REDIRECT),
                p("scope", "openid"),
                p("state", &vhod::crypto::random_token()),
                p("nonce", &vhod::crypto::random_token()),
            ],
        }
    }

    pub(crate) fn with(mut self, key: &str, value: &str) -> AuthRequest {
        match self.params.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = value.to_string(),
            None => self.params.push((key.to_string(), value.to_string())),
        }
        self
    }

    pub(crate) fn without(mut self, key: &str) -> AuthRequest {
        self.params.retain(|(k, _)| k != key);
        self
    }

    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn url(&self, base: &str) -> String {
        let mut u = url::Url::parse(&format!("{base}/authorize")).unwrap();
        u.query_pairs_mut().extend_pairs(&self.params);
        u.to_string()
    }

    pub(crate) fn form(&self) -> Vec<(&str, &str)> {
        self.params
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }

    /// What a successful response to this request must carry.
    pub(crate) fn expect(&self) -> Expect {
        Expect {
            redirect_uri: self.get("redirect_uri").unwrap_or(REDIRECT).to_string(),
            state: self.get("state").map(str::to_owned),
            nonce: self.get("nonce").map(str::to_owned),
        }
    }
}

/// Where the response must go and what it must echo (from the query or from a request object).
pub(crate) struct Expect {
    pub(crate) redirect_uri: String,
    pub(crate) state: Option<String>,
    pub(crate) nonce: Option<String>,
}

/// What the browser went through before being sent back to the client.
pub(crate) struct Journey {
    pub(crate) callback: String,
    pub(crate) login_shown: bool,
    pub(crate) consent_shown: bool,
}

/// Completes whatever the OP shows (login form, consent page) as `login` until the browser is
/// sent back to the client.
pub(crate) async fn drive(browser: &Browser, first: Landing, login: &str) -> Journey {
    let mut journey = Journey {
        callback: String::new(),
        login_shown: false,
        consent_shown: false,
    };
    let mut landing = first;
    for _ in 0..4 {
        landing = match landing {
            Landing::Left(url) => {
                journey.callback = url;
                return journey;
            }
            Landing::Page(200, html) if html.contains("name=\"password\"") => {
                journey.login_shown = true;
                browser
                    .submit_follow(&html, "/login", &[("login", login), ("password", PASSWORD)])
                    .await
            }
            Landing::Page(200, html) if html.contains("name=\"decision\"") => {
                journey.consent_shown = true;
                browser
                    .submit_follow(&html, "/consent", &[("decision", "allow")])
                    .await
            }
            other => panic!("the authorization did not complete: {other:?}"),
        };
    }
    panic!("the authorization went round in circles");
}

/// Sends the browser to the authorization endpoint (GET) and completes it as `login`.
pub(crate) async fn authorize_as(
    browser: &Browser,
    base: &str,
    req: &AuthRequest,
    login: &str,
) -> Journey {
    drive(browser, browser.follow(&req.url(base)).await, login).await
}

pub(crate) async fn authorize(op: &Op, browser: &Browser, req: &AuthRequest) -> Journey {
    authorize_as(browser, &op.t.base, req, BUFFY).await
}

/// The authorization request as an HTTP POST form (OIDC Core §3.1.2.1).
pub(crate) async fn post_authorization(browser: &Browser, req: &AuthRequest) -> Landing {
    let res = browser.post("/authorize", &req.form()).await;
    match location(&res) {
        Some(next) if next.starts_with('/') || next.starts_with(&browser.base) => {
            browser.follow(&next).await
        }
        Some(next) => Landing::Left(next),
        None => {
            let status = res.status().as_u16();
            Landing::Page(status, res.text().await.unwrap())
        }
    }
}
