//! ESIA helpers: a person with data in every collection of `/rs/prns/{oid}`, ESIA-shaped access
//! tokens minted with the server's keyring (the shape vhod's ESIA token endpoint issues), and the
//! REST calls a portal makes.

use super::*;
use serde_json::{Map, json};
use vhod::clients::esia::{NewEsiaClient, register};
use vhod::crypto::keyring::SigningAlg;
use vhod::identity::levels::{self, ConfirmMethod, IdDocument, StandardRequest};
use vhod::identity::records::{self, Record};
use vhod::identity::validation::Passport;
use vhod::types::AccountId;

pub const PHONE: &str = "+79001234567";
pub const EMAIL: &str = "ivan.ivanov@example.ru";
pub const REGISTRATION_ADDRESS: &str = "170100, г. Тверь, ул. Советская, д. 1, кв. 2";
pub const RESIDENCE_ADDRESS: &str = "г. Тверь, ул. Трёхсвятская, д. 5";
pub const INN: &str = "585204118212";
/// The ESIA portal the tokens are issued to (registered, and allowed every scope by the person).
pub const PORTAL: &str = "ESIA_PORTAL";
/// Every scope that opens something of a person.
pub const ALL_SCOPES: [&str; 18] = [
    "openid",
    "fullname",
    "birthdate",
    "gender",
    "birthplace",
    "snils",
    "inn",
    "id_doc",
    "contacts",
    "addresses",
    "drivers_licence_doc",
    "medical_doc",
    "vehicles",
    "kid_fullname",
    "kid_birthdate",
    "kid_birth_cert_doc",
    "email",
    "mobile",
];

/// The person's account id and oid.
pub struct EsiaPerson {
    pub account: String,
    pub oid: i64,
}

async fn check(t: &TestServer, check_id: &str) {
    levels::run_check(&t.app, check_id).await.unwrap();
}

async fn add_record(t: &TestServer, account: &AccountId, record: Record) {
    let check_id = records::submit(&t.app, account, &record).await.unwrap();
    check(t, &check_id).await;
}

/// A confirmed person (registered by phone, e-mail added) with both addresses, SNILS and passport,
/// INN, driving licence, medical policy, a vehicle, a child — all verified — and a second vehicle
/// whose registry check never answers (shown NOT_VERIFIED).
pub async fn person_with_everything(t: &TestServer) -> EsiaPerson {
    let account = t.add_person(PHONE).await;
    let id = AccountId::new(account.clone());
    let store = &t.app.store;
    store
        .replace_contact(&account, "email", EMAIL)
        .await
        .unwrap();
    store
        .set_address(&account, "PRG", REGISTRATION_ADDRESS)
        .await
        .unwrap();
    store
        .set_address(&account, "PLV", RESIDENCE_ADDRESS)
        .await
        .unwrap();
    let request = StandardRequest {
        snils: identity::SNILS.parse().unwrap(),
        document: IdDocument::Passport(
            Passport::parse("2815", "123456", "2015-06-01", "690-001").unwrap(),
        ),
        surname: "Иванов".into(),
        given_name: "Иван".into(),
        patronymic: Some("Иванович".into()),
        birth_date: "1990-05-17".into(),
        birthplace: "г. Тверь".into(),
        gender: "M".into(),
    };
    let check_id = levels::request_standard(&t.app, &id, &request)
        .await
        .unwrap();
    check(t, &check_id).await;
    assert!(
        levels::confirm(&t.app, &id, ConfirmMethod::ServiceCentre, "{}", "operator")
            .await
            .unwrap(),
        "the standard person is confirmed"
    );
    let field = |pairs: &'static [(&'static str, &'static str)]| {
        move |k: &str| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
                .unwrap_or_default()
        }
    };
    let records: [(&str, &'static [(&'static str, &'static str)]); 6] = [
        ("inn", &[("number", INN)]),
        (
            "drivers_licence",
            &[
                ("series", "9901"),
                ("number", "123456"),
                ("issued", "2020-01-15"),
                ("expires", "2030-01-15"),
            ],
        ),
        ("medical_policy", &[("number", "7777888899990011")]),
        (
            "vehicle",
            &[
                ("name", "LADA Vesta"),
                ("plate", "А123ВС77"),
                ("reg_cert", "9912345678"),
            ],
        ),
        (
            "child",
            &[
                ("surname", "Иванова"),
                ("given_name", "Мария"),
                ("birth_date", "2015-03-01"),
                ("birth_cert", "IV-МЮ 654321"),
            ],
        ),
        // Last: its check never ends (…99), and one running check blocks further submissions.
        (
            "vehicle",
            &[
                ("name", "КАМАЗ 5490"),
                ("plate", "В456ОР150"),
                ("reg_cert", "9900123499"),
            ],
        ),
    ];
    for (kind, pairs) in records {
        let record = Record::parse(kind, &field(pairs)).unwrap();
        add_record(t, &id, record).await;
    }
    register_portal_with_consent(t, &account).await;
    let oid = store.person_oid(&account).await.unwrap();
    EsiaPerson { account, oid }
}

/// Registers the ESIA portal `PORTAL` and records the person's consent to every scope (what the
/// sign-in's consent page does when the person allows).
pub async fn register_portal_with_consent(t: &TestServer, account: &str) {
    let store = &t.app.store;
    register(
        store,
        NewEsiaClient {
            client_id: PORTAL.into(),
            name: "Портал ЕСИА".into(),
            certificate: include_bytes!("../fixtures/gost/256-A.cert.pem").to_vec(),
            redirect_uris: vec!["https://portal.example/esia/callback".into()],
            ..NewEsiaClient::default()
        },
    )
    .await
    .unwrap();
    let scopes: Vec<String> = ALL_SCOPES.iter().map(|s| s.to_string()).collect();
    let account = AccountId::new(account.to_string());
    vhod::identity::permissions::give(&t.app, &account, PORTAL, &scopes, &[])
        .await
        .unwrap();
}

/// Access-token claims in ESIA's shape for `oid` with `scopes` (`name?oid=N`, bare `openid`),
/// valid from now for `ttl` seconds (negative: already expired).
pub fn access_claims(t: &TestServer, oid: i64, scopes: &[&str], ttl: i64) -> Value {
    let now = t.app.clock.now();
    let scope = scopes
        .iter()
        .map(|s| match *s {
            "openid" => "openid".to_string(),
            s => format!("{s}?oid={oid}"),
        })
        .collect::<Vec<_>>()
        .join(" ");
    json!({
        "nbf": now - 5,
        "iat": now - 5,
        "exp": now + ttl,
        "iss": t.issuer(),
        "client_id": PORTAL,
        "scope": scope,
        "urn:esia:sid": "sid-0f3c",
        "urn:esia:sbj_id": oid,
    })
}

fn object(v: Value) -> Map<String, Value> {
    v.as_object().expect("a JSON object").clone()
}

/// Signs `claims` under `header` (no `kid`) with the server's active RS256 key.
pub fn sign(t: &TestServer, header: Value, claims: Value) -> String {
    sign_with(t, SigningAlg::Rs256, header, claims)
}

/// As `sign`, with the active key of `alg` (the header's `alg` is the key's).
pub fn sign_with(t: &TestServer, alg: SigningAlg, header: Value, claims: Value) -> String {
    t.app
        .keyring
        .sign_with_header(alg, object(header), object(claims))
        .unwrap()
}

pub fn access_header() -> Value {
    json!({ "ver": 1, "typ": "JWT", "sbt": "access" })
}

/// An ESIA access token for `oid` with `scopes`, valid for an hour.
pub fn access_token(t: &TestServer, oid: i64, scopes: &[&str]) -> String {
    sign(t, access_header(), access_claims(t, oid, scopes, 3600))
}

/// GET `url` (absolute, or a path on the server) with an optional bearer token: (status, body).
pub async fn rs_get(t: &TestServer, token: Option<&str>, url: &str) -> (u16, Value) {
    let url = if url.starts_with("http") {
        url.to_string()
    } else {
        format!("{}{url}", t.base)
    };
    let mut req = no_redirect_client().get(url);
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// The member names of a JSON object, sorted.
pub fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    k.sort();
    k
}

/// The members of the person resource that need a scope (with all of them granted).
pub const PERSON_MEMBERS: [&str; 10] = [
    "firstName",
    "lastName",
    "middleName",
    "birthDate",
    "gender",
    "birthPlace",
    "snils",
    "inn",
    "citizenship",
    "rIdDoc",
];

/// The members of the person resource every scope shows.
pub const BASE_MEMBERS: [&str; 6] = [
    "eTag",
    "stateFacts",
    "status",
    "trusted",
    "updatedOn",
    "verifying",
];

pub fn sorted(mut v: Vec<&str>) -> Vec<String> {
    v.sort();
    v.into_iter().map(String::from).collect()
}

/// Fetches `path` without and with `?embed=(elements)`: every link resolves to the object the
/// embedded form shows at the same place, and both forms carry the same size and eTag.
pub async fn links_match_embedded(t: &TestServer, token: &str, path: &str) -> Vec<Value> {
    let (status, links) = rs_get(t, Some(token), path).await;
    assert_eq!(status, 200, "{path}: {links}");
    let (status, embedded) = rs_get(t, Some(token), &format!("{path}?embed=(elements)")).await;
    assert_eq!(status, 200, "{path}: {embedded}");
    assert_eq!(links["stateFacts"], json!(["hasSize"]));
    assert_eq!(links["size"], embedded["size"]);
    assert_eq!(links["eTag"], embedded["eTag"]);
    let links = links["elements"].as_array().unwrap().clone();
    let objects = embedded["elements"].as_array().unwrap().clone();
    assert_eq!(links.len(), objects.len());
    assert_eq!(embedded["size"], objects.len());
    for (link, object) in links.iter().zip(&objects) {
        let url = link.as_str().expect("a link");
        assert_eq!(
            url,
            format!("{}{path}/{}", t.base, object["id"]),
            "an absolute URL"
        );
        let (status, fetched) = rs_get(t, Some(token), url).await;
        assert_eq!(status, 200, "{url}");
        assert_eq!(&fetched, object, "{url}");
        assert_eq!(fetched["stateFacts"], json!(["Identifiable"]));
        assert_eq!(fetched["eTag"].as_str().unwrap().len(), 40);
    }
    objects
}

pub fn by_type<'a>(list: &'a [Value], t: &str) -> Vec<&'a Value> {
    list.iter().filter(|v| v["type"] == t).collect()
}

/// The token with its payload replaced (the signature is the original one).
pub fn with_payload(token: &str, claims: &Value) -> String {
    use base64::Engine;
    let parts: Vec<&str> = token.split('.').collect();
    let payload =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(claims.to_string().as_bytes());
    format!("{}.{payload}.{}", parts[0], parts[2])
}

pub async fn refused(t: &TestServer, token: Option<&str>, path: &str) -> (u16, String) {
    let (status, body) = rs_get(t, token, path).await;
    assert!(
        body["message"].as_str().is_some() && body["request_id"].as_str().is_some(),
        "{path}: a JSON body: {body}"
    );
    (
        status,
        body["code"].as_str().unwrap_or_default().to_string(),
    )
}
