use super::*;

#[tokio::test]
async fn sms_pumping_eight_requests_to_one_number_send_one_sms_on_every_form() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        // Registration.
        let phone = "+79120000001";
        let mut statuses = vec![];
        for _ in 0..8 {
            let (status, _, b) = register(&t, phone).await;
            statuses.push(status);
            if status == 429 {
                let html = page(&b, "/register").await;
                assert!(!html.contains("Код уже отправлен"), "a fresh form is clean");
            }
        }
        assert_eq!(outbox(&t, phone).await.len(), 1, "{}", backend.name());
        assert_eq!(statuses[0], 303);
        assert!(statuses[1..].iter().all(|s| *s == 429), "{statuses:?}");
        let b = Browser::new(&t.base);
        let form = page(&b, "/register").await;
        let res = b
            .submit(
                &form,
                "/register",
                &[("surname", "Сидоров"), ("name", "Пётр"), ("contact", phone)],
            )
            .await;
        let html = res.text().await.unwrap();
        assert!(
            html.contains("Код уже отправлен. Повторно отправить можно через"),
            "{html}"
        );
        assert!(html.contains(" с."), "the wait in seconds: {html}");

        // Recovery.
        let person = "+79120000002";
        t.add_person(person).await;
        let mut sent = 0;
        for i in 0..8 {
            let (status, loc, html, _) = start_recovery(&t, person).await;
            if i == 0 {
                assert_eq!(status, 303);
                assert!(loc.unwrap().starts_with("/recover/code"));
                sent += 1;
            } else {
                assert_eq!(status, 429);
                assert!(html.contains("Код уже отправлен"), "{html}");
            }
        }
        assert_eq!(outbox(&t, person).await.len(), sent);

        // Contact change.
        let owner = "+79120000003";
        t.add_person(owner).await;
        let b = fresh_signed_in(&t.base, owner).await;
        let new_phone = "+79120000004";
        for i in 0..8 {
            let form = page(&b, "/account/contacts").await;
            let res = b
                .submit(&form, "/account/contacts", &[("contact", new_phone)])
                .await;
            let status = res.status().as_u16();
            let html = res.text().await.unwrap();
            if i == 0 {
                assert_eq!(status, 200, "{html}");
            } else {
                assert_eq!(status, 429, "{html}");
                assert!(html.contains("Код уже отправлен"));
            }
        }
        assert_eq!(outbox(&t, new_phone).await.len(), 1, "{}", backend.name());
    }
}

#[tokio::test]
async fn sms_pumping_one_address_cannot_send_codes_to_many_numbers() {
    for backend in backends() {
        let mut config = test_config(&backend);
        config.codes.per_ip_hour = 3;
        let t = TestServer::start_with(&backend, config).await;
        for i in 0..6 {
            let phone = format!("+7912000010{i}");
            let (status, _, _) = register(&t, &phone).await;
            let expected = if i < 3 { 303 } else { 429 };
            assert_eq!(status, expected, "number {i}, {}", backend.name());
            assert_eq!(outbox(&t, &phone).await.len(), usize::from(i < 3));
        }
        let (status, _, html, _) = start_recovery(&t, "+79120000199").await;
        assert_eq!(status, 429, "the cap covers every form");
        assert!(html.contains("Слишком много кодов"), "{html}");
    }
}

#[tokio::test]
async fn sms_pumping_the_global_budget_stops_sending_and_raises_one_alarm() {
    for backend in backends() {
        let mut config = test_config(&backend);
        config.codes.global_per_hour = 2;
        let t = TestServer::start_with(&backend, config).await;
        let since = t.app.clock.now() - 1;
        for i in 0..5 {
            let phone = format!("+7912000020{i}");
            let (status, _, _) = register(&t, &phone).await;
            assert_eq!(status, if i < 2 { 303 } else { 429 }, "{i}");
        }
        let mut sent = 0;
        for i in 0..5 {
            sent += outbox(&t, &format!("+7912000020{i}")).await.len();
        }
        assert_eq!(sent, 2, "{}", backend.name());
        let alarms = t
            .app
            .store
            .audit_since(since)
            .await
            .unwrap()
            .into_iter()
            .filter(|a| a.action == "codes.budget_exceeded")
            .count();
        assert_eq!(alarms, 1, "one alarm per hour, not one per refusal");
    }
}

/// The page with the per-request values (ids, csrf, masked contact) taken out.
pub(crate) fn shape(html: &str, masked: &str) -> String {
    html.replace(masked, "MASKED")
        .lines()
        // The switcher's way back names the registration id too.
        .filter(|l| {
            !l.contains("name=\"csrf\"") && !l.contains("name=\"reg\"") && !l.contains("/lang?to=")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn registration_does_not_tell_whether_a_phone_or_email_is_registered() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        t.add_person("+79120000301").await;
        t.add_person("owner@example.org").await;
        for (taken, free, masked_taken, masked_free) in [
            (
                "+79120000301",
                "+79120000302",
                "+7 (912) ***-**-01",
                "+7 (912) ***-**-02",
            ),
            (
                "owner@example.org",
                "nobody@example.org",
                "o***@example.org",
                "n***@example.org",
            ),
        ] {
            let (s1, l1, b1) = register(&t, taken).await;
            let (s2, l2, b2) = register(&t, free).await;
            assert_eq!((s1, s2), (303, 303), "{taken}: same status");
            let (l1, l2) = (l1.unwrap(), l2.unwrap());
            let path = |l: &str| l.split('?').next().unwrap().to_string();
            assert_eq!(path(&l1), path(&l2));
            assert_eq!(path(&l1), "/register/confirm");
            let p1 = page(&b1, &l1).await;
            let p2 = page(&b2, &l2).await;
            assert_eq!(shape(&p1, masked_taken), shape(&p2, masked_free));

            // One message each; the owner is told, the newcomer gets the code or link.
            let to_owner = outbox(&t, taken).await;
            let to_new = outbox(&t, free).await;
            assert_eq!((to_owner.len(), to_new.len()), (1, 1), "{taken}");
            let notice = to_owner[0]["body"].as_str().unwrap();
            assert!(
                notice.contains("Кто-то пытался зарегистрироваться"),
                "{notice}"
            );
            assert!(notice.contains("войдите или восстановите пароль"));
            assert!(
                !notice.contains("/register/verify"),
                "no link for a taken one"
            );
            if taken.contains('@') {
                assert!(
                    to_new[0]["body"]
                        .as_str()
                        .unwrap()
                        .contains("/register/verify")
                );
            } else {
                assert!(code_in(&to_new[0]).is_some());
                assert!(code_in(&to_owner[0]).is_none(), "no code for a taken one");
                // The code step never succeeds for the taken number, and fails the same way.
                let r1 = b1
                    .submit(&p1, "/register/confirm", &[("code", "123456")])
                    .await;
                let wrong = if code_in(&to_new[0]).unwrap() == "123456" {
                    "654321"
                } else {
                    "123456"
                };
                let r2 = b2
                    .submit(&p2, "/register/confirm", &[("code", wrong)])
                    .await;
                assert_eq!(
                    (r1.status(), r2.status()),
                    (400.try_into().unwrap(), 400.try_into().unwrap())
                );
                assert_eq!(
                    shape(&r1.text().await.unwrap(), masked_taken),
                    shape(&r2.text().await.unwrap(), masked_free)
                );
            }
        }
        assert_eq!(t.app.store.count_accounts().await.unwrap(), 2);
    }
}

/// Fires `n` wrong codes at once at `action` with `fields`; returns the statuses.
pub(crate) async fn parallel_wrong(
    b: &Browser,
    html: &str,
    action: &str,
    wrong: &str,
    n: usize,
) -> Vec<u16> {
    let mut form: Vec<(String, String)> = hidden_fields(html);
    form.retain(|(k, _)| k != "code");
    form.push(("code".into(), wrong.into()));
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let http = b.http.clone();
            let url = format!("{}{action}", b.base);
            let form = form.clone();
            tokio::spawn(async move {
                http.post(url)
                    .form(&form)
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            })
        })
        .collect();
    let mut out = vec![];
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

pub(crate) fn other_than(code: &str) -> &'static str {
    if code == "000000" { "111111" } else { "000000" }
}

#[tokio::test]
async fn parallel_wrong_codes_cannot_exceed_the_attempt_limit_on_any_form() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        // Registration: 4 wrong answers, then the limit; the right code is refused afterwards.
        let phone = "+79120000401";
        let (_, loc, b) = register(&t, phone).await;
        let confirm = page(&b, &loc.unwrap()).await;
        let code = code_in(&outbox(&t, phone).await[0]).unwrap();
        let statuses =
            parallel_wrong(&b, &confirm, "/register/confirm", other_than(&code), 20).await;
        let counted = statuses.iter().filter(|s| **s == 400).count();
        assert!(counted <= 4, "{}: {statuses:?}", backend.name());
        let res = b
            .submit(&confirm, "/register/confirm", &[("code", &code)])
            .await;
        assert_eq!(res.status(), 429, "the registration code is burnt");

        // Recovery.
        let person = "+79120000402";
        t.add_person(person).await;
        let (_, loc, _, b) = start_recovery(&t, person).await;
        let code_page = page(&b, &loc.unwrap()).await;
        let code = code_in(&outbox(&t, person).await[0]).unwrap();
        parallel_wrong(&b, &code_page, "/recover/code", other_than(&code), 20).await;
        let res = b
            .submit(&code_page, "/recover/code", &[("code", &code)])
            .await;
        assert!(location(&res).is_none(), "{}", backend.name());
        assert!(
            res.text()
                .await
                .unwrap()
                .contains("Слишком много неверных попыток")
        );

        // Contact change.
        let owner = "+79120000403";
        t.add_person(owner).await;
        let b = fresh_signed_in(&t.base, owner).await;
        let form = page(&b, "/account/contacts").await;
        let res = b
            .submit(&form, "/account/contacts", &[("contact", "+79120000404")])
            .await;
        let waiting = res.text().await.unwrap();
        let code = code_in(&outbox(&t, "+79120000404").await[0]).unwrap();
        parallel_wrong(
            &b,
            &waiting,
            "/account/contacts/confirm",
            other_than(&code),
            20,
        )
        .await;
        let res = b
            .submit(&waiting, "/account/contacts/confirm", &[("code", &code)])
            .await;
        assert_eq!(res.status(), 400, "{}", backend.name());
        assert_eq!(
            fresh_login_location(&t.base, "+79120000404", PASSWORD)
                .await
                .0,
            401
        );
    }
}
