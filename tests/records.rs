//! Records of a standard account (vehicles, INN, children): checked by the registry, and only
//! verified ones reach portals unless a portal asks for unverified data.

mod common;

use common::identity::*;
use common::*;

#[tokio::test]
async fn records_are_checked_and_only_verified_ones_reach_portals() {
    for backend in backends() {
        let t = TestServer::start(&backend).await;
        let (client_id, secret) = t.add_client(REDIRECT, false).await;
        let secret = secret.unwrap();
        let b = signed_in(&t, "+79001112260").await;
        let records = match b.follow("/account/records").await {
            Landing::Page(200, html) => html,
            other => panic!("{other:?}"),
        };
        let vehicle = [
            ("kind", "vehicle"),
            ("name", "Лада Веста"),
            ("plate", "a 123 bc 69"),
            ("reg_cert", "9911223344"),
        ];
        let res = b.submit(&records, "/account/records", &vehicle).await;
        assert_eq!(res.status(), 409, "a simplified account cannot add records");
        assert!(
            res.text()
                .await
                .unwrap()
                .contains("стандартную учётную запись")
        );
        submit_standard(&b, "123456", SNILS).await;
        wait_for(&b, "проверено").await;
        let bad = [
            ("kind", "vehicle"),
            ("name", "Лада"),
            ("plate", "Ж1"),
            ("reg_cert", "1"),
        ];
        let res = b.submit(&records, "/account/records", &bad).await;
        assert_eq!(res.status(), 400);
        assert!(
            res.text()
                .await
                .unwrap()
                .contains("Государственный номер указан неверно")
        );
        let res = b
            .submit(
                &records,
                "/account/records",
                &[("kind", "inn"), ("number", "585204118213")],
            )
            .await;
        assert_eq!(res.status(), 400, "a wrong INN check digit is refused");
        for form in [
            vec![("kind", "inn"), ("number", "585204118212")],
            vehicle.to_vec(),
            vec![
                ("kind", "child"),
                ("surname", "Иванова"),
                ("given_name", "Мария"),
                ("birth_date", "2015-03-08"),
                ("birth_cert", "IV-ОН 123400"),
            ],
        ] {
            let res = b.submit(&records, "/account/records", &form).await;
            assert_eq!(res.status(), 303);
            // One check at a time: wait for this one to end.
            for _ in 0..40 {
                if let Landing::Page(200, html) = b.follow("/account/documents").await
                    && !html.contains("Идёт проверка данных")
                {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(250)).await;
            }
        }
        let html = wait_for(&b, "Сведения не найдены в ведомстве").await;
        assert!(
            html.contains("Лада Веста, А123ВС69 — <b>проверено</b>"),
            "{html}"
        );
        let (verifier, challenge) = pkce_pair();
        let url = authorize_url(
            &t.base,
            &client_id,
            REDIRECT,
            &[
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
                ("scope", "openid vehicles kid_fullname inn"),
            ],
        )
        .replace("scope=openid+profile&", "");
        let back = b.authorize_and_login(&url, "+79001112260", PASSWORD).await;
        let code = query_param(&back, "code").unwrap();
        let (_, tokens) = redeem(&t, &client_id, &secret, &code, &verifier).await;
        let (_, info) = userinfo(&t, tokens["access_token"].as_str().unwrap()).await;
        assert_eq!(info["vehicles"][0]["numberPlate"], "А123ВС69", "{info}");
        assert_eq!(info["inn"], "585204118212");
        assert_eq!(info["vehicles"][0]["vrfStu"], "VERIFIED");

        // A vehicle still under check reaches only a portal that asks for unverified data.
        let res = b
            .submit(
                &records,
                "/account/records",
                &[
                    ("kind", "vehicle"),
                    ("name", "УАЗ"),
                    ("plate", "В777ОР69"),
                    ("reg_cert", "9911223399"),
                ],
            )
            .await;
        assert_eq!(res.status(), 303);
        for unverified in [false, true] {
            let (verifier, challenge) = pkce_pair();
            let claims =
                serde_json::json!({ "userinfo": { "vehicles": { "unverified": unverified } } });
            let url = authorize_url(
                &t.base,
                &client_id,
                REDIRECT,
                &[
                    ("code_challenge", &challenge),
                    ("code_challenge_method", "S256"),
                    ("scope", "openid vehicles"),
                    ("claims", &claims.to_string()),
                ],
            )
            .replace("scope=openid+profile&", "");
            let back = b.authorize_and_login(&url, "+79001112260", PASSWORD).await;
            let code = query_param(&back, "code").unwrap();
            let (_, tokens) = redeem(&t, &client_id, &secret, &code, &verifier).await;
            let (_, info) = userinfo(&t, tokens["access_token"].as_str().unwrap()).await;
            let list = info["vehicles"].as_array().unwrap();
            if unverified {
                assert_eq!(list.len(), 2, "{info}");
                assert_eq!(list[1]["numberPlate"], "В777ОР69");
                assert_eq!(list[1]["vrfStu"], "NOT_VERIFIED");
            } else {
                assert_eq!(list.len(), 1, "{info}");
            }
        }
        assert_eq!(
            info["vehicles"][0]["regCertificate"]["number"],
            "9911223344"
        );
        assert_eq!(
            info["kids"],
            serde_json::json!([]),
            "the rejected child record is not released: {info}"
        );
    }
}
