//! The test browser: a cookie jar, redirects followed by hand so a test sees each hop, forms
//! submitted with their hidden fields; every secret it sends or receives is noted (secrets.rs).

use super::secrets;
use reqwest::header::LOCATION;

/// A browser: cookies kept, redirects followed by hand so tests can see each hop.
pub struct Browser {
    pub http: reqwest::Client,
    pub base: String,
}

impl Browser {
    pub fn new(base: &str) -> Browser {
        Browser::sending(base, reqwest::header::HeaderMap::new(), None)
    }

    /// A browser that sends `headers` with every request (a language, a proxy's
    /// `X-Forwarded-For`); with `jar`, it shares its cookies with the other browsers on that jar
    /// (one person whose address changes).
    pub fn sending(
        base: &str,
        headers: reqwest::header::HeaderMap,
        jar: Option<std::sync::Arc<reqwest::cookie::Jar>>,
    ) -> Browser {
        let builder = match jar {
            Some(jar) => reqwest::Client::builder().cookie_provider(jar),
            None => reqwest::Client::builder().cookie_store(true),
        };
        Browser {
            http: builder
                .redirect(reqwest::redirect::Policy::none())
                .default_headers(headers)
                .build()
                .unwrap(),
            base: base.to_string(),
        }
    }

    fn abs(&self, url: &str) -> String {
        if url.starts_with("http") {
            url.to_string()
        } else {
            format!("{}{}", self.base, url)
        }
    }

    pub async fn get(&self, url: &str) -> reqwest::Response {
        let res = self.http.get(self.abs(url)).send().await.unwrap();
        secrets::note_response(&res);
        res
    }

    pub async fn post(&self, url: &str, form: &[(&str, &str)]) -> reqwest::Response {
        secrets::note_form(form);
        let res = self
            .http
            .post(self.abs(url))
            .form(form)
            .send()
            .await
            .unwrap();
        secrets::note_response(&res);
        res
    }

    /// GET and follow same-server redirects until a page or a redirect that leaves the server.
    pub async fn follow(&self, url: &str) -> Landing {
        let mut url = self.abs(url);
        for _ in 0..10 {
            let res = self.http.get(&url).send().await.unwrap();
            secrets::note_response(&res);
            if let Some(next) = location(&res) {
                let next = self.abs(&next);
                if !next.starts_with(&self.base) {
                    return Landing::Left(next);
                }
                url = next;
                continue;
            }
            let status = res.status().as_u16();
            return Landing::Page(status, res.text().await.unwrap());
        }
        panic!("redirect loop");
    }

    /// Submits a page's form: its hidden fields plus `fields`; returns the response (not followed).
    pub async fn submit(
        &self,
        html: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut form: Vec<(String, String)> = hidden_fields(html);
        for (k, v) in fields {
            form.retain(|(n, _)| n != k);
            form.push((k.to_string(), v.to_string()));
        }
        secrets::note_form(&form);
        let res = self
            .http
            .post(self.abs(action))
            .form(&form)
            .send()
            .await
            .unwrap();
        secrets::note_response(&res);
        res
    }

    /// Submits and follows: Landing after the redirect chain.
    pub async fn submit_follow(
        &self,
        html: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> Landing {
        let res = self.submit(html, action, fields).await;
        match location(&res) {
            Some(next) => {
                let next = self.abs(&next);
                if next.starts_with(&self.base) {
                    self.follow(&next).await
                } else {
                    Landing::Left(next)
                }
            }
            None => {
                let status = res.status().as_u16();
                Landing::Page(status, res.text().await.unwrap())
            }
        }
    }

    /// Full login through the login form behind `authorize_url`, allowing consent if asked.
    /// Returns where the browser was finally sent (the portal's redirect URI with code).
    pub async fn authorize_and_login(
        &self,
        authorize_url: &str,
        login: &str,
        password: &str,
    ) -> String {
        let page = match self.follow(authorize_url).await {
            Landing::Page(200, html) => html,
            // Single sign-on: the session already satisfies the request.
            Landing::Left(url) => return url,
            other => panic!("expected the login page, got {other:?}"),
        };
        if page.contains("name=\"decision\"") {
            // Signed in already; only consent for this portal is missing.
            return match self
                .submit_follow(&page, "/consent", &[("decision", "allow")])
                .await
            {
                Landing::Left(url) => url,
                other => panic!("consent did not redirect: {other:?}"),
            };
        }
        assert!(page.contains("name=\"password\""), "login page: {page}");
        match self
            .submit_follow(&page, "/login", &[("login", login), ("password", password)])
            .await
        {
            Landing::Left(url) => url,
            Landing::Page(200, html) if html.contains("name=\"decision\"") => {
                match self
                    .submit_follow(&html, "/consent", &[("decision", "allow")])
                    .await
                {
                    Landing::Left(url) => url,
                    other => panic!("consent did not redirect: {other:?}"),
                }
            }
            other => panic!("login did not succeed: {other:?}"),
        }
    }
}

#[derive(Debug)]
pub enum Landing {
    Page(u16, String),
    Left(String),
}

pub fn location(res: &reqwest::Response) -> Option<String> {
    res.headers()
        .get(LOCATION)
        .map(|v| v.to_str().unwrap().to_string())
}

/// Hidden inputs of the (first) form in the page.
pub fn hidden_fields(html: &str) -> Vec<(String, String)> {
    let mut out = vec![];
    for tag in html.split("<input").skip(1) {
        let tag = tag.split('>').next().unwrap();
        if !tag.contains("type=\"hidden\"") {
            continue;
        }
        let attr = |name: &str| {
            tag.split(&format!("{name}=\""))
                .nth(1)
                .map(|r| unescape(r.split('"').next().unwrap()))
        };
        if let (Some(n), Some(v)) = (attr("name"), attr("value")) {
            out.push((n, v));
        }
    }
    out
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}
