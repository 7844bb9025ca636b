//! The one router that lists every route of every surface.

use super::AppState;
use crate::{admin, demo, esia, oidc, web};
use axum::Router;
use axum::routing::{delete, get, post};

pub fn router(state: AppState) -> Router {
    use oidc::body_limit::{PAGES, SMALL, WITH_REQUEST_OBJECT, limited};
    let mut r = Router::new()
        .route("/", get(web::pages::home))
        .route("/jwks/gost", get(oidc::discovery::gost_jwks))
        .route("/keys/{name}", get(oidc::discovery::certificate))
        .route(
            "/authorize",
            limited(
                get(oidc::authorize::authorize_get).post(oidc::authorize::authorize_post),
                WITH_REQUEST_OBJECT,
            ),
        )
        .route("/authorize/continue", get(oidc::authorize::resume))
        .route("/consent", post(oidc::consent::decide))
        .route(
            "/session/end",
            limited(
                get(oidc::logout::end_session_get).post(oidc::logout::end_session_post),
                SMALL,
            ),
        )
        .route("/session/end/confirm", post(oidc::logout::confirm))
        .route(
            "/account/sessions/end-all",
            post(web::pages::end_all_sessions),
        )
        .route(
            "/device",
            get(oidc::device_page::page).post(oidc::device_page::submit),
        )
        .route("/device/continue", get(oidc::device_page::resume))
        .route("/device/decide", post(oidc::device_page::decide))
        .route("/ciba", get(oidc::ciba_page::page))
        .route("/ciba/continue", get(oidc::ciba_page::resume))
        .route("/ciba/decide", post(oidc::ciba_page::decide))
        .route("/login", get(web::login::page).post(web::login::submit))
        .route(
            "/login/second-factor",
            get(web::second_factor::page).post(web::second_factor::submit),
        )
        .route(
            "/login/second-factor/send",
            post(web::second_factor::resend),
        )
        .route(
            "/logout",
            get(web::login::logout_page).post(web::login::logout),
        )
        .route(
            "/register",
            get(web::register::page).post(web::register::submit),
        )
        .route(
            "/register/confirm",
            get(web::register::confirm_form).post(web::register::confirm),
        )
        .route("/register/verify", get(web::register::verify_link))
        .route(
            "/register/password",
            get(web::register::password_page).post(web::register::set_password),
        )
        .route(
            "/recover",
            get(web::recover::start_page).post(web::recover::start),
        )
        .route(
            "/recover/code",
            get(web::recover::code_page).post(web::recover::code),
        )
        .route("/recover/link", get(web::recover::link))
        .route(
            "/recover/second",
            get(web::recover::second_form).post(web::recover::second),
        )
        .route("/recover/second/send", post(web::recover::second_send))
        .route(
            "/recover/password",
            get(web::recover::password_page).post(web::recover::set_password),
        )
        .route("/account", get(web::pages::account))
        .route("/account/passkeys", get(web::passkeys::page))
        .route(
            "/account/passkeys/register/start",
            post(web::passkeys::enrol_start),
        )
        .route(
            "/account/passkeys/register/finish",
            post(web::passkeys::enrol_finish),
        )
        .route("/account/passkeys/rename", post(web::passkeys::rename))
        .route("/account/passkeys/remove", post(web::passkeys::remove))
        .route("/login/passkey/start", post(web::passkey_login::start))
        .route("/login/passkey/finish", post(web::passkey_login::finish))
        .route("/static/passkeys.js", get(web::passkeys::script))
        .route("/login/qr", get(web::qr_login::page))
        .route("/login/qr/status", get(web::qr_login::status))
        .route("/login/qr/finish", post(web::qr_login::finish))
        .route("/static/qr.js", get(web::qr_login::script))
        .route("/qr", get(web::qr_approve::page))
        .route("/qr/approve", post(web::qr_approve::approve))
        .route(
            "/qr/approve/passkey",
            post(web::qr_approve::approve_passkey),
        )
        .route("/qr/deny", post(web::qr_approve::deny))
        .route("/qr/done", get(web::qr_approve::done))
        .route(
            "/login/signature",
            get(web::qes::page).post(web::qes::submit),
        )
        .route("/account/signature", get(web::signature::page))
        .route("/account/signature/bind", post(web::signature::bind))
        .route("/account/signature/confirm", post(web::signature::confirm))
        .route("/account/signature/remove", post(web::signature::remove))
        .route("/account/documents", get(web::identity::documents))
        .route(
            "/account/standard",
            get(web::identity::standard_form).post(web::identity::standard_submit),
        )
        .route("/account/letter", post(web::identity::order_letter))
        .route(
            "/account/records",
            get(web::records::page).post(web::records::submit),
        )
        .route("/account/bank/start", post(web::bank::start))
        .route("/account/bank/callback", get(web::bank::callback))
        .route(
            "/account/contacts",
            get(web::contacts::page).post(web::contacts::start),
        )
        .route("/account/contacts/confirm", post(web::contacts::confirm))
        .route("/account/addresses", post(web::contacts::save_addresses))
        .route(
            "/org-choice",
            get(web::org_choice::page).post(web::org_choice::choose),
        )
        .route("/account/orgs", get(web::orgs::list))
        .route("/account/orgs/new", get(web::orgs::add))
        .route("/account/orgs/new/legal", post(web::orgs::create_legal))
        .route("/account/orgs/new/sole", post(web::orgs::create_sole))
        .route(
            "/account/orgs/invitations/{action}",
            post(web::orgs::invitation),
        )
        .route("/account/orgs/{oid}", get(web::orgs::card))
        .route("/account/orgs/{oid}/{action}", post(web::orgs::act))
        .route("/account/permissions", get(web::permissions::page))
        .route(
            "/account/permissions/revoke",
            post(web::permissions::revoke),
        )
        .route(
            "/account/delete",
            get(web::deletion::delete_form).post(web::deletion::delete_account),
        )
        .route(
            "/account/letter/code",
            post(web::identity::enter_letter_code),
        )
        .route("/account/security", get(web::security::page))
        .route(
            "/account/security/totp/start",
            post(web::security::totp_start),
        )
        .route(
            "/account/security/totp/confirm",
            post(web::security::totp_confirm),
        )
        .route(
            "/account/security/totp/remove",
            post(web::security::totp_remove),
        )
        .route("/account/time-zone", post(web::pages::set_time_zone))
        .route(
            "/account/security/recovery/new",
            post(web::security::recovery_renew),
        )
        .route(
            "/account/security/sms/start",
            post(web::security::sms_start),
        )
        .route(
            "/account/security/sms/confirm",
            post(web::security::sms_confirm),
        )
        .route("/account/security/sms/off", post(web::security::sms_off))
        .route(
            "/account/security/sessions/end",
            post(web::security_activity::end_one),
        )
        .route(
            "/account/security/sessions/end-others",
            post(web::security_activity::end_others),
        )
        .route(
            "/account/security/channel",
            post(web::security_activity::set_channel),
        )
        .route(
            "/account/security/alerts",
            post(web::security_activity::set_alerts),
        )
        .route("/static/vhod.css", get(web::pages::stylesheet))
        .route("/static/pow.js", get(web::assets::pow_script))
        .route("/static/ui.js", get(web::assets::ui_script))
        .route("/static/favicon.svg", get(web::assets::favicon))
        .route("/favicon.ico", get(web::assets::favicon))
        .route("/lang", get(web::chrome::switch));
    let config = state.oidc.config.clone();
    r = if config.server.admin_bind.is_empty() {
        r.merge(super::ops::routes())
    } else {
        r.route("/healthz", get(super::ops::healthz))
    };
    if config.dev.enabled {
        r = r.route("/dev/outbox", get(web::pages::outbox));
    }
    if state.oidc.demo_enabled() {
        r = r
            .route("/demo", get(demo::page))
            .route("/demo/start", get(demo::start))
            .route("/demo/callback", get(demo::callback))
            .route("/demo/b2b", get(demo::b2b::page))
            .route("/demo/b2b/start", get(demo::b2b::start))
            .route("/demo/b2b/callback", get(demo::b2b::callback))
            .route("/demo/b2b/logout", get(demo::b2b::logout))
            .route("/demo/b2b/esia/start", get(demo::b2b_esia::start))
            .route("/demo/b2b/esia/callback", get(demo::b2b_esia::callback))
            .route("/demo/b2b/esia/logout", get(demo::b2b_esia::logout));
    }
    let pages = r
        .merge(admin_routes())
        .merge(esia::routes())
        .fallback(super::fallback::not_found)
        .method_not_allowed_fallback(super::fallback::method_not_allowed)
        // The pages' chrome (brand, the language switcher's way back, «Вы вошли как …») and the
        // request's memory of its signed-in person: not for the protocol endpoints merged below,
        // whose callers are programs.
        .layer(axum::middleware::from_fn_with_state(
            web::chrome::Chrome::new(state.oidc.ctx.clone()),
            web::chrome::layer,
        ));
    pages
        .merge(protocol_routes())
        // One layer made of the whole stack, outermost first: `Router::layer` boxes what it
        // wraps, and a request clones every boxed level below the one it enters — six layers
        // added one by one were some 60 allocations a request before any handler ran.
        .layer(
            tower::ServiceBuilder::new()
                // Everything below, the throttle's refusals included, runs as one request id.
                .layer(axum::middleware::from_fn_with_state(
                    web::client_ip::TrustedProxies::from_config(&config.server.trusted_proxies),
                    super::request_id::layer,
                ))
                .layer(axum::middleware::from_fn(super::observe::layer))
                .layer(web::headers::Policy::from_config(&config))
                .layer(web::throttle::Limit::new(&config))
                .layer(axum::extract::DefaultBodyLimit::max(PAGES)),
        )
        .with_state(state)
}

/// The OpenID endpoints whose callers are programs (`server::fallback`'s protocol addresses):
/// JSON in and out, no page chrome; a method they do not take is answered in OAuth JSON.
fn protocol_routes() -> Router<AppState> {
    use oidc::body_limit::{SMALL, WITH_REQUEST_OBJECT, limited};
    Router::new()
        .route(
            "/.well-known/openid-configuration",
            get(oidc::discovery::discovery),
        )
        .route("/jwks", get(oidc::discovery::jwks))
        .route("/token", limited(post(oidc::token::token), SMALL))
        .route("/par", limited(post(oidc::par::push), WITH_REQUEST_OBJECT))
        .route(
            "/device_authorization",
            limited(post(oidc::device::device_authorization), SMALL),
        )
        .route(
            "/bc-authorize",
            limited(post(oidc::ciba::bc_authorize), WITH_REQUEST_OBJECT),
        )
        .route(
            "/introspect",
            limited(post(oidc::introspect::introspect), SMALL),
        )
        .route("/revoke", limited(post(oidc::introspect::revoke), SMALL))
        .route(
            "/userinfo",
            limited(
                get(oidc::userinfo::userinfo_get).post(oidc::userinfo::userinfo_post),
                SMALL,
            ),
        )
        .method_not_allowed_fallback(super::fallback::method_not_allowed)
}

/// The admin address's router (`server.admin_bind`): metrics and health only.
pub fn ops_router(state: AppState) -> Router {
    super::ops::routes()
        .layer(axum::middleware::from_fn(super::observe::layer))
        .with_state(state)
}

fn admin_routes() -> Router<AppState> {
    use admin::{console, console_clients, console_esia, console_oidc, handlers};
    Router::new()
        .route("/admin/api/openapi.json", get(admin::openapi))
        .route("/admin/console", get(console::page))
        .route("/admin/console/login", post(console::login))
        .route("/admin/console/signin", get(console_oidc::signin))
        .route("/admin/console/callback", get(console_oidc::callback))
        .route("/admin/console/logout", post(console::logout))
        .route("/admin/console/action", post(console::action))
        .route(
            "/admin/console/clients",
            get(console_clients::page).post(console_clients::action),
        )
        .route(
            "/admin/console/esia",
            get(console_esia::page).post(console_esia::action),
        )
        .route("/admin/api/keys", get(handlers::list_keys))
        .route("/admin/api/keys/rotate", post(handlers::rotate_key))
        .route("/admin/api/keys/{kid}/revoke", post(handlers::revoke_key))
        .route(
            "/admin/api/clients",
            get(handlers::list_clients).post(handlers::add_client),
        )
        .route(
            "/admin/api/clients/{client_id}",
            delete(handlers::remove_client),
        )
        .route(
            "/admin/api/clients/{client_id}/redirect-uris",
            post(handlers::set_redirect_uris),
        )
        .route(
            "/admin/api/clients/{client_id}/settings",
            post(handlers::change_settings),
        )
        .route(
            "/admin/api/clients/{client_id}/rotate-secret",
            post(handlers::rotate_secret),
        )
        .route(
            "/admin/api/clients/{client_id}/disable",
            post(handlers::disable_client),
        )
        .route("/admin/api/audit", get(crate::admin::audit_api::audit_log))
        .route(
            "/admin/api/esia/clients",
            get(admin::esia_clients::list).post(admin::esia_clients::add),
        )
        .route(
            "/admin/api/esia/clients/{client_id}/certificate",
            post(admin::esia_clients::replace_certificate),
        )
        .route(
            "/admin/api/esia/clients/{client_id}/flags",
            post(admin::esia_clients::set_flags),
        )
        .route(
            "/admin/api/operator/confirm",
            post(handlers::operator_confirm),
        )
}
