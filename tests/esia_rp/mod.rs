//! An ESIA relying party written the way the public client libraries do it: the signing strings in
//! their order, a raw GOST R 34.10-2012 (256) signature in base64, the timestamp as
//! `yyyy.MM.dd HH:mm:ss +HHMM`. Each knob is a variant some library uses: base64url without or with
//! padding or standard base64; OpenSSL's or CryptoPro's byte order; Moscow time or UTC.
#![allow(dead_code)]

use crate::common::{Browser, Landing, TestServer};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE, URL_SAFE_NO_PAD};
use serde_json::Value;
use vhod::clients::esia::{NewEsiaClient, register};
use vhod::crypto::gost::{self, SigningKey};
use vhod::esia::timestamp;

pub const PORTAL_REDIRECT: &str = "https://portal.example/esia/callback";
pub const KEY_PEM: &str = include_str!("../fixtures/gost/256-A.key.pem");
pub const CERT_PEM: &str = include_str!("../fixtures/gost/256-A.cert.pem");

#[derive(Clone, Copy, Debug)]
pub enum Encoding {
    UrlNoPad,
    UrlPad,
    Standard,
}

#[derive(Clone, Copy, Debug)]
pub enum Order {
    OpenSsl,
    CryptoPro,
}

/// How a library signs: encoding, byte order and the timestamp's UTC offset (minutes).
#[derive(Clone, Copy, Debug)]
pub struct Style {
    pub encoding: Encoding,
    pub order: Order,
    pub offset: i64,
}

pub const PHP: Style = Style {
    encoding: Encoding::UrlNoPad,
    order: Order::OpenSsl,
    offset: 180,
};
pub const DOTNET: Style = Style {
    encoding: Encoding::Standard,
    order: Order::CryptoPro,
    offset: 0,
};
pub const GO: Style = Style {
    encoding: Encoding::UrlPad,
    order: Order::OpenSsl,
    offset: 0,
};

pub struct EsiaRp {
    pub client_id: String,
    pub base: String,
    pub cert_hash: String,
    key: SigningKey,
    http: reqwest::Client,
}

pub fn new_state() -> String {
    uuid::Uuid::now_v7().hyphenated().to_string()
}

/// Registers an ESIA client with the fixture certificate (or `cert_pem`) on `t`.
pub async fn register_rp(t: &TestServer, client_id: &str, scopes: &[&str]) -> EsiaRp {
    register_rp_with(t, client_id, scopes, None).await
}

pub async fn register_rp_with(
    t: &TestServer,
    client_id: &str,
    scopes: &[&str],
    min_level: Option<&str>,
) -> EsiaRp {
    let c = register(
        &t.app.store,
        NewEsiaClient {
            client_id: client_id.into(),
            name: "Портал ЕСИА".into(),
            certificate: CERT_PEM.as_bytes().to_vec(),
            redirect_uris: vec![PORTAL_REDIRECT.into()],
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
            min_level: min_level.map(str::to_owned),
            ..NewEsiaClient::default()
        },
    )
    .await
    .expect("ESIA client registers");
    EsiaRp::new(&t.base, client_id, &c.certificates[0].hash, KEY_PEM)
}

impl EsiaRp {
    pub fn new(base: &str, client_id: &str, cert_hash: &str, key_pem: &str) -> EsiaRp {
        EsiaRp {
            client_id: client_id.into(),
            base: base.into(),
            cert_hash: cert_hash.into(),
            key: SigningKey::from_pkcs8_pem(key_pem).expect("fixture key"),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
        }
    }

    pub fn on(&self, base: &str) -> EsiaRp {
        EsiaRp::new(base, &self.client_id, &self.cert_hash, KEY_PEM)
    }

    /// The client_secret over `message` in `style`.
    pub fn sign(&self, message: &str, style: Style) -> String {
        let sig = self.key.sign(message.as_bytes()).unwrap();
        let sig = match style.order {
            Order::OpenSsl => sig,
            Order::CryptoPro => gost::signature_to_cryptopro(&sig).unwrap(),
        };
        match style.encoding {
            Encoding::UrlNoPad => URL_SAFE_NO_PAD.encode(sig),
            Encoding::UrlPad => URL_SAFE.encode(sig),
            Encoding::Standard => STANDARD.encode(sig),
        }
    }

    pub fn timestamp(&self, now: i64, style: Style) -> String {
        timestamp::format(now, style.offset)
    }

    /// The v2/ac parameters, signed; `tweak` changes any of them before the URL is built (a
    /// parameter set to None is left out) — after signing, so a tweak breaks what it should.
    pub fn ac_params(
        &self,
        now: i64,
        scope: &str,
        state: &str,
        style: Style,
    ) -> Vec<(String, String)> {
        let ts = self.timestamp(now, style);
        let secret = self.sign(
            &format!("{}{scope}{ts}{state}{PORTAL_REDIRECT}", self.client_id),
            style,
        );
        vec![
            ("client_id".into(), self.client_id.clone()),
            ("client_secret".into(), secret),
            ("redirect_uri".into(), PORTAL_REDIRECT.into()),
            ("scope".into(), scope.into()),
            ("response_type".into(), "code".into()),
            ("state".into(), state.into()),
            ("timestamp".into(), ts),
            ("access_type".into(), "offline".into()),
            (
                "client_certificate_hash".into(),
                self.cert_hash.to_uppercase(),
            ),
        ]
    }

    pub fn ac_url(&self, params: &[(String, String)]) -> String {
        let q = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(params)
            .finish();
        format!("{}/aas/oauth2/v2/ac?{q}", self.base)
    }

    pub async fn te(&self, form: &[(String, String)]) -> (u16, Value) {
        let res = self
            .http
            .post(format!("{}/aas/oauth2/v3/te", self.base))
            .form(form)
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// The authorization_code form, signed over client_id + scope + timestamp + state +
    /// redirect_uri + code with a new state and timestamp.
    pub fn code_form(
        &self,
        now: i64,
        code: &str,
        scope: &str,
        style: Style,
    ) -> Vec<(String, String)> {
        let (state, ts) = (new_state(), self.timestamp(now, style));
        let secret = self.sign(
            &format!(
                "{}{scope}{ts}{state}{PORTAL_REDIRECT}{code}",
                self.client_id
            ),
            style,
        );
        vec![
            ("client_id".into(), self.client_id.clone()),
            ("code".into(), code.into()),
            ("grant_type".into(), "authorization_code".into()),
            ("client_secret".into(), secret),
            ("state".into(), state),
            ("redirect_uri".into(), PORTAL_REDIRECT.into()),
            ("scope".into(), scope.into()),
            ("timestamp".into(), ts),
            ("token_type".into(), "Bearer".into()),
            ("client_certificate_hash".into(), self.cert_hash.clone()),
        ]
    }

    /// refresh_token: `short` = client_id + scope + timestamp + state + refresh_token, otherwise
    /// the v2/ac string (client_id + scope + timestamp + state + redirect_uri).
    pub fn refresh_form(
        &self,
        now: i64,
        refresh_token: &str,
        scope: &str,
        short: bool,
        style: Style,
    ) -> Vec<(String, String)> {
        let (state, ts) = (new_state(), self.timestamp(now, style));
        let signed = if short {
            format!("{}{scope}{ts}{state}{refresh_token}", self.client_id)
        } else {
            format!("{}{scope}{ts}{state}{PORTAL_REDIRECT}", self.client_id)
        };
        vec![
            ("client_id".into(), self.client_id.clone()),
            ("refresh_token".into(), refresh_token.into()),
            ("grant_type".into(), "refresh_token".into()),
            ("client_secret".into(), self.sign(&signed, style)),
            ("state".into(), state),
            ("redirect_uri".into(), PORTAL_REDIRECT.into()),
            ("scope".into(), scope.into()),
            ("timestamp".into(), ts),
            ("token_type".into(), "Bearer".into()),
            ("client_certificate_hash".into(), self.cert_hash.clone()),
        ]
    }

    /// client_credentials: client_id + scope + timestamp + state + redirect_uri.
    pub fn client_credentials_form(
        &self,
        now: i64,
        scope: &str,
        style: Style,
    ) -> Vec<(String, String)> {
        let (state, ts) = (new_state(), self.timestamp(now, style));
        let secret = self.sign(
            &format!("{}{scope}{ts}{state}{PORTAL_REDIRECT}", self.client_id),
            style,
        );
        vec![
            ("client_id".into(), self.client_id.clone()),
            ("grant_type".into(), "client_credentials".into()),
            ("client_secret".into(), secret),
            ("state".into(), state),
            ("redirect_uri".into(), PORTAL_REDIRECT.into()),
            ("scope".into(), scope.into()),
            ("timestamp".into(), ts),
            ("token_type".into(), "Bearer".into()),
            ("client_certificate_hash".into(), self.cert_hash.clone()),
        ]
    }
}

/// Replaces (or with None removes) a parameter.
pub fn set(params: &mut Vec<(String, String)>, name: &str, value: Option<&str>) {
    params.retain(|(k, _)| k != name);
    if let Some(v) = value {
        params.push((name.into(), v.into()));
    }
}

/// Follows a sign-in at `url` through the real login page and consent page (allowing); returns
/// where the browser was sent back to the portal.
pub async fn sign_in_and_allow(browser: &Browser, url: &str, login: &str) -> String {
    let page = match browser.follow(url).await {
        Landing::Page(200, html) => html,
        Landing::Left(url) => return url,
        other => panic!("expected the login page, got {other:?}"),
    };
    let page = if page.contains("name=\"password\"") {
        match browser
            .submit_follow(
                &page,
                "/login",
                &[("login", login), ("password", crate::common::PASSWORD)],
            )
            .await
        {
            Landing::Page(200, html) => html,
            Landing::Left(url) => return url,
            other => panic!("login did not succeed: {other:?}"),
        }
    } else {
        page
    };
    assert!(
        page.contains("name=\"decision\""),
        "consent page expected: {page}"
    );
    match browser
        .submit_follow(&page, &form_action(&page), &[("decision", "allow")])
        .await
    {
        Landing::Left(url) => url,
        other => panic!("consent did not redirect: {other:?}"),
    }
}

/// The action of the page's (last) POST form.
pub fn form_action(html: &str) -> String {
    let i = html.rfind("method=\"post\" action=\"").expect("a form");
    let rest = &html[i + "method=\"post\" action=\"".len()..];
    rest[..rest.find('"').unwrap()].to_string()
}

pub fn param(url: &str, name: &str) -> Option<String> {
    url::Url::parse(url)
        .ok()?
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

pub fn claims(token: &str) -> (Value, Value) {
    let parts: Vec<&str> = token.split('.').collect();
    let dec =
        |s: &str| -> Value { serde_json::from_slice(&URL_SAFE_NO_PAD.decode(s).unwrap()).unwrap() };
    (dec(parts[0]), dec(parts[1]))
}

/// Registers a client of the old protocol (legacy) with the fixture certificate.
pub async fn register_legacy_rp(t: &TestServer, client_id: &str) -> EsiaRp {
    let c = register(
        &t.app.store,
        NewEsiaClient {
            client_id: client_id.into(),
            name: "Портал (старый протокол)".into(),
            certificate: CERT_PEM.as_bytes().to_vec(),
            redirect_uris: vec![PORTAL_REDIRECT.into()],
            legacy: true,
            ..NewEsiaClient::default()
        },
    )
    .await
    .expect("legacy ESIA client registers");
    EsiaRp::new(&t.base, client_id, &c.certificates[0].hash, KEY_PEM)
}

/// The old protocol's client_secret: a detached CMS (DER, base64url) over `message`, signed with
/// `cert_pem` / `key_pem` the way PHP's openssl_pkcs7_sign does.
pub fn legacy_secret(message: &str, cert_pem: &str, key_pem: &str) -> String {
    let der = vhod::crypto::qes::sign::sign_detached(
        message.as_bytes(),
        cert_pem.as_bytes(),
        key_pem.as_bytes(),
        b"",
    )
    .expect("CMS");
    URL_SAFE_NO_PAD.encode(der)
}

impl EsiaRp {
    /// /aas/oauth2/ac parameters: client_secret over scope + timestamp + client_id + state.
    pub fn legacy_ac_params(&self, now: i64, scope: &str, state: &str) -> Vec<(String, String)> {
        let ts = self.timestamp(now, PHP);
        let secret = legacy_secret(
            &format!("{scope}{ts}{}{state}", self.client_id),
            CERT_PEM,
            KEY_PEM,
        );
        vec![
            ("client_id".into(), self.client_id.clone()),
            ("client_secret".into(), secret),
            ("redirect_uri".into(), PORTAL_REDIRECT.into()),
            ("scope".into(), scope.into()),
            ("response_type".into(), "code".into()),
            ("state".into(), state.into()),
            ("timestamp".into(), ts),
            ("access_type".into(), "offline".into()),
        ]
    }

    pub fn legacy_ac_url(&self, params: &[(String, String)]) -> String {
        self.ac_url(params)
            .replacen("/aas/oauth2/v2/ac?", "/aas/oauth2/ac?", 1)
    }

    /// /aas/oauth2/te form for `grant` (authorization_code with `value` the code, or
    /// refresh_token with `value` the refresh token).
    pub fn legacy_te_form(
        &self,
        now: i64,
        grant: &str,
        value: &str,
        scope: &str,
    ) -> Vec<(String, String)> {
        let (state, ts) = (new_state(), self.timestamp(now, PHP));
        let secret = legacy_secret(
            &format!("{scope}{ts}{}{state}", self.client_id),
            CERT_PEM,
            KEY_PEM,
        );
        let value_name = if grant == "authorization_code" {
            "code"
        } else {
            "refresh_token"
        };
        vec![
            ("client_id".into(), self.client_id.clone()),
            (value_name.into(), value.into()),
            ("grant_type".into(), grant.into()),
            ("client_secret".into(), secret),
            ("state".into(), state),
            ("redirect_uri".into(), PORTAL_REDIRECT.into()),
            ("scope".into(), scope.into()),
            ("timestamp".into(), ts),
            ("token_type".into(), "Bearer".into()),
        ]
    }

    pub async fn legacy_te(&self, form: &[(String, String)]) -> (u16, Value) {
        let res = self
            .http
            .post(format!("{}/aas/oauth2/te", self.base))
            .form(form)
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }
}
