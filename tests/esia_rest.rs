//! ESIA's REST resources `/rs/prns/{oid}` (issue 13, item 4): a portal with an ESIA access token
//! reads the person and every collection — links followed one by one, or embedded — and sees each
//! member only when the token's scopes for that person allow it; everything else is refused in
//! ESIA's JSON error shape.

mod common;
mod esia_rp;

use common::esia::*;
use common::*;
use serde_json::{Value, json};

#[tokio::test]
async fn the_person_resource_shows_each_member_exactly_when_its_scope_is_granted() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let p = person_with_everything(&t).await;
        let path = format!("/rs/prns/{}", p.oid);
        let cases: [(&[&str], &[&str]); 10] = [
            (&["openid"], &[]),
            (&["fullname"], &["firstName", "lastName", "middleName"]),
            (&["birthdate"], &["birthDate"]),
            (&["gender"], &["gender"]),
            (&["birthplace"], &["birthPlace"]),
            (&["snils"], &["snils"]),
            (&["inn"], &["inn"]),
            (&["id_doc"], &["citizenship", "rIdDoc"]),
            (&["contacts", "vehicles", "kid_fullname"], &[]),
            (&ALL_SCOPES, &PERSON_MEMBERS),
        ];
        for (scopes, members) in cases {
            let token = access_token(&t, p.oid, scopes);
            let (status, body) = rs_get(&t, Some(&token), &path).await;
            assert_eq!(status, 200, "{}: {scopes:?}: {body}", backend.name());
            let mut expected: Vec<&str> = BASE_MEMBERS.to_vec();
            expected.extend(members);
            assert_eq!(
                keys(&body),
                sorted(expected),
                "{}: {scopes:?}",
                backend.name()
            );
        }
        let token = access_token(&t, p.oid, &ALL_SCOPES);
        let (_, person) = rs_get(&t, Some(&token), &path).await;
        assert_eq!(person["stateFacts"], json!(["EntityRoot"]));
        assert_eq!(person["lastName"], "Иванов");
        assert_eq!(person["firstName"], "Иван");
        assert_eq!(person["middleName"], "Иванович");
        assert_eq!(person["birthDate"], "17.05.1990", "dd.MM.yyyy");
        assert_eq!(person["birthPlace"], "г. Тверь");
        assert_eq!(person["gender"], "M");
        assert_eq!(person["snils"], "112-233-445 95");
        assert_eq!(person["inn"], INN);
        assert_eq!(person["citizenship"], "RUS");
        assert_eq!(person["trusted"], true, "a confirmed account is trusted");
        assert_eq!(person["verifying"], false, "no identity check is running");
        assert_eq!(person["status"], "REGISTERED");
        assert!(person["updatedOn"].as_i64().unwrap() > 1_700_000_000);
        let tag = person["eTag"].as_str().unwrap();
        assert!(tag.len() == 40 && tag.chars().all(|c| c.is_ascii_hexdigit()));
        // rIdDoc names the passport's item in /docs.
        let (status, passport) = rs_get(
            &t,
            Some(&token),
            &format!("{path}/docs/{}", person["rIdDoc"]),
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(passport["type"], "RF_PASSPORT");
    }
}

#[tokio::test]
async fn every_collection_lists_links_that_resolve_item_by_item_and_embeds_the_same_objects() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let p = person_with_everything(&t).await;
        let token = access_token(&t, p.oid, &ALL_SCOPES);
        let root = format!("/rs/prns/{}", p.oid);

        let ctts = links_match_embedded(&t, &token, &format!("{root}/ctts")).await;
        assert_eq!(ctts.len(), 2, "{}: {ctts:?}", backend.name());
        assert_eq!(by_type(&ctts, "MBT")[0]["value"], "+7(900)1234567");
        assert_eq!(by_type(&ctts, "EML")[0]["value"], EMAIL);
        assert!(ctts.iter().all(|c| c["vrfStu"] == "VERIFIED"));

        let addrs = links_match_embedded(&t, &token, &format!("{root}/addrs")).await;
        assert_eq!(addrs.len(), 2);
        let prg = by_type(&addrs, "PRG")[0];
        assert_eq!(prg["addressStr"], REGISTRATION_ADDRESS);
        assert_eq!(prg["zipCode"], "170100");
        assert_eq!(by_type(&addrs, "PLV")[0]["addressStr"], RESIDENCE_ADDRESS);

        let docs = links_match_embedded(&t, &token, &format!("{root}/docs")).await;
        let types: Vec<&str> = docs.iter().map(|d| d["type"].as_str().unwrap()).collect();
        assert_eq!(types.len(), 3, "{docs:?}");
        for ty in ["RF_PASSPORT", "RF_DRIVING_LICENSE", "MDCL_PLCY"] {
            assert!(types.contains(&ty), "{ty} in {types:?}");
        }
        let passport = by_type(&docs, "RF_PASSPORT")[0];
        assert_eq!(passport["series"], "2815");
        assert_eq!(passport["number"], "123456");
        assert_eq!(passport["issueDate"], "01.06.2015");
        assert_eq!(passport["issueId"], "690001");
        assert_eq!(passport["vrfStu"], "VERIFIED");
        let licence = by_type(&docs, "RF_DRIVING_LICENSE")[0];
        assert_eq!(licence["series"], "9901");
        assert_eq!(licence["issueDate"], "15.01.2020");
        assert_eq!(licence["expiryDate"], "15.01.2030");
        assert_eq!(by_type(&docs, "MDCL_PLCY")[0]["number"], "7777888899990011");

        let vhls = links_match_embedded(&t, &token, &format!("{root}/vhls")).await;
        assert_eq!(vhls.len(), 2);
        assert_eq!(vhls[0]["numberPlate"], "А123ВС77");
        assert_eq!(
            vhls[0]["regCertificate"],
            json!({"series": "9912", "number": "345678"})
        );
        assert_eq!(vhls[0]["vrfStu"], "VERIFIED");
        assert_eq!(vhls[1]["name"], "КАМАЗ 5490");
        assert_eq!(
            vhls[1]["vrfStu"], "NOT_VERIFIED",
            "a vehicle still under check"
        );

        let kids = links_match_embedded(&t, &token, &format!("{root}/kids")).await;
        assert_eq!(kids.len(), 1);
        assert_eq!(kids[0]["lastName"], "Иванова");
        assert_eq!(kids[0]["firstName"], "Мария");
        assert_eq!(kids[0]["birthDate"], "01.03.2015");
        let kid_docs = format!("{root}/kids/{}/docs", kids[0]["id"]);
        let certs = links_match_embedded(&t, &token, &kid_docs).await;
        assert_eq!(certs.len(), 1);
        assert_eq!(certs[0]["type"], "RF_BRTH_CERT");
        assert_eq!(certs[0]["series"], "IV-МЮ");
        assert_eq!(certs[0]["number"], "654321");
        assert_eq!(certs[0]["vrfStu"], "VERIFIED");
    }
}

#[tokio::test]
async fn the_person_resource_embeds_the_collections_its_scopes_open() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let p = person_with_everything(&t).await;
        let root = format!("/rs/prns/{}", p.oid);
        let embed = "?embed=(contacts.elements,addresses.elements,documents.elements,vehicles.elements,kids.elements)";
        let token = access_token(&t, p.oid, &ALL_SCOPES);
        let (status, person) = rs_get(&t, Some(&token), &format!("{root}{embed}")).await;
        assert_eq!(status, 200, "{}: {person}", backend.name());
        for (member, segment) in [
            ("contacts", "ctts"),
            ("addresses", "addrs"),
            ("documents", "docs"),
            ("vehicles", "vhls"),
            ("kids", "kids"),
        ] {
            let (_, alone) = rs_get(
                &t,
                Some(&token),
                &format!("{root}/{segment}?embed=(elements)"),
            )
            .await;
            assert_eq!(person[member], alone, "{member}");
        }
        let (_, plain) = rs_get(&t, Some(&token), &root).await;
        assert_eq!(
            plain["eTag"], person["eTag"],
            "the root's eTag does not depend on embeds"
        );
        assert!(plain.get("contacts").is_none(), "nothing embedded unasked");
        // Without `.elements` the embedded collection lists links.
        let (_, linked) = rs_get(&t, Some(&token), &format!("{root}?embed=(documents)")).await;
        assert!(linked["documents"]["elements"][0].as_str().is_some());

        let narrow = access_token(&t, p.oid, &["fullname", "email"]);
        let (status, person) = rs_get(&t, Some(&narrow), &format!("{root}{embed}")).await;
        assert_eq!(status, 200);
        let members: Vec<String> = keys(&person)
            .into_iter()
            .filter(|k| {
                ["contacts", "addresses", "documents", "vehicles", "kids"].contains(&k.as_str())
            })
            .collect();
        assert_eq!(members, ["contacts"], "only what the scopes open");
        assert_eq!(person["contacts"]["size"], 1);
        assert_eq!(person["contacts"]["elements"][0]["type"], "EML");
    }
}

#[tokio::test]
async fn narrow_scopes_narrow_each_collection_and_refuse_the_rest() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let p = person_with_everything(&t).await;
        let root = format!("/rs/prns/{}", p.oid);
        let get = |scopes: &'static [&'static str], path: &'static str| {
            let token = access_token(&t, p.oid, scopes);
            let url = format!("{root}{path}");
            let t = &t;
            async move { rs_get(t, Some(&token), &url).await }
        };
        let (status, mobile) = get(&["mobile"][..], "/ctts?embed=(elements)").await;
        assert_eq!(status, 200, "{}", backend.name());
        assert_eq!(mobile["size"], 1);
        assert_eq!(mobile["elements"][0]["type"], "MBT");
        let (status, docs) = get(&["id_doc"][..], "/docs?embed=(elements)").await;
        assert_eq!(status, 200);
        assert_eq!(docs["size"], 1, "{docs}");
        assert_eq!(docs["elements"][0]["type"], "RF_PASSPORT");
        let (status, kids) = get(&["kid_fullname"][..], "/kids?embed=(elements)").await;
        assert_eq!(status, 200);
        assert_eq!(kids["elements"][0]["firstName"], "Мария");
        assert!(
            kids["elements"][0].get("birthDate").is_none(),
            "no kid_birthdate"
        );
        for (scopes, path) in [
            (&["fullname"][..], "/ctts"),
            (&["email"][..], "/addrs"),
            (&["fullname", "snils"][..], "/docs"),
            (&["id_doc"][..], "/vhls"),
            (&["vehicles"][..], "/kids"),
        ] {
            let (status, body) = get(scopes, path).await;
            assert_eq!(status, 403, "{path} with {scopes:?}: {body}");
            assert_eq!(body["code"], "ESIA-005029");
            assert_eq!(body["message"], "SecurityErrorEnum.scopeNotAllowed");
        }
        let kid = kids["elements"][0]["id"].clone();
        let token = access_token(&t, p.oid, &["kid_fullname"]);
        let (status, _) = rs_get(&t, Some(&token), &format!("{root}/kids/{kid}/docs")).await;
        assert_eq!(status, 403, "a child's documents need kid_birth_cert_doc");
        // A licence exists, but a token without drivers_licence_doc cannot read it at its URL.
        let all = access_token(&t, p.oid, &ALL_SCOPES);
        let (_, every) = rs_get(&t, Some(&all), &format!("{root}/docs?embed=(elements)")).await;
        let licence = every["elements"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["type"] == "RF_DRIVING_LICENSE")
            .unwrap()["id"]
            .clone();
        let (status, _) = get(&["id_doc"][..], "").await;
        assert_eq!(status, 200);
        let token = access_token(&t, p.oid, &["id_doc"]);
        let (status, body) = rs_get(&t, Some(&token), &format!("{root}/docs/{licence}")).await;
        assert_eq!(status, 404, "{body}");
    }
}

#[tokio::test]
async fn bad_tokens_other_people_and_unknown_items_are_refused_in_esias_json_shape() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let p = person_with_everything(&t).await;
        let root = format!("/rs/prns/{}", p.oid);
        let invalid = (401, "ESIA-005011".to_string());

        let res = no_redirect_client()
            .get(format!("{}{root}", t.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401, "{}: no token", backend.name());
        assert!(res.headers().get("www-authenticate").is_some());
        assert_eq!(refused(&t, None, &root).await, invalid);
        assert_eq!(refused(&t, Some("not.a.token"), &root).await, invalid);

        let expired = sign(
            &t,
            access_header(),
            access_claims(&t, p.oid, &["fullname"], -10),
        );
        assert_eq!(
            refused(&t, Some(&expired), &root).await,
            (401, "ESIA-005013".into()),
            "expired"
        );

        let token = access_token(&t, p.oid, &["fullname"]);
        let mut widened = access_claims(&t, p.oid, &ALL_SCOPES, 3600);
        widened["exp"] = json!(t.app.clock.now() + 86_400);
        assert_eq!(
            refused(&t, Some(&with_payload(&token, &widened)), &root).await,
            invalid,
            "tampered payload"
        );

        let mut stranger = access_claims(&t, p.oid, &["fullname"], 3600);
        stranger["client_id"] = json!("NEVER_ALLOWED");
        let stranger = sign(&t, access_header(), stranger);
        assert_eq!(
            refused(&t, Some(&stranger), &root).await,
            invalid,
            "no consent"
        );

        let id_header = json!({ "ver": 1, "typ": "JWT", "sbt": "id" });
        let id_token = sign(&t, id_header, access_claims(&t, p.oid, &ALL_SCOPES, 3600));
        assert_eq!(
            refused(&t, Some(&id_token), &root).await,
            invalid,
            "ID token"
        );

        let mut foreign = access_claims(&t, p.oid, &ALL_SCOPES, 3600);
        foreign["iss"] = json!("https://esia.gosuslugi.ru/");
        let foreign = sign(&t, access_header(), foreign);
        assert_eq!(refused(&t, Some(&foreign), &root).await, invalid, "issuer");

        // A real access token of vhod's OpenID Connect surface, for the same person.
        let (client_id, secret) = t.add_client(REDIRECT, false).await;
        let browser = Browser::new(&t.base);
        let (code, verifier) = obtain_code(&t, &browser, &client_id, PHONE).await;
        let (status, tokens) = redeem(&t, &client_id, &secret.unwrap(), &code, &verifier).await;
        assert_eq!(status, 200, "{tokens}");
        let oidc_token = tokens["access_token"].as_str().unwrap();
        assert_eq!(userinfo(&t, oidc_token).await.0, 200, "a valid OIDC token");
        assert_eq!(
            refused(&t, Some(oidc_token), &root).await,
            invalid,
            "OIDC token"
        );

        let scope_missing = (403, "ESIA-005029".to_string());
        let other = t.add_person("+79001234599").await;
        let other_oid = t.app.store.person_oid(&other).await.unwrap();
        let mine = access_token(&t, p.oid, &ALL_SCOPES);
        assert_eq!(
            refused(&t, Some(&mine), &format!("/rs/prns/{other_oid}")).await,
            scope_missing,
            "another person's oid"
        );
        assert_eq!(
            refused(&t, Some(&mine), &format!("/rs/prns/{other_oid}/ctts")).await,
            scope_missing
        );
        assert_eq!(
            refused(&t, Some(&token), &format!("{root}/docs")).await,
            scope_missing,
            "fullname opens no documents"
        );

        let not_found = (404, "VHOD-000404".to_string());
        for path in [
            format!("{root}/docs/1"),
            format!("{root}/ctts/abc"),
            format!("{root}/kids/1/docs"),
            // /orgs is usr_org's collection (esia_orgs_rest.rs); nothing lies below it.
            format!("{root}/orgs/5"),
            "/rs/prns/abc".to_string(),
        ] {
            assert_eq!(refused(&t, Some(&mine), &path).await, not_found, "{path}");
        }
        let gone = access_token(&t, other_oid, &["fullname"]);
        t.app.store.delete_account(&other).await.unwrap();
        assert_eq!(
            refused(&t, Some(&gone), &format!("/rs/prns/{other_oid}")).await,
            not_found,
            "a deleted person"
        );
    }
}

#[tokio::test]
async fn etags_stay_while_the_data_is_unchanged_and_change_with_it() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let p = person_with_everything(&t).await;
        let token = access_token(&t, p.oid, &ALL_SCOPES);
        let root = format!("/rs/prns/{}", p.oid);
        let addrs = format!("{root}/addrs?embed=(elements)");
        let read = |path: String| {
            let (t, token) = (&t, token.clone());
            async move { rs_get(t, Some(&token), &path).await.1 }
        };
        let (person, list) = (read(root.clone()).await, read(addrs.clone()).await);
        assert_eq!(
            read(root.clone()).await["eTag"],
            person["eTag"],
            "{}",
            backend.name()
        );
        assert_eq!(read(addrs.clone()).await, list, "same data, same answer");

        t.app.clock.advance(5);
        t.app
            .store
            .set_address(&p.account, "PLV", "г. Тверь, ул. Новая, д. 9")
            .await
            .unwrap();
        let (person2, list2) = (read(root.clone()).await, read(addrs).await);
        assert_ne!(list2["eTag"], list["eTag"], "the collection changed");
        let tag_of = |l: &Value, ty: &str| {
            l["elements"]
                .as_array()
                .unwrap()
                .iter()
                .find(|a| a["type"] == ty)
                .unwrap()["eTag"]
                .clone()
        };
        assert_eq!(
            tag_of(&list2, "PRG"),
            tag_of(&list, "PRG"),
            "untouched item"
        );
        assert_ne!(tag_of(&list2, "PLV"), tag_of(&list, "PLV"), "changed item");
        assert_ne!(
            person2["eTag"], person["eTag"],
            "the person changed (updatedOn)"
        );
        assert!(person2["updatedOn"].as_i64() > person["updatedOn"].as_i64());
    }
}

#[tokio::test]
async fn an_access_token_signed_with_gost_opens_the_same_resources_as_rs256() {
    use vhod::crypto::keyring::SigningAlg;
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let p = person_with_everything(&t).await;
        let root = format!("/rs/prns/{}?embed=(documents.elements)", p.oid);
        let claims = access_claims(&t, p.oid, &["fullname", "id_doc"], 3600);
        let rsa = sign(&t, access_header(), claims.clone());
        let gost = sign_with(&t, SigningAlg::Gost256, access_header(), claims.clone());
        let header = esia_rp::claims(&gost).0;
        assert_eq!(header["alg"], "GOST3410_2012_256", "{}", backend.name());
        assert!(header.get("kid").is_none());
        let (status, by_gost) = rs_get(&t, Some(&gost), &root).await;
        assert_eq!(status, 200, "{by_gost}");
        assert_eq!(rs_get(&t, Some(&rsa), &root).await.1, by_gost);
        let mut widened = claims;
        widened["scope"] = json!(format!("inn?oid={}", p.oid));
        assert_eq!(
            refused(&t, Some(&with_payload(&gost, &widened)), &root).await,
            (401, "ESIA-005011".to_string()),
            "a tampered GOST token"
        );
    }
}

#[tokio::test]
async fn a_portal_signs_in_through_esia_and_walks_every_resource_with_its_token() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let p = person_with_everything(&t).await;
        let rp = esia_rp::register_rp(&t, "PORTAL_RS", &[]).await;
        let scope = ALL_SCOPES.join(" ");
        let state = esia_rp::new_state();
        let params = rp.ac_params(t.app.clock.now(), &scope, &state, esia_rp::PHP);
        let back =
            esia_rp::sign_in_and_allow(&Browser::new(&t.base), &rp.ac_url(&params), PHONE).await;
        let code = esia_rp::param(&back, "code").unwrap_or_else(|| panic!("{back}"));
        let form = rp.code_form(t.app.clock.now(), &code, &scope, esia_rp::PHP);
        let (status, tokens) = rp.te(&form).await;
        assert_eq!(status, 200, "{}: {tokens}", backend.name());
        let token = tokens["access_token"].as_str().unwrap();
        let oid = esia_rp::claims(token).1["urn:esia:sbj_id"]
            .as_i64()
            .unwrap();
        assert_eq!(oid, p.oid, "the token names the person");

        let root = format!("/rs/prns/{oid}");
        let (status, person) = rs_get(&t, Some(token), &root).await;
        assert_eq!(status, 200, "{person}");
        assert_eq!(person["lastName"], "Иванов");
        assert_eq!(person["snils"], "112-233-445 95");
        let mut sizes = vec![];
        for segment in ["ctts", "addrs", "docs", "vhls", "kids"] {
            let path = format!("{root}/{segment}");
            sizes.push(links_match_embedded(&t, token, &path).await.len());
        }
        assert_eq!(sizes, [2, 2, 3, 2, 1], "every collection, item by item");

        // The person withdraws the portal's permission: its token reads nothing more.
        let account = vhod::types::AccountId::new(p.account.clone());
        vhod::identity::permissions::withdraw(&t.app, &account, "PORTAL_RS")
            .await
            .unwrap();
        assert_eq!(
            refused(&t, Some(token), &format!("{root}/ctts")).await,
            (401, "ESIA-005011".to_string()),
            "a withdrawn permission"
        );
    }
}
