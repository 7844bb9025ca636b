//! Helpers of the account-level tests (tests/levels_*.rs, tests/records.rs): a signed-in person,
//! the standard-level form, waiting for the registry check on the documents page.

use super::login::new_browser_at_account;
use super::*;

/// The SNILS the standard-level form sends unless a test chooses another.
pub const SNILS: &str = "112-233-445 95";

/// Registers `contact` at a service centre and signs it in with a fresh browser.
pub async fn signed_in(t: &TestServer, contact: &str) -> Browser {
    t.add_person(contact).await;
    new_browser_at_account(&t.base, contact).await
}

/// Submits the standard-level form with passport 2815 `number` and `snils`: (status, page).
pub async fn submit_standard(b: &Browser, number: &str, snils: &str) -> (u16, String) {
    let page = match b.follow("/account/standard").await {
        Landing::Page(200, html) => html,
        other => panic!("{other:?}"),
    };
    let form = [
        ("surname", "Иванов"),
        ("given_name", "Иван"),
        ("birth_date", "1990-05-17"),
        ("birthplace", "г. Тверь"),
        ("gender", "M"),
        ("snils", snils),
        ("doc_type", "passport_rf"),
        ("series", "2815"),
        ("number", number),
        ("issued", "2015-06-01"),
        ("issuer_code", "690-001"),
    ];
    match b.submit_follow(&page, "/account/standard", &form).await {
        Landing::Page(status, html) => (status, html),
        other => panic!("{other:?}"),
    }
}

/// Polls the documents page until it contains `text` (the worker runs every second).
pub async fn wait_for(b: &Browser, text: &str) -> String {
    let mut last = String::new();
    for _ in 0..40 {
        if let Landing::Page(200, html) = b.follow("/account/documents").await {
            if html.contains(text) {
                return html;
            }
            last = html;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    panic!("documents page never showed {text:?}: {last}");
}
