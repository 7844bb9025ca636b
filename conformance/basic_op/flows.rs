use super::*;

// ------------------------------------------------------------------------------------------------
// The whole flow.
// ------------------------------------------------------------------------------------------------

pub(crate) struct Flow {
    pub(crate) journey: Journey,
    pub(crate) tokens: Value,
    /// Verified ID token claims.
    pub(crate) id: Value,
    pub(crate) userinfo: Value,
}

impl Flow {
    pub(crate) fn access_token(&self) -> &str {
        self.tokens["access_token"].as_str().unwrap()
    }

    pub(crate) fn id_token(&self) -> &str {
        self.tokens["id_token"].as_str().unwrap()
    }

    pub(crate) fn sub(&self) -> &str {
        self.id["sub"].as_str().unwrap()
    }

    pub(crate) fn auth_time(&self) -> i64 {
        self.id["auth_time"].as_i64().expect("auth_time")
    }
}

/// After the browser is back: response checks, code exchange, token and ID token checks, and the
/// suite's protected-resource call (userinfo GET).
pub(crate) async fn finish(
    op: &Op,
    client: &StaticClient,
    auth: ClientAuth,
    journey: Journey,
    expect: &Expect,
    extra_token_params: &[(&str, &str)],
) -> Flow {
    let code = check_code_response(op, &journey.callback, expect);
    let tc = redeem_code(op, client, auth, &code, extra_token_params).await;
    check_token_success(op, &tc);
    let tokens = tc.body;
    let access_token = tokens["access_token"].as_str().unwrap();
    let id = check_id_token(
        op,
        client,
        tokens["id_token"].as_str().expect("id_token"),
        expect.nonce.as_deref(),
        Some(access_token),
    );
    let sub = id["sub"].as_str().unwrap();
    let userinfo = check_userinfo(op, access_token, UserinfoCall::Get, sub).await;
    Flow {
        journey,
        tokens,
        id,
        userinfo,
    }
}

/// Authorize (logging in as buffy if asked) and finish with client_secret_basic.
pub(crate) async fn happy_flow(
    op: &Op,
    browser: &Browser,
    client: &StaticClient,
    req: &AuthRequest,
) -> Flow {
    let journey = authorize(op, browser, req).await;
    finish(
        op,
        client,
        ClientAuth::SecretBasic,
        journey,
        &req.expect(),
        &[],
    )
    .await
}

/// A request object carrying every parameter of `req`, plus iss and aud (the suite's
/// ConvertAuthorizationEndpointRequestToRequestObject, AddAudToRequestObject, AddIssToRequestObject,
/// SerializeRequestObjectWithNullAlgorithm).
pub(crate) fn unsigned_request_object(op: &Op, client: &StaticClient, req: &AuthRequest) -> String {
    let mut claims = Map::new();
    for (k, v) in &req.params {
        claims.insert(k.clone(), v.clone().into());
    }
    claims.insert("iss".into(), client.id.clone().into());
    claims.insert("aud".into(), op.issuer().into());
    let payload = josekit::jwt::JwtPayload::from_map(claims).unwrap();
    josekit::jwt::encode_unsecured(&payload, &josekit::jws::JwsHeader::new()).unwrap()
}

/// The query that goes with a request object: only what OIDC Core §6.1 needs outside it
/// (response_type, client_id, scope with openid) plus `redirect_uri`, never state or nonce, so a
/// response echoing those proves the object was processed, not ignored.
pub(crate) fn request_object_query(client: &StaticClient, redirect_uri: &str) -> AuthRequest {
    AuthRequest::new(client)
        .without("state")
        .without("nonce")
        .with("redirect_uri", redirect_uri)
}

/// Serves `body` over http on localhost (http is fetched in dev mode, which the harness runs in,
/// and the harness allows loopback targets); returns its URL.
pub(crate) async fn serve_request_object(body: String) -> String {
    let app = axum::Router::new().route(
        "/request.jwt",
        axum::routing::get(move || async move { body }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://localhost:{port}/request.jwt")
}

// ================================================================================================
// The 38 modules, in the plan's order.
// ================================================================================================
