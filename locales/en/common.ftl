### Texts every page shares: brand, footer, home page, error pages, the development outbox and the demo portal.

brand = vhod — single sign-on for public services

footer = Unified identification and authentication

home-title = One account for all public services
home-demo = Demo portal

error-rate_limited = Too many requests. Wait a minute and try again.
error-logout_request = The sign-out request is not valid.
error-title = Error
error-csrf = The form has expired or was not sent from this page. Reload the page and try again.
error-bad_request = Bad request.
error-unknown_client = The portal you came from is not registered.
error-bad_redirect = The return address does not match the one registered for the portal. Sign-in stopped for your safety.
error-missing_redirect = The portal's request has no return address (redirect_uri).
error-tx_expired = The sign-in has expired. Go back to the portal and start again.
error-not_found = Page not found.
error-internal = Internal error. Request id:
error-method_not_allowed = This page opens only from its form. Go back and repeat the action, or start from the home page.
error-body_timeout = The form took too long to arrive, so it was not accepted. Check your connection and send it again.
error-request_id = Request id:
error-home = Home page

outbox-title = Outbox (development mode)
outbox-banner_title = DEVELOPMENT MODE: messages are not sent
outbox-banner = This page shows anyone, without signing in, every SMS code and recovery link. Never enable development mode in production (dev.enabled = false).

demo-title = Demo portal
demo-login = Sign in with vhod
demo-id_token = Verified ID token claims
demo-userinfo = Userinfo response
demo-failed = Signing in failed. Try again.
demo-err_denied = You declined to share your data with the portal, so you are not signed in. You can sign in again at any time.
demo-err_login = You need to sign in to vhod.
demo-detail = The service said:
demo-signed_in = You are signed in to the portal through vhod.
demo-all_claims = The data the portal received
demo-sign_out = Sign out
demo-login_again = Sign in again

# Around every page: the skip link, the language switcher (named in the language it switches to),
# support contacts and the documents accepted at registration.
chrome-skip = Skip to content
chrome-language = Language
chrome-switch = Русский
chrome-support = Support:
chrome-terms = Terms of use
chrome-privacy = Privacy policy
chrome-signed_in_as = You are signed in as
chrome-not_you = Not you? Sign out
chrome-show_password = Show password
chrome-hide_password = Hide password
# Shown under a phone or SNILS field as it is typed: "Will be read as: +7 (912) 345-67-01".
chrome-read_as = Will be read as:
