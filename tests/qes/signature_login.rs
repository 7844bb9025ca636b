use super::*;

#[tokio::test]
async fn signature_login_refusals_name_the_reason() {
    for backend in backends() {
        let f = setup(&backend).await;
        let person = f.person(SNILS, 15);
        f.bind(&person).await;
        let b = Browser::new(&f.t.base);

        // A signature over some other challenge.
        let res = f
            .signature_login(&b, None, &person, |c| format!("{c}-other"))
            .await;
        refused(res, 401, "Подпись неверна или сделана не для этой строки").await;

        // A challenge used once cannot be used again, even with a correct signature.
        let Landing::Page(200, page) = b.follow("/login/signature").await else {
            panic!("no page");
        };
        let sig = pki::sign(&f.scratch, &person, &field(&page, "challenge"), true);
        let first = b
            .submit(&page, "/login/signature", &[("signature", &sig)])
            .await;
        assert_eq!(location(&first).as_deref(), Some("/account"));
        let again = b
            .submit(&page, "/login/signature", &[("signature", &sig)])
            .await;
        refused(again, 401, "устарела или уже использована").await;

        // Certificate of a CA that is not trusted.
        let stranger = Ca::root("Stranger CA").person(PersonOpts::new(SNILS, 16));
        let res = f.signature_login(&b, None, &stranger, str::to_string).await;
        refused(res, 401, "не аккредитованным удостоверяющим центром").await;

        // Expired certificate.
        let mut opts = PersonOpts::new(SNILS, 17);
        opts.valid = (2021, 2022);
        let res = f
            .signature_login(&b, None, &f.person_with(opts), str::to_string)
            .await;
        refused(res, 401, "Срок действия сертификата истёк").await;

        // Revoked certificate (on the intermediate's CRL).
        let res = f
            .signature_login(&b, None, &f.person(SNILS, 66), str::to_string)
            .await;
        refused(res, 401, "Сертификат отозван").await;

        // A SNILS no account has verified.
        let res = f
            .signature_login(&b, None, &f.person(OTHER_SNILS, 18), str::to_string)
            .await;
        refused(res, 401, "с подтверждённым СНИЛС из сертификата не найдена").await;

        // The right SNILS, but another certificate than the bound one.
        let res = f
            .signature_login(&b, None, &f.person(SNILS, 19), str::to_string)
            .await;
        refused(res, 401, "не привязан к учётной записи").await;

        // Bytes that are no CMS at all.
        let Landing::Page(200, page) = b.follow("/login/signature").await else {
            panic!("no page");
        };
        let res = b
            .submit(
                &page,
                "/login/signature",
                &[("signature", "bm90IGEgc2lnbmF0dXJl")],
            )
            .await;
        refused(res, 401, "Не удалось прочитать подпись").await;

        // And without the CSRF token nothing is checked at all.
        let res = b
            .post(
                "/login/signature",
                &[("challenge", "x"), ("signature", "x")],
            )
            .await;
        assert_eq!(res.status(), 403);
    }
}

#[tokio::test]
async fn a_person_can_sign_from_a_terminal_with_vhod_sign_challenge() {
    for backend in backends() {
        let f = setup(&backend).await;
        let person = f.person(SNILS, 20);
        f.bind(&person).await;
        let b = Browser::new(&f.t.base);
        let Landing::Page(200, page) = b.follow("/login/signature").await else {
            panic!("no page");
        };
        assert!(page.contains("vhod sign-challenge"), "the page explains it");
        let challenge = field(&page, "challenge");
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_vhod"))
            .arg("sign-challenge")
            .arg("--cert")
            .arg(f.scratch.write("cli-cert.pem", &person.cert_pem))
            .arg("--key")
            .arg(f.scratch.write("cli-key.pem", &person.key_pem))
            .arg("--chain")
            .arg(f.scratch.write("cli-chain.pem", &person.chain_pem))
            .arg(&challenge)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let sig = String::from_utf8(out.stdout).unwrap();
        let res = b
            .submit(&page, "/login/signature", &[("signature", sig.trim())])
            .await;
        assert_eq!(location(&res).as_deref(), Some("/account"));
    }
}

/// A multipart/form-data body like a browser sends for the page's form with a chosen file.
pub(crate) fn multipart(fields: &[(String, String)], file: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----vhodTestBoundary7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"signature_file\"; filename=\"challenge.p7s\"\r\nContent-Type: application/pkcs7-signature\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn an_uploaded_der_signature_file_logs_in() {
    use base64::Engine;
    for backend in backends() {
        let f = setup(&backend).await;
        let person = f.person(SNILS, 21);
        f.bind(&person).await;
        let b = Browser::new(&f.t.base);
        let Landing::Page(200, page) = b.follow("/login/signature").await else {
            panic!("no page");
        };
        assert!(page.contains("enctype=\"multipart/form-data\""), "{page}");
        let pem = pki::sign(&f.scratch, &person, &field(&page, "challenge"), true);
        let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        let der = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        let post = |fields: Vec<(String, String)>, file: Vec<u8>| {
            let (ct, body) = multipart(&fields, &file);
            b.http
                .post(format!("{}/login/signature", f.t.base))
                .header("content-type", ct)
                .body(body)
                .send()
        };
        // Without the CSRF token the upload is refused before anything is checked.
        let no_csrf: Vec<(String, String)> = hidden_fields(&page)
            .into_iter()
            .filter(|(n, _)| n != "csrf")
            .collect();
        let res = post(no_csrf, der.clone()).await.unwrap();
        assert_eq!(res.status(), 403);
        let res = post(hidden_fields(&page), der).await.unwrap();
        assert_eq!(location(&res).as_deref(), Some("/account"));
    }
}

#[tokio::test]
async fn a_portal_requiring_high_steps_a_password_session_up_to_a_signature() {
    for backend in backends() {
        let f = setup(&backend).await;
        let (client_id, secret) = f.t.add_client(REDIRECT, false).await;
        let (verifier, challenge) = pkce_pair();
        let url = authorize_url(
            &f.t.base,
            &client_id,
            REDIRECT,
            &[
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
                ("acr_values", vhod::authn::ACR_HIGH),
            ],
        );
        // No certificate bound: the portal is told high cannot be reached for this person.
        let b = f.password_login().await;
        match b.follow(&url).await {
            Landing::Left(back) => assert_eq!(
                query_param(&back, "error").as_deref(),
                Some("unmet_authentication_requirements"),
                "{back}"
            ),
            other => panic!("{other:?}"),
        }
        let person = f.person(SNILS, 21);
        f.bind(&person).await;
        // A password session is stepped up: the signature page within the same transaction.
        let b = f.password_login().await;
        let next = match b.http.get(&url).send().await.unwrap() {
            res if res.status() == 303 => location(&res).unwrap(),
            res => panic!("{}", res.status()),
        };
        assert!(next.starts_with("/login/signature?tx="), "{next}");
        let tx = next.split("tx=").nth(1).unwrap().to_string();
        let res = f
            .signature_login(&b, Some(&tx), &person, str::to_string)
            .await;
        let next = location(&res).expect("redirect after signature login");
        let back = match b.follow(&next).await {
            Landing::Left(url) => url,
            Landing::Page(200, html) if html.contains("name=\"decision\"") => {
                match b
                    .submit_follow(&html, "/consent", &[("decision", "allow")])
                    .await
                {
                    Landing::Left(url) => url,
                    other => panic!("consent did not redirect: {other:?}"),
                }
            }
            other => panic!("no redirect to the portal: {other:?}"),
        };
        let code = query_param(&back, "code").expect("code");
        let (status, tokens) = redeem(&f.t, &client_id, &secret.unwrap(), &code, &verifier).await;
        assert_eq!(status, 200, "{tokens}");
        assert_eq!(id_token_claims(&tokens)["acr"], vhod::authn::ACR_HIGH);
    }
}
