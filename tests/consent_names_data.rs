//! The consent page names every item of data the portal will receive: for every supported scope
//! and every `claims` member, what the page lists is compared with what userinfo and the ID token
//! actually release for a person who has every kind of data verified.

mod common;
#[path = "common/tokens.rs"]
mod tokens;

use common::*;
use serde_json::Value;
use tokens::*;
use vhod::oidc::claims::{CLAIMS, SCOPES};

/// Claims that describe the authentication itself, not the person's data.
const PROTOCOL: [&str; 10] = [
    "iss",
    "aud",
    "exp",
    "iat",
    "auth_time",
    "nonce",
    "acr",
    "amr",
    "at_hash",
    "sid",
];

/// Released with every token (the openid scope): the identifier and the account level.
const ALWAYS: [&str; 3] = ["sub", "account_level", "account_level_method"];

/// What each scope releases for a person who has everything (kept here, apart from the code's
/// table, so that a release the page does not announce fails this test).
fn expected(scope: &str) -> Vec<&'static str> {
    let v: &[&str] = match scope {
        // This person belongs to no organisation: `organization` releases nothing for them
        // (signing in for one is tested in tests/orgs_oidc.rs).
        "openid" | "offline_access" | "organization" => &[],
        "profile" => &[
            "family_name",
            "given_name",
            "name",
            "updated_at",
            "birthdate",
            "gender",
        ],
        "fullname" => &["family_name", "given_name", "name"],
        "email" => &["email", "email_verified"],
        "phone" | "mobile" => &["phone_number", "phone_number_verified"],
        "contacts" => &[
            "contacts",
            "email",
            "email_verified",
            "phone_number",
            "phone_number_verified",
        ],
        "kid_fullname" | "kid_birthdate" => &["kids"],
        "birthdate"
        | "gender"
        | "snils"
        | "id_doc"
        | "birthplace"
        | "addresses"
        | "drivers_licence_doc"
        | "medical_doc"
        | "vehicles"
        | "inn" => {
            return vec![SCOPES.iter().find(|s| **s == scope).copied().unwrap()];
        }
        other => panic!("scope {other} has no expectation in this test: add it"),
    };
    v.to_vec()
}

/// The words the page must show for a released claim (lower-case).
fn words_for_claim(claim: &str) -> &'static [&'static str] {
    match claim {
        "sub" => &["идентификатор пользователя"],
        "account_level" | "account_level_method" => &["уровень учётной записи", "способ"],
        "family_name" | "given_name" | "middle_name" | "name" => &["фамилия, имя, отчество"],
        "updated_at" => &["дата последнего изменения"],
        "birthdate" => &["дата рождения"],
        "gender" => &["пол"],
        "email" | "email_verified" => &["адрес электронной почты"],
        "phone_number" | "phone_number_verified" => &["номер мобильного телефона"],
        "contacts" => &["контакты"],
        "snils" => &["снилс"],
        "inn" => &["инн"],
        "id_doc" => &["документ, удостоверяющий личность"],
        "birthplace" => &["место рождения"],
        "addresses" => &["адреса регистрации и проживания"],
        "drivers_licence_doc" => &["водительское удостоверение"],
        "medical_doc" => &["полис омс"],
        "vehicles" => &["транспортные средства"],
        "kids" => &["дети"],
        "verified_claims" => &["проверенные по документу"],
        "org" => &["организация"],
        other => panic!("claim {other} has no words in this test: add them"),
    }
}

/// The words the page must show for a member of a structured claim (lower-case); None for the
/// verification flag, which describes the value rather than being data of its own.
fn words_for_member(claim: &str, member: &str) -> Option<&'static [&'static str]> {
    Some(match (claim, member) {
        (_, "vrfStu") => return None,
        ("id_doc", "type") => &["вид"],
        ("id_doc" | "drivers_licence_doc", "series") => &["серия"],
        ("id_doc" | "drivers_licence_doc" | "medical_doc", "number") => &["номер"],
        ("id_doc" | "drivers_licence_doc", "issueDate") => &["дата выдачи"],
        ("id_doc", "issueId") => &["код подразделения"],
        ("id_doc", "country") => &["страна выдачи"],
        ("drivers_licence_doc", "expiryDate") => &["срок действия"],
        ("drivers_licence_doc" | "medical_doc", "type") => return None,
        ("vehicles", "name") => &["марка"],
        ("vehicles", "numberPlate") => &["государственный номер"],
        ("vehicles", "regCertificate") => &["свидетельства о регистрации"],
        ("kids", "lastName" | "firstName") => &["фамилия и имя"],
        ("kids", "birthDate") => &["дата рождения"],
        ("contacts", "type" | "value") => &["телефона", "электронной почты"],
        ("addresses", "type" | "addressStr") => &["адреса"],
        ("verified_claims", "verification") => &["уровень и способ проверки"],
        ("verified_claims", "claims") => &[
            "фамилия, имя, отчество",
            "дата и место рождения",
            "пол",
            "серия, номер, дата выдачи",
        ],
        (c, m) => panic!("member {m} of {c} has no words in this test: add them"),
    })
}

/// Person data released by userinfo and the ID token together: name → value.
async fn released(t: &TestServer, tokens_response: &Value) -> serde_json::Map<String, Value> {
    let (status, mut info) = userinfo(t, tokens_response["access_token"].as_str().unwrap()).await;
    assert_eq!(status, 200, "{info}");
    let id = id_token_claims(tokens_response);
    let mut all = info.as_object_mut().unwrap().clone();
    for (k, v) in id.as_object().unwrap() {
        all.entry(k.clone()).or_insert(v.clone());
    }
    all.retain(|k, _| !PROTOCOL.contains(&k.as_str()));
    all
}

/// Every released claim (and member of a structured one) is named on the page.
fn assert_page_names(page: &str, what: &serde_json::Map<String, Value>, ctx: &str) {
    for (claim, value) in what {
        for w in words_for_claim(claim) {
            assert!(
                page.contains(w),
                "{ctx}: {claim} released, page lacks «{w}»: {page}"
            );
        }
        let members: Vec<&serde_json::Map<String, Value>> = match value {
            Value::Object(o) => vec![o],
            Value::Array(list) => list.iter().filter_map(Value::as_object).collect(),
            _ => vec![],
        };
        for m in members {
            for key in m.keys() {
                for w in words_for_member(claim, key).unwrap_or(&[]) {
                    assert!(
                        page.contains(w),
                        "{ctx}: {claim}.{key} released, page lacks «{w}»: {page}"
                    );
                }
            }
        }
    }
}

#[tokio::test]
async fn the_consent_page_names_everything_every_scope_and_claim_releases() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        person_with_everything(&t, "+79005550077").await;
        let b = signed_in(&t, "+79005550077").await;
        for scope in SCOPES.iter().filter(|s| **s != "openid") {
            let (id, secret) = t.add_client(REDIRECT, false).await;
            let client = (id.as_str(), secret.as_deref().unwrap());
            let scope_param = format!("openid {scope}");
            let (html, verifier) = consent_page(&t, &b, &id, &[("scope", &scope_param)]).await;
            let page = consent_list(&html);
            let tokens = allow_and_redeem(&t, &b, client, &html, &verifier).await;
            let got = released(&t, &tokens).await;
            let mut names: Vec<&str> = got.keys().map(String::as_str).collect();
            names.sort();
            let mut want: Vec<&str> = expected(scope).into_iter().chain(ALWAYS).collect();
            want.sort();
            assert_eq!(
                names,
                want,
                "{}: scope {scope} released {got:?}",
                backend.name()
            );
            let ctx = format!("{}: scope {scope}", backend.name());
            assert_page_names(&page, &got, &ctx);
            if *scope == "offline_access" {
                assert!(page.contains("пока вы его не отзовёте"), "{page}");
            }
            assert!(
                !page.contains("пока вы его не отзовёте") || *scope == "offline_access",
                "{ctx}: {page}"
            );
        }
        for claim in CLAIMS {
            let (id, secret) = t.add_client(REDIRECT, false).await;
            let client = (id.as_str(), secret.as_deref().unwrap());
            let request =
                serde_json::json!({ "userinfo": { claim: null }, "id_token": { claim: null } })
                    .to_string();
            let (html, verifier) = match claim {
                // The openid claims alone need no consent: ask with prompt=consent.
                "sub" | "account_level" | "account_level_method" => {
                    consent_page(
                        &t,
                        &b,
                        &id,
                        &[
                            ("scope", "openid"),
                            ("claims", &request),
                            ("prompt", "consent"),
                        ],
                    )
                    .await
                }
                _ => consent_page(&t, &b, &id, &[("scope", "openid"), ("claims", &request)]).await,
            };
            let page = consent_list(&html);
            let tokens = allow_and_redeem(&t, &b, client, &html, &verifier).await;
            let got = released(&t, &tokens).await;
            // The person has no patronymic and no organisation: nothing to release, but the page
            // still names them.
            assert!(
                got.contains_key(claim) || claim == "middle_name" || claim == "org",
                "{}: claim {claim} not released: {got:?}",
                backend.name()
            );
            for w in words_for_claim(claim) {
                assert!(
                    page.contains(w),
                    "{}: claim {claim}: «{w}» in {page}",
                    backend.name()
                );
            }
            assert_page_names(&page, &got, &format!("{}: claim {claim}", backend.name()));
        }
    }
}

#[tokio::test]
async fn the_consent_page_says_which_data_is_released_unverified() {
    let t = TestServer::start(&Backend::Sqlite).await;
    person_with_everything(&t, "+79005550078").await;
    let b = signed_in(&t, "+79005550078").await;
    let (id, _) = t.add_client(REDIRECT, false).await;
    let request = serde_json::json!({
        "userinfo": { "vehicles": { "unverified": true } },
        "id_token": { "id_doc": { "unverified": true } }
    })
    .to_string();
    let (html, _) = consent_page(
        &t,
        &b,
        &id,
        &[("scope", "openid snils medical_doc"), ("claims", &request)],
    )
    .await;
    let page = consent_list(&html);
    // Whether the page's line naming `item` carries the "not yet checked" mark.
    let marked = |item: &str| {
        html.split("<li>")
            .skip(1)
            .find(|li| li.to_lowercase().contains(item))
            .map(|li| li.contains("ещё не проверенные"))
            .unwrap_or_else(|| panic!("{item} not named: {page}"))
    };
    assert!(marked("транспортные средства"));
    assert!(marked("документ, удостоверяющий личность"));
    assert!(!marked("снилс"), "SNILS is released verified only");
    assert!(!marked("полис омс"), "not asked for unverified");
}

#[tokio::test]
async fn an_unknown_scope_is_refused_with_invalid_scope() {
    let t = TestServer::start(&Backend::Sqlite).await;
    let (id, _) = t.add_client(REDIRECT, false).await;
    t.add_person("scopes@example.org").await;
    let b = signed_in(&t, "scopes@example.org").await;
    let (url, _) = auth_url(&t.base, &id, &[("scope", "openid snils passport_scan")]);
    match b.follow(&url).await {
        Landing::Left(back) => {
            assert!(back.starts_with(REDIRECT), "{back}");
            assert_eq!(
                query_param(&back, "error").as_deref(),
                Some("invalid_scope")
            );
            assert_eq!(query_param(&back, "state").as_deref(), Some("st-1"));
        }
        other => panic!("{other:?}"),
    }
}
