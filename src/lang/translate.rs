//! The translator: `Tr::new(lang).s("login.title")` in code, `{{ t.s("login.title") }}` in templates.
//!
//! The texts are Fluent files, one per capability and language (`locales/<lang>/<capability>.ftl`;
//! rules in locales/README.md), compiled into the binary by `static_loader!` and parsed once, on the
//! first look-up. Keys keep the dotted form the code uses; the Fluent message id is the key with
//! hyphens for dots (`login.title` → `login-title`), since Fluent ids cannot hold dots. A missing
//! text or argument is logged as an error and shows the key itself, never an empty string.

use std::borrow::Cow;
use std::collections::HashMap;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, langid};

use super::{Lang, formatted};

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "ru",
        // Arguments render bare, without FSI/PDI isolation marks around them.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

// The bundle's locale is the folder name, so Russian plural rules (one/few/many) apply under ru.
static RU: LanguageIdentifier = langid!("ru");
static EN: LanguageIdentifier = langid!("en");

/// Page-wide numbers a translator can carry (`Tr::with`); a page shows a handful at most.
pub(super) const MAX_PAGE_ARGS: usize = 3;

/// Translator handed to templates: `{{ t.s("login.title") }}`.
#[derive(Debug, Clone, Copy)]
pub struct Tr {
    pub lang: Lang,
    /// Numbers from the configuration that this page's texts show as `$name` (see `with`).
    page_args: [(&'static str, i64); MAX_PAGE_ARGS],
    page_args_len: usize,
    /// The zone moments are shown in (the person's choice; Moscow by default).
    pub zone: super::datetime::Zone,
}

/// The value of a Fluent argument: a number (plural forms are chosen by it) or a text.
#[derive(Debug, Clone, Copy)]
pub enum Arg<'a> {
    Num(i64),
    Text(&'a str),
}

impl From<i64> for Arg<'_> {
    fn from(n: i64) -> Self {
        Arg::Num(n)
    }
}

impl From<u32> for Arg<'_> {
    fn from(n: u32) -> Self {
        Arg::Num(i64::from(n))
    }
}

impl From<i32> for Arg<'_> {
    fn from(n: i32) -> Self {
        Arg::Num(i64::from(n))
    }
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(s: &'a str) -> Self {
        Arg::Text(s)
    }
}

impl<'a> From<&'a String> for Arg<'a> {
    fn from(s: &'a String) -> Self {
        Arg::Text(s)
    }
}

impl<'a> From<Arg<'a>> for FluentValue<'a> {
    fn from(a: Arg<'a>) -> Self {
        match a {
            Arg::Num(n) => FluentValue::from(n),
            Arg::Text(s) => FluentValue::from(s),
        }
    }
}

impl Lang {
    fn langid(self) -> &'static LanguageIdentifier {
        match self {
            Lang::Ru => &RU,
            Lang::En => &EN,
        }
    }
}

/// The Fluent message id of a key: `login.title` → `login-title`.
fn message_id(key: &str) -> Cow<'_, str> {
    if key.contains('.') {
        Cow::Owned(key.replace('.', "-"))
    } else {
        Cow::Borrowed(key)
    }
}

/// The text of `key` in `lang` with `args`; Err(reason) when the message is missing or cannot be
/// formatted (an argument it uses was not given).
pub(super) fn lookup(
    lang: Lang,
    key: &str,
    args: Option<&HashMap<&str, FluentValue<'_>>>,
) -> Result<String, String> {
    LOCALES
        .lookup_single_language(lang.langid(), &message_id(key), args)
        .map_err(|e| e.to_string())
}

impl Tr {
    pub fn new(lang: Lang) -> Tr {
        Tr {
            lang,
            page_args: [("", 0); MAX_PAGE_ARGS],
            page_args_len: 0,
            zone: super::datetime::Zone::default(),
        }
    }

    /// The same translator showing moments in `zone`.
    pub fn in_zone(mut self, zone: super::datetime::Zone) -> Tr {
        self.zone = zone;
        self
    }

    pub fn code(&self) -> &'static str {
        self.lang.code()
    }

    /// A translator whose every text may use `$name` = `value`: for a configured number shown by a
    /// text that a template renders with `t.s(key)` (`Tr::new(lang).with("minutes", lock_minutes)`).
    /// Texts that do not use the argument ignore it.
    pub fn with(mut self, name: &'static str, value: i64) -> Tr {
        if let Some(slot) = self.page_args[..self.page_args_len]
            .iter_mut()
            .find(|(n, _)| *n == name)
        {
            slot.1 = value;
        } else if self.page_args_len < MAX_PAGE_ARGS {
            self.page_args[self.page_args_len] = (name, value);
            self.page_args_len += 1;
        } else {
            debug_assert!(false, "more than {MAX_PAGE_ARGS} page arguments");
            tracing::error!(name, "translator: too many page arguments, one is dropped");
        }
        self
    }

    /// The text of `key` (e.g. "login.title") in this translator's language.
    pub fn s(&self, key: &str) -> String {
        self.f(key, &[])
    }

    /// The text of `key` with Fluent arguments: `t.f("login.pow_nojs", &[("seconds", 15.into())])`.
    /// Without arguments of its own the text is formatted once per language and page arguments
    /// and then kept (`formatted`).
    pub fn f(&self, key: &str, args: &[(&str, Arg<'_>)]) -> String {
        let result = if args.is_empty() {
            formatted::text(self.lang, &self.page_args, key, || self.format(key, &[]))
        } else {
            self.format(key, args)
        };
        match result {
            Ok(text) if !text.is_empty() => text,
            Ok(_) => {
                tracing::error!(key, lang = self.code(), "interface text is empty");
                key.to_string()
            }
            Err(e) => {
                tracing::error!(key, lang = self.code(), error = %e, "interface text missing");
                key.to_string()
            }
        }
    }

    /// Fluent's text of `key` with this page's arguments and `args`.
    fn format(&self, key: &str, args: &[(&str, Arg<'_>)]) -> Result<String, String> {
        let page = &self.page_args[..self.page_args_len];
        if page.is_empty() && args.is_empty() {
            return lookup(self.lang, key, None);
        }
        let mut map: HashMap<&str, FluentValue<'_>> =
            HashMap::with_capacity(page.len() + args.len());
        for (name, n) in page {
            map.insert(name, FluentValue::from(*n));
        }
        for (name, value) in args {
            map.insert(name, FluentValue::from(*value));
        }
        lookup(self.lang, key, Some(&map))
    }
}
