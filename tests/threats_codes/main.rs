//! Issue 10, the "codes" defects: SMS pumping through the forms that send codes (7), SNILS shown
//! as a contact (10), recovery without the enrolled second factor (12), registration telling
//! whether a contact is registered (14), and attempt counters that parallel guesses overrun (22).

#[path = "../common/mod.rs"]
mod common;

use common::login::{fresh_login_location, fresh_signed_in};
use common::*;
use serde_json::Value;
use vhod::authn::totp;
use vhod::store::second_factors::SecurityChoices;

const NEW_PASSWORD: &str = "Novyi-Parol-2026!";

async fn outbox(t: &TestServer, to: &str) -> Vec<Value> {
    let url = format!("{}/dev/outbox?format=json&to={}", t.base, urlencode(to));
    let list: Value = reqwest::get(url).await.unwrap().json().await.unwrap();
    list.as_array().unwrap().clone()
}

fn code_in(message: &Value) -> Option<String> {
    message["body"]
        .as_str()
        .unwrap()
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_ascii_digit()))
        .find(|w| w.len() == 6)
        .map(str::to_string)
}

async fn page(b: &Browser, url: &str) -> String {
    match b.follow(url).await {
        Landing::Page(200, html) => html,
        other => panic!("{url}: {other:?}"),
    }
}

/// Submits the registration form in a fresh browser: (status, Location, browser).
async fn register(t: &TestServer, contact: &str) -> (u16, Option<String>, Browser) {
    let b = Browser::new(&t.base);
    let form = page(&b, "/register").await;
    let res = b
        .submit(
            &form,
            "/register",
            &[
                ("surname", "Сидоров"),
                ("name", "Пётр"),
                ("contact", contact),
            ],
        )
        .await;
    (res.status().as_u16(), location(&res), b)
}

async fn start_recovery(t: &TestServer, login: &str) -> (u16, Option<String>, String, Browser) {
    let b = Browser::new(&t.base);
    let form = page(&b, "/recover").await;
    let res = b.submit(&form, "/recover", &[("login", login)]).await;
    let status = res.status().as_u16();
    let loc = location(&res);
    (status, loc, res.text().await.unwrap(), b)
}

mod pumping;
mod recovery;
