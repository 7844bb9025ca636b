//! The languages of the interface (ru | en): parsed from `ui_locales`, `lang` and Accept-Language,
//! and the translator of its texts (`Tr`, texts in locales/). Below the surfaces so the domain (the
//! pending authorization request, notifications) can carry a language and translate.

#[cfg(test)]
mod tests;
mod translate;

pub use translate::{Arg, Tr};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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
        explicit
            .and_then(Lang::from_locales)
            .or_else(|| accept_language.and_then(Lang::from_accept_language))
            .unwrap_or(Lang::Ru)
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
