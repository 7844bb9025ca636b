//! Whether a session's authentication is recent enough for the request (OIDC Core §3.1.2.1
//! `max_age`, `prompt=login`). An authentication made within this login transaction — after the
//! request arrived, seen when the person comes back through /authorize/continue — satisfies
//! `max_age` however long following the redirect took: otherwise `max_age=0` (or any small value)
//! would send the person back to the login page for ever.

use crate::authn::login_tx::AuthRequest;

pub fn satisfied(req: &AuthRequest, auth_time: i64, now: i64, resumed: bool) -> bool {
    let in_this_transaction = resumed && auth_time >= req.created_at;
    let max_age_ok = in_this_transaction || req.max_age.is_none_or(|m| now - auth_time <= m);
    let fresh_ok = !req.needs_fresh_login || auth_time >= req.created_at;
    max_age_ok && fresh_ok
}
