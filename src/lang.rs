//! The languages of the interface (ru | en): parsed from `ui_locales`, `lang` and Accept-Language,
//! and the translator of its texts (`Tr`, texts in locales/). Below the surfaces so the domain (the
//! pending authorization request, notifications) can carry a language and translate.

pub mod datetime;
mod formatted;
#[cfg(test)]
mod tests;
mod translate;

pub use translate::{Arg, Tr};

use std::cell::Cell;

tokio::task_local! {
    /// The language of the request being served (set by the server's request layer, then by a
    /// submitted form's own `lang`): texts composed during a request (a code's SMS, an e-mail
    /// link) are written in it.
    static REQUEST_LANG: Cell<Lang>;
}

/// The name of the cookie that remembers the language a person chose with the switcher.
pub const COOKIE: &str = "vhod_lang";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Lang {
    Ru,
    En,
}

impl Lang {
    /// First supported tag of a space-separated `ui_locales` list (or a single `lang`).
    pub fn from_locales(list: &str) -> Option<Lang> {
        list.split([' ', ','])
            .filter_map(|tag| Self::from_tag(tag.split(';').next().unwrap_or("").trim()))
            .next()
    }

    /// The language a page is shown in: an explicit `lang` / `ui_locales` first, then
    /// Accept-Language, then Russian.
    pub fn choose(explicit: Option<&str>, accept_language: Option<&str>) -> Lang {
        Lang::pick(explicit, None, accept_language)
    }

    /// The same with the person's remembered choice (the switcher's cookie, or the account's
    /// language) between the two: a choice once made beats what the browser says.
    pub fn pick(explicit: Option<&str>, remembered: Option<Lang>, accept: Option<&str>) -> Lang {
        explicit
            .and_then(Lang::from_locales)
            .or(remembered)
            .or_else(|| accept.and_then(Lang::from_accept_language))
            .unwrap_or(Lang::Ru)
    }

    /// Exactly "ru" or "en" (a stored or submitted choice), nothing looser.
    pub fn from_code(code: &str) -> Option<Lang> {
        match code {
            "ru" => Some(Lang::Ru),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The language the switcher offers from this one.
    pub fn other(self) -> Lang {
        match self {
            Lang::Ru => Lang::En,
            Lang::En => Lang::Ru,
        }
    }

    /// The language of a message to a person: the one their account keeps, else the one of the
    /// request that causes it (the page they are on), else Russian.
    pub fn for_message(stored: Option<Lang>) -> Lang {
        stored.or_else(Lang::of_request).unwrap_or(Lang::Ru)
    }

    /// The language of the request being served; None outside a request (jobs, CLI).
    pub fn of_request() -> Option<Lang> {
        REQUEST_LANG.try_with(Cell::get).ok()
    }

    /// From now on the request being served is in `lang` (no-op outside a request).
    pub fn set_for_request(lang: Lang) {
        let _ = REQUEST_LANG.try_with(|l| l.set(lang));
    }

    /// Runs `f` (the rest of a request) with `lang` as its language.
    pub async fn scope<F: std::future::Future>(lang: Lang, f: F) -> F::Output {
        REQUEST_LANG.scope(Cell::new(lang), f).await
    }

    pub fn from_accept_language(header: &str) -> Option<Lang> {
        Self::from_locales(header)
    }

    fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "ru" => Some(Lang::Ru),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Ru => "ru",
            Lang::En => "en",
        }
    }
}
