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
error-request_id = Request id:
error-home = Home page

outbox-title = Outbox (development mode)
outbox-banner_title = DEVELOPMENT MODE: messages are not sent
outbox-banner = This page shows anyone, without signing in, every SMS code and recovery link. Never enable development mode in production (dev.enabled = false).

demo-title = Demo portal
demo-login = Sign in with vhod
demo-id_token = Verified ID token claims
demo-userinfo = Userinfo response
demo-failed = Sign-in failed:
