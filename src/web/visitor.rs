//! The signed-in person of this request — the session, the name, the interface language kept on
//! the account — read from the store once per request, in one statement, by whichever needs it
//! first: the page chrome's «Вы вошли как …», the page's language, the handler's session check, an
//! authorization request's continuation. A sign-in crosses several pages, and each used to read the
//! session two or three times.
//!
//! It is what the request found when it began: handlers read it before they change anything, and
//! one that starts or ends a session (a sign-in, a logout) calls [`forget`] so a later read in the
//! same request goes to the store again. Outside a page request (no [`scope`]) every call reads.

use super::cookies;
use crate::authn::session;
use crate::ctx::Ctx;
use crate::store::StoreError;
use crate::store::sessions::{SessionPerson, SessionRow};
use axum::http::HeaderMap;
use std::cell::RefCell;

enum Memo {
    Unread,
    Read(Option<Box<SessionPerson>>),
}

tokio::task_local! {
    static MEMO: RefCell<Memo>;
}

/// Runs a request with its own memory of the signed-in person (the page layer calls it).
pub async fn scope<F: Future>(request: F) -> F::Output {
    MEMO.scope(RefCell::new(Memo::Unread), request).await
}

/// The person signed in with this request's session cookie, if any.
pub async fn person(ctx: &Ctx, headers: &HeaderMap) -> Result<Option<SessionPerson>, StoreError> {
    let known = MEMO.try_with(|m| match &*m.borrow() {
        Memo::Read(p) => Some(p.as_deref().cloned()),
        Memo::Unread => None,
    });
    if let Ok(Some(known)) = known {
        return Ok(known);
    }
    let sid = cookies::get(headers, session::COOKIE);
    let found = session::current_person(ctx, sid.as_deref()).await?;
    let _ = MEMO.try_with(|m| *m.borrow_mut() = Memo::Read(found.clone().map(Box::new)));
    Ok(found)
}

/// The live session of this request's cookie, if any ([`person`] without the person).
pub async fn session(ctx: &Ctx, headers: &HeaderMap) -> Result<Option<SessionRow>, StoreError> {
    Ok(person(ctx, headers).await?.map(|p| p.session))
}

/// This request started or ended a session: the next read goes to the store.
pub fn forget() {
    let _ = MEMO.try_with(|m| *m.borrow_mut() = Memo::Unread);
}

/// «Иванов Иван»: how the chrome names the signed-in person (empty when the account is gone).
pub fn display_name(p: &SessionPerson) -> String {
    format!("{} {}", p.surname, p.given_name).trim().to_string()
}
