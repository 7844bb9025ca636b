//! The fuzz targets of vhod (issue 16): each takes arbitrary bytes and feeds them to one parser or
//! verifier the way a request, a certificate or a configuration file would. A target must never
//! panic, hang or allocate without bound; refusing the input is the expected outcome. The same
//! functions serve libFuzzer (`fuzz_targets/`, through cargo-fuzz) and the stable driver
//! (`src/bin/drive.rs`).

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use std::net::SocketAddr;
use std::sync::OnceLock;
use tower::ServiceExt;
use vhod::Ctx;

pub const TARGETS: &[&str] = &[
    "jose_client_assertion",
    "jose_request_object",
    "jose_dpop",
    "jose_id_token_hint",
    "jws_compact",
    "cms_signed_data",
    "x509_certificate",
    "crl",
    "params",
    "esia_secret_timestamp",
    "validators",
    "config",
    "gost_keys_signatures",
];

/// Runs target `name` on `data`.
pub fn run(name: &str, data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    match name {
        "jose_client_assertion" => client_assertion(&text),
        "jose_request_object" => request_object(&text),
        "jose_dpop" => dpop(&text),
        "jose_id_token_hint" => {
            let _ = vhod::oidc::id_token_hint::verify(&app().ctx, &text, None);
        }
        "jws_compact" => {
            let _ = vhod::crypto::jws_verify::verify_compact(&text, gost_cert_pem());
        }
        "cms_signed_data" => cms(data),
        "x509_certificate" => x509(data),
        "crl" => {
            let _ = vhod::crypto::qes::crl::parse(data);
        }
        "params" => params(data),
        "esia_secret_timestamp" => esia(&text),
        "validators" => validators(&text),
        "config" => config(&text),
        "gost_keys_signatures" => gost(data),
        other => panic!("no fuzz target {other}"),
    }
}

// ------------------------------------------------------------------ the app, made once --

pub struct App {
    rt: tokio::runtime::Runtime,
    router: Router,
    ctx: Ctx,
    client_id: String,
}

const REDIRECT: &str = "https://portal.example.gov/cb";

/// One vhod (SQLite in a temporary directory, memory cache, dev mode) with one portal.
pub fn app() -> &'static App {
    static APP: OnceLock<App> = OnceLock::new();
    APP.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let dir = std::env::temp_dir().join(format!("vhod-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut c = vhod::config::Config::defaults();
        c.keys.kek_file = dir.join("kek").display().to_string();
        c.database.url = format!("sqlite://{}", dir.join("vhod.db").display());
        c.cache.url = "memory".into();
        c.password.memory_kib = 1024;
        c.password.iterations = 1;
        c.dev.enabled = true;
        c.server.issuer = "http://localhost:8080".into();
        // Fuzzed requests come from one address: no throttling, only parsing is under test.
        c.login.rate_per_minute = 1_000_000;
        c.login.rate_burst = 1_000_000;
        let (router, ctx, client_id) = rt.block_on(async {
            let (router, ctx) = vhod::build_app(c, vhod::clock::Clock::default())
                .await
                .expect("vhod starts");
            let (client, _) = vhod::clients::register(
                &ctx.store,
                vhod::clients::NewClient {
                    name: "Fuzz".into(),
                    redirect_uris: vec![REDIRECT.into()],
                    ..Default::default()
                },
            )
            .await
            .unwrap();
            (router, ctx, client.id.to_string())
        });
        App {
            rt,
            router,
            ctx,
            client_id,
        }
    })
}

/// Sends `req` through the whole router (every layer, every extractor); returns the status.
fn send(mut req: Request<Body>) -> u16 {
    let a = app();
    req.extensions_mut()
        .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 40000))));
    let res = a.rt.block_on(a.router.clone().oneshot(req)).unwrap();
    res.status().as_u16()
}

fn enc(s: &str) -> String {
    url_encode(s.as_bytes())
}

fn url_encode(b: &[u8]) -> String {
    let mut out = String::new();
    for &c in b {
        if c.is_ascii_alphanumeric() || b"-._~".contains(&c) {
            out.push(c as char);
        } else {
            out.push_str(&format!("%{c:02X}"));
        }
    }
    out
}

fn form(uri: &str, body: String) -> Request<Body> {
    Request::post(uri)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap()
}

fn client_assertion(jwt: &str) {
    let body = format!(
        "grant_type=client_credentials&client_assertion_type={}&client_assertion={}",
        enc("urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
        enc(jwt)
    );
    let status = send(form("/token", body));
    assert!(status < 500, "client assertion answered {status}");
}

fn request_object(jwt: &str) {
    let a = app();
    let uri = format!(
        "/authorize?client_id={}&response_type=code&scope=openid&redirect_uri={}&request={}",
        enc(&a.client_id),
        enc(REDIRECT),
        enc(jwt)
    );
    let status = send(Request::get(uri).body(Body::empty()).unwrap());
    assert!(status < 500, "request object answered {status}");
}

fn dpop(jwt: &str) {
    let Ok(mut req) = Request::post("/token")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("dpop", jwt)
        .body(Body::from(
            "grant_type=authorization_code&code=x&redirect_uri=y",
        ))
    else {
        return; // not a header value: never reaches vhod
    };
    req.headers_mut()
        .insert("authorization", "Basic Zm9vOmJhcg==".parse().unwrap());
    let status = send(req);
    assert!(status < 500, "DPoP proof answered {status}");
    let _ = app().rt.block_on(vhod::oidc::dpop::verify(
        &app().ctx,
        jwt,
        "POST",
        "http://localhost:8080/token",
        Some("at"),
    ));
}

// ------------------------------------------------------------------ pure parsers --

fn gost_cert_pem() -> &'static str {
    include_str!("../../tests/fixtures/gost/256-A.pub.pem")
}

fn cms(data: &[u8]) {
    if let Ok(der) = vhod::crypto::qes::cms::decode_input(data) {
        let _ = vhod::crypto::qes::cms::verify_detached(&der, b"vhod challenge");
    }
    let _ = vhod::crypto::qes::cms::verify_detached(data, b"vhod challenge");
}

fn x509(data: &[u8]) {
    for cert in vhod::crypto::qes::parse_certificates(data) {
        let _ = vhod::crypto::qes::snils_of(&cert);
        let _ = vhod::crypto::qes::subject_attributes(&cert);
        let _ = vhod::crypto::qes::cms::fingerprint(&cert);
    }
    let _ = vhod::crypto::gost::VerifyingKey::from_certificate_der(data);
}

fn params(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(p) = vhod::web::params::Params::from_query(Some(&text)) {
        let _ = p.duplicated();
        let _ = p.get("client_id");
    }
    let mut headers = axum::http::HeaderMap::new();
    headers.insert(
        "content-type",
        "application/x-www-form-urlencoded".parse().unwrap(),
    );
    let _ = vhod::web::params::Params::from_form(&headers, data);
    // And through the router: a page form and a protocol endpoint.
    let status = send(form("/login", text.to_string()));
    assert!(status < 500, "/login answered {status}");
    let status = send(form("/par", text.to_string()));
    assert!(status < 500, "/par answered {status}");
}

fn esia(text: &str) {
    let _ = vhod::esia::secret::decode(text);
    let _ = vhod::esia::timestamp::parse(text);
    if let Some(ts) = vhod::esia::timestamp::parse(text) {
        let again = vhod::esia::timestamp::format(ts, 180);
        assert!(
            vhod::esia::timestamp::parse(&again).is_some(),
            "{text} → {again}"
        );
    }
}

fn validators(text: &str) {
    use std::str::FromStr;
    use vhod::types::validation::{Inn, Kpp, Ogrn, Ogrnip, Passport, Snils};
    if let Ok(s) = Snils::from_str(text) {
        assert!(
            Snils::from_str(&s.to_string()).is_ok(),
            "SNILS round trip: {text}"
        );
    }
    let _ = Inn::from_str(text);
    let _ = Ogrn::from_str(text);
    let _ = Ogrnip::from_str(text);
    let _ = Kpp::from_str(text);
    let parts: Vec<&str> = text.splitn(4, '|').collect();
    if let [a, b, c, d] = parts[..] {
        let _ = Passport::parse(a, b, c, d);
    }
    let _ = vhod::types::Phone::from_str(text);
    let _ = vhod::types::Email::from_str(text);
    if let Ok(c) = vhod::types::Contact::parse(text) {
        let _ = c.masked();
    }
}

fn config(text: &str) {
    if let Ok(table) = text.parse::<toml::Table>() {
        let _ = vhod::config::Config::from_layers(Some(table), std::iter::empty());
    }
    // The same text as environment variables (`VHOD_SECTION__KEY=value` lines).
    let env = text.lines().filter_map(|l| {
        l.split_once('=')
            .map(|(k, v)| (k.to_string(), v.to_string()))
    });
    let _ = vhod::config::Config::from_layers(None, env);
}

fn gost(data: &[u8]) {
    use vhod::crypto::gost::{SigningKey, VerifyingKey};
    let _ = SigningKey::from_pkcs8_der(data);
    let _ = VerifyingKey::from_spki_der(data);
    let text = String::from_utf8_lossy(data);
    let _ = SigningKey::from_pkcs8_pem(&text);
    let _ = VerifyingKey::from_public_key_pem(&text);
    let _ = vhod::crypto::gost::signature_from_cryptopro(data);
    let _ = vhod::crypto::gost::signature_to_cryptopro(data);
    static KEY: OnceLock<VerifyingKey> = OnceLock::new();
    let key = KEY.get_or_init(|| VerifyingKey::from_public_key_pem(gost_cert_pem()).unwrap());
    let _ = key.verify(b"vhod", data);
    if data.len() >= 64 {
        let _ = key.verify(&data[64..], &data[..64]);
    }
}
