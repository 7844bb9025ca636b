use super::*;

/// 1. OP-Response-code: the whole happy code flow.
#[tokio::test]
async fn oidcc_server() {
    for backend in backends() {
        let op = Op::start(&backend).await;
        let browser = Browser::new(&op.t.base);
        let flow = happy_flow(&op, &browser, &op.client, &AuthRequest::new(&op.client)).await;
        assert!(flow.journey.login_shown, "a fresh browser must log in");
        // The suite warns if name is in the ID token for scope=openid: it belongs to userinfo.
        assert!(flow.id.get("name").is_none(), "name in the ID token");
        assert!(
            flow.id.get("at_hash").is_some(),
            "vhod always sends at_hash"
        );
    }
}

/// 2. OP-Response-Missing: no response_type → invalid_request / unsupported_response_type at the
/// redirect URI, or an error page; never a code.
#[tokio::test]
async fn oidcc_response_type_missing() {
    for backend in backends() {
        let op = Op::start(&backend).await;
        let req = AuthRequest::new(&op.client).without("response_type");
        let res = Browser::new(&op.t.base).get(&req.url(&op.t.base)).await;
        match location(&res) {
            Some(callback) => {
                check_error_response(
                    &op,
                    &callback,
                    &req.expect(),
                    &["invalid_request", "unsupported_response_type"],
                );
            }
            None => {
                assert_eq!(res.status(), 400, "{}", op.backend());
                assert!(
                    res.headers()["content-type"]
                        .to_str()
                        .unwrap()
                        .starts_with("text/html")
                );
            }
        }
    }
}

/// 3. OP-IDToken-Signature / OP-IDToken-kid: no alg asked → RS256 with a kid.
#[tokio::test]
async fn oidcc_idtoken_signature() {
    for backend in backends() {
        let op = Op::start(&backend).await;
        let browser = Browser::new(&op.t.base);
        let flow = happy_flow(&op, &browser, &op.client, &AuthRequest::new(&op.client)).await;
        let header = jwt_part(flow.id_token(), 0);
        assert_eq!(header["alg"], "RS256", "{}", op.backend());
        let kid = header["kid"].as_str().expect("kid");
        let key = op.jwks["keys"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["kid"] == kid)
            .expect("the kid names a key in jwks_uri");
        assert_eq!(key["kty"], "RSA");
    }
}

/// 4. OP-IDToken-none: only for dynamically registered clients, and only when discovery lists
/// `none`. vhod has no dynamic registration and never signs with `none`, so the module is not
/// applicable; what we can check is that discovery does not advertise it.
#[tokio::test]
async fn oidcc_idtoken_unsigned() {
    let op = Op::start(&Backend::Sqlite).await;
    let algs = op.discovery["id_token_signing_alg_values_supported"]
        .as_array()
        .expect("id_token_signing_alg_values_supported");
    assert!(!algs.iter().any(|a| a == "none"), "{algs:?}");
    assert!(op.discovery.get("registration_endpoint").is_none());
}

/// The userinfo modules ask for profile and email so the standard-claim checks have claims to check.
pub(crate) async fn userinfo_module(how: UserinfoCall) {
    for backend in backends() {
        let op = Op::start(&backend).await;
        let browser = Browser::new(&op.t.base);
        let req = AuthRequest::new(&op.client).with("scope", "openid profile email");
        let flow = happy_flow(&op, &browser, &op.client, &req).await;
        let info = check_userinfo(&op, flow.access_token(), how, flow.sub()).await;
        assert_eq!(info["email"], BUFFY, "{}", op.backend());
        assert!(info["updated_at"].is_i64(), "EnsureUserInfoUpdatedAtValid");
        assert_eq!(info, flow.userinfo, "same answer as GET");
    }
}

/// 5. OP-UserInfo-Endpoint: GET with a Bearer header.
#[tokio::test]
async fn oidcc_userinfo_get() {
    userinfo_module(UserinfoCall::Get).await;
}

/// 6. OP-UserInfo-Header: POST with a Bearer header.
#[tokio::test]
async fn oidcc_userinfo_post_header() {
    userinfo_module(UserinfoCall::PostHeader).await;
}

/// 7. OP-UserInfo-Body: POST with the token in the form body (a WARNING in the suite; must work).
#[tokio::test]
async fn oidcc_userinfo_post_body() {
    userinfo_module(UserinfoCall::PostBody).await;
}

/// 8. OP-nonce-NoReq-code: the code flow works without a nonce (and the ID token has none).
#[tokio::test]
async fn oidcc_ensure_request_without_nonce_succeeds_for_code_flow() {
    for backend in backends() {
        let op = Op::start(&backend).await;
        let browser = Browser::new(&op.t.base);
        let req = AuthRequest::new(&op.client).without("nonce");
        let flow = happy_flow(&op, &browser, &op.client, &req).await;
        assert!(flow.id.get("nonce").is_none());
    }
}

/// The scope modules: flow with `scope`, then the claims those scopes release must be in userinfo
/// (VerifyScopesReturnedInUserInfoClaims is a WARNING in the suite; strict here).
pub(crate) async fn scope_flow(op: &Op, login: &str, scope: &str) -> Value {
    let browser = Browser::new(&op.t.base);
    let req = AuthRequest::new(&op.client).with("scope", scope);
    let journey = authorize_as(&browser, &op.t.base, &req, login).await;
    assert!(journey.consent_shown, "scopes beyond openid need consent");
    let flow = finish(
        op,
        &op.client,
        ClientAuth::SecretBasic,
        journey,
        &req.expect(),
        &[],
    )
    .await;
    flow.userinfo
}

pub(crate) fn assert_claims(info: &Value, names: &[&str], ctx: &str) {
    for name in names {
        assert!(
            info.get(*name).is_some(),
            "{ctx}: {name} missing from {info}"
        );
    }
}

pub(crate) const PROFILE_CLAIMS: [&str; 4] = ["name", "family_name", "given_name", "updated_at"];

/// 9. OP-scope-profile.
#[tokio::test]
async fn oidcc_scope_profile() {
    for backend in backends() {
        let op = Op::start(&backend).await;
        assert!(op.advertises("scopes_supported", "profile"));
        let info = scope_flow(&op, BUFFY, "openid profile").await;
        assert_claims(&info, &PROFILE_CLAIMS, op.backend());
        assert!(info.get("email").is_none(), "email scope not asked");
    }
}

/// 10. OP-scope-email.
#[tokio::test]
async fn oidcc_scope_email() {
    for backend in backends() {
        let op = Op::start(&backend).await;
        assert!(op.advertises("scopes_supported", "email"));
        let info = scope_flow(&op, BUFFY, "openid email").await;
        assert_eq!(info["email"], BUFFY, "{}", op.backend());
        assert_eq!(info["email_verified"], true);
        assert!(info.get("family_name").is_none(), "profile scope not asked");
    }
}

/// 11. OP-scope-address. The suite skips the module when scopes_supported lacks `address`
/// (OIDCCCheckScopesSupportedContainScopeTest); vhod keeps no OIDC postal address, so that is the
/// expected outcome. Beyond the skip: asking for it anyway is refused with invalid_scope (RFC 6749
/// §4.1.2.1: "unknown"), back to the client with state and iss, so no consent page can miss a scope.
#[tokio::test]
async fn oidcc_scope_address() {
    for backend in backends() {
        let op = Op::start(&backend).await;
        assert!(
            !op.advertises("scopes_supported", "address"),
            "address is advertised: this test must then check the address claim"
        );
        let browser = Browser::new(&op.t.base);
        let req = AuthRequest::new(&op.client).with("scope", "openid address");
        let callback = match browser.follow(&req.url(&op.t.base)).await {
            Landing::Left(url) => url,
            other => panic!("{}: {other:?}", op.backend()),
        };
        check_error_response(&op, &callback, &req.expect(), &["invalid_scope"]);
    }
}

/// 12. OP-scope-phone (a person registered with a phone number).
#[tokio::test]
async fn oidcc_scope_phone() {
    for backend in backends() {
        let op = Op::start(&backend).await;
        op.t.add_person(PHONE_PERSON).await;
        assert!(op.advertises("scopes_supported", "phone"));
        let info = scope_flow(&op, PHONE_PERSON, "openid phone").await;
        assert_eq!(info["phone_number"], PHONE_PERSON, "{}", op.backend());
        assert_eq!(info["phone_number_verified"], true);
    }
}

/// 13. OP-scope-All: address, email, phone and profile at once. The suite skips it because
/// `address` is not advertised (see 11, which also shows `address` refused with invalid_scope);
/// the supported ones together release every supported scope's claims the person has (a person
/// has one contact: e-mail or phone, so both kinds are tried).
#[tokio::test]
async fn oidcc_scope_all() {
    for backend in backends() {
        let op = Op::start(&backend).await;
        assert!(!op.advertises("scopes_supported", "address"));
        op.t.add_person(PHONE_PERSON).await;
        let all = "openid email phone profile";
        let by_email = scope_flow(&op, BUFFY, all).await;
        assert_claims(&by_email, &PROFILE_CLAIMS, op.backend());
        assert_claims(&by_email, &["email", "email_verified"], op.backend());
        let by_phone = scope_flow(&op, PHONE_PERSON, all).await;
        assert_claims(&by_phone, &PROFILE_CLAIMS, op.backend());
        assert_claims(
            &by_phone,
            &["phone_number", "phone_number_verified"],
            op.backend(),
        );
    }
}

/// 14. Alternate happy flow: scope values reversed and the query in another order.
#[tokio::test]
async fn oidcc_alternate_happy_flow() {
    for backend in backends() {
        let op = Op::start(&backend).await;
        let browser = Browser::new(&op.t.base);
        let mut req = AuthRequest::new(&op.client).with("scope", "email profile openid");
        req.params.reverse();
        assert_eq!(req.params[0].0, "nonce");
        let flow = happy_flow(&op, &browser, &op.client, &req).await;
        assert_claims(&flow.userinfo, &["email", "name"], op.backend());
    }
}
