//! The ESIA half of the demo B2B portal as an ESIA relying party: its own GOST R 34.10-2012 key
//! (generated once per installation, kept in the settings table so every node signs with it) and
//! self-signed certificate registered as the ESIA client [`CLIENT_ID`] in dev mode; the signed
//! request to `/aas/oauth2/v2/ac`, the token requests to `/aas/oauth2/v3/te`, and the REST calls,
//! all over HTTP to vhod's own issuer, the way a real portal talks to ESIA.
//!
//! The client_secret is the raw GOST signature (base64url) over the parameters the v2 endpoints
//! concatenate: client_id + scope + scope_org + timestamp + state + redirect_uri (+ the code at
//! the token endpoint).

use crate::clients::esia::{self as esia_clients, NewEsiaClient};
use crate::crypto::gost::{self, ParamSet, SigningKey};
use crate::ctx::Ctx;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

pub const CLIENT_ID: &str = "VHOD_DEMO_B2B";
/// The settings row holding the portal's private key (PKCS#8 PEM).
const KEY_SETTING: &str = "demo_b2b_esia_key";
pub const SCOPE: &str = "openid fullname usr_org";
pub const SCOPE_ORG: &str =
    "org_shortname org_fullname org_type org_ogrn org_inn org_kpp org_ctts org_addrs org_emps";

pub fn redirect_uri(app: &Ctx) -> String {
    format!("{}/demo/b2b/esia/callback", app.issuer())
}

/// The portal's key: made once (the first node to start wins), then read by every node.
async fn key(app: &Ctx) -> anyhow::Result<SigningKey> {
    let pem = match app.store.setting(KEY_SETTING).await? {
        Some(pem) => pem,
        None => {
            let fresh = SigningKey::generate(ParamSet::CryptoProA)?.to_pkcs8_pem()?;
            app.store.setting_or_init(KEY_SETTING, &fresh).await?
        }
    };
    Ok(SigningKey::from_pkcs8_pem(&pem)?)
}

/// The registered certificate that carries `key`'s public key: its client_certificate_hash.
fn hash_for(client: &esia_clients::EsiaClient, key: &SigningKey) -> Option<String> {
    let public = key.verifying_key().to_xy_le();
    client
        .certificates
        .iter()
        .find(|c| c.verifying_key().is_ok_and(|k| k.to_xy_le() == public))
        .map(|c| c.hash.clone())
}

fn certificate(app: &Ctx, key: &SigningKey) -> anyhow::Result<String> {
    let now = app.clock.now();
    let der = gost::certificate::self_signed(
        key,
        "CN=vhod demo B2B portal,O=vhod",
        &now.to_be_bytes(),
        now - 3600,
        now + 10 * 365 * 86_400,
    )?;
    Ok(gost::certificate::to_pem(&der)?)
}

/// Registers the portal as an ESIA client (again, when the issuer changed), with the certificate
/// of its key (replaced, when the key's certificate is not the registered one).
pub async fn ensure_client(app: &Ctx) -> anyhow::Result<()> {
    let key = key(app).await?;
    let wanted = redirect_uri(app);
    if let Some(c) = esia_clients::find(&app.store, CLIENT_ID).await? {
        if c.client.redirect_uris == [wanted.clone()] {
            if hash_for(&c, &key).is_none() {
                let pem = certificate(app, &key)?;
                esia_clients::replace_certificate(&app.store, CLIENT_ID, pem.as_bytes(), 0).await?;
            }
            return Ok(());
        }
        app.store.remove_client(CLIENT_ID).await?;
    }
    let scopes = SCOPE
        .split(' ')
        .chain(SCOPE_ORG.split(' '))
        .filter(|s| *s != "openid")
        .map(str::to_owned)
        .collect();
    let registered = esia_clients::register(
        &app.store,
        NewEsiaClient {
            client_id: CLIENT_ID.into(),
            name: "Личный кабинет юридического лица (демо, ЕСИА)".into(),
            certificate: certificate(app, &key)?.into_bytes(),
            redirect_uris: vec![wanted],
            scopes,
            ..NewEsiaClient::default()
        },
    )
    .await;
    match registered {
        Ok(_) => Ok(()),
        // Another node registered it at the same moment: its certificate carries the same key.
        Err(esia_clients::EsiaClientError::Exists) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// `ts` as ESIA writes timestamps (`yyyy.MM.dd HH:mm:ss +0000`), in UTC.
pub fn timestamp(ts: i64) -> String {
    let (days, secs) = (ts.div_euclid(86_400), ts.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}.{m:02}.{d:02} {:02}:{:02}:{:02} +0000",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

pub fn new_state() -> String {
    uuid::Uuid::now_v7().hyphenated().to_string()
}

/// The portal ready to sign: its key and the hash of its registered certificate.
pub struct Portal {
    key: SigningKey,
    hash: String,
    issuer: String,
    redirect_uri: String,
}

impl Portal {
    pub async fn load(app: &Ctx) -> anyhow::Result<Portal> {
        let key = key(app).await?;
        let client = esia_clients::find(&app.store, CLIENT_ID)
            .await?
            .ok_or_else(|| anyhow::anyhow!("the demo ESIA client is not registered"))?;
        let hash = hash_for(&client, &key)
            .ok_or_else(|| anyhow::anyhow!("no registered certificate carries the portal's key"))?;
        Ok(Portal {
            key,
            hash,
            issuer: app.issuer().to_string(),
            redirect_uri: redirect_uri(app),
        })
    }

    fn sign(&self, message: &str) -> anyhow::Result<String> {
        Ok(URL_SAFE_NO_PAD.encode(self.key.sign(message.as_bytes())?))
    }

    /// The signed v2/ac URL asking for the person and, in `scope_org`, the organisation.
    pub fn ac_url(&self, now: i64, state: &str) -> anyhow::Result<String> {
        let ts = timestamp(now);
        let secret = self.sign(&format!(
            "{CLIENT_ID}{SCOPE}{SCOPE_ORG}{ts}{state}{}",
            self.redirect_uri
        ))?;
        let q = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs([
                ("client_id", CLIENT_ID),
                ("client_secret", &secret),
                ("redirect_uri", &self.redirect_uri),
                ("scope", SCOPE),
                ("scope_org", SCOPE_ORG),
                ("response_type", "code"),
                ("state", state),
                ("timestamp", &ts),
                ("access_type", "offline"),
                ("client_certificate_hash", &self.hash),
            ])
            .finish();
        Ok(format!("{}/aas/oauth2/v2/ac?{q}", self.issuer))
    }

    /// The token request form for `grant` (`code` or `refresh_token` with its value).
    fn token_form(
        &self,
        now: i64,
        grant: Grant<'_>,
    ) -> anyhow::Result<Vec<(&'static str, String)>> {
        let (state, ts) = (new_state(), timestamp(now));
        let base = format!(
            "{CLIENT_ID}{SCOPE}{SCOPE_ORG}{ts}{state}{}",
            self.redirect_uri
        );
        let (grant_type, name, value, signed) = match grant {
            Grant::Code(c) => ("authorization_code", "code", c, format!("{base}{c}")),
            Grant::Refresh(rt) => ("refresh_token", "refresh_token", rt, base),
        };
        Ok(vec![
            ("client_id", CLIENT_ID.into()),
            (name, value.into()),
            ("grant_type", grant_type.into()),
            ("client_secret", self.sign(&signed)?),
            ("state", state),
            ("redirect_uri", self.redirect_uri.clone()),
            ("scope", SCOPE.into()),
            ("scope_org", SCOPE_ORG.into()),
            ("timestamp", ts),
            ("token_type", "Bearer".into()),
            ("client_certificate_hash", self.hash.clone()),
        ])
    }

    /// `POST /aas/oauth2/v3/te`: the tokens, or ESIA's refusal (its error_description).
    pub async fn token(
        &self,
        app: &Ctx,
        grant: Grant<'_>,
    ) -> anyhow::Result<Result<Tokens, String>> {
        let form = self.token_form(app.clock.now(), grant)?;
        let res = app
            .http
            .post(format!("{}/aas/oauth2/v3/te", self.issuer))
            .form(&form)
            .send()
            .await?;
        let status = res.status();
        let body: Value = res.json().await?;
        if !status.is_success() {
            let why = body["error_description"]
                .as_str()
                .or(body["error"].as_str())
                .unwrap_or("refused");
            return Ok(Err(why.to_string()));
        }
        let text = |k: &str| body[k].as_str().map(str::to_owned);
        Ok(Ok(Tokens {
            access_token: text("access_token")
                .ok_or_else(|| anyhow::anyhow!("no access_token in the answer"))?,
            refresh_token: text("refresh_token"),
        }))
    }

    /// The token's claims once its signature verifies with vhod's GOST certificate (an ESIA portal
    /// is given ESIA's certificate; this one takes it from `/keys/gost-256.pem`).
    pub async fn verified_claims(&self, app: &Ctx, token: &str) -> anyhow::Result<Value> {
        let pem = app
            .http
            .get(format!("{}/keys/gost-256.pem", self.issuer))
            .send()
            .await?
            .error_for_status()?
            .text()
            .await?;
        Ok(crate::crypto::jws_verify::verify_compact(token, &pem)?.payload)
    }

    /// `GET {issuer}{path}` with the access token: (status, JSON body).
    pub async fn rest(&self, app: &Ctx, token: &str, path: &str) -> anyhow::Result<(u16, Value)> {
        let res = app
            .http
            .get(format!("{}{path}", self.issuer))
            .bearer_auth(token)
            .send()
            .await?;
        let status = res.status().as_u16();
        Ok((status, res.json().await.unwrap_or(Value::Null)))
    }
}

pub enum Grant<'a> {
    Code(&'a str),
    Refresh(&'a str),
}

pub struct Tokens {
    pub access_token: String,
    pub refresh_token: Option<String>,
}

/// What the portal reads from the (verified) access token's claims, as ESIA portals do: the
/// person's oid (`urn:esia:sbj_id`) and the organisation the scope items name (`org_*?org_oid=N`).
pub fn subject_and_org(claims: &Value) -> Option<(i64, Option<i64>)> {
    let oid = claims["urn:esia:sbj_id"].as_i64()?;
    let org = claims["scope"].as_str().and_then(|s| {
        s.split(' ').find_map(|item| {
            item.split_once("?org_oid=")
                .and_then(|(_, n)| n.parse().ok())
        })
    });
    Some((oid, org))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_written_as_esia_reads_them() {
        assert_eq!(timestamp(0), "1970.01.01 00:00:00 +0000");
        assert_eq!(timestamp(1_764_954_061), "2025.12.05 17:01:01 +0000");
        assert_eq!(timestamp(951_782_400), "2000.02.29 00:00:00 +0000");
    }

    #[test]
    fn the_subject_and_the_organisation_come_from_the_access_token() {
        let claims = serde_json::json!({
            "urn:esia:sbj_id": 1000000001,
            "scope": "openid usr_org?oid=1000000001 org_ctts?org_oid=1000000777",
        });
        assert_eq!(
            subject_and_org(&claims),
            Some((1_000_000_001, Some(1_000_000_777)))
        );
        assert_eq!(
            subject_and_org(&serde_json::json!({"scope": "openid"})),
            None
        );
    }
}
