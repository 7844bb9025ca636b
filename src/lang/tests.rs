//! The texts are complete: every key the templates and the code use exists in every language and
//! renders to something; both languages hold the same messages; plural forms follow CLDR.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use fluent_templates::fluent_bundle::FluentValue;

use super::formatted::kept;
use super::translate::lookup;
use super::{Lang, Tr};

const LANGS: [Lang; 2] = [Lang::Ru, Lang::En];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn files(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, ext, out);
        } else if path.extension().is_some_and(|e| e == ext) {
            out.push(path);
        }
    }
}

/// Every message of one language, read from locales/<lang>/*.ftl: id → the variables it uses.
/// (A line-level reading of the flat files these are: a message starts at column 0 with `id =`,
/// its continuation lines are indented, `#` starts a comment.)
fn messages(lang: Lang) -> BTreeMap<String, BTreeSet<String>> {
    let mut paths = vec![];
    files(&root().join("locales").join(lang.code()), "ftl", &mut paths);
    assert!(!paths.is_empty(), "no .ftl files for {}", lang.code());
    let mut all: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for path in paths {
        let text = std::fs::read_to_string(&path).unwrap();
        let mut current: Option<String> = None;
        for line in text.lines() {
            if line.starts_with(|c: char| c.is_ascii_alphabetic()) {
                let (id, _) = line
                    .split_once('=')
                    .unwrap_or_else(|| panic!("{}: not a message: {line}", path.display()));
                let id = id.trim().to_string();
                assert!(
                    id.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
                    "{}: bad id {id}",
                    path.display()
                );
                assert!(
                    all.insert(id.clone(), BTreeSet::new()).is_none(),
                    "{}: {id} defined twice",
                    path.display()
                );
                current = Some(id);
            } else if !line.starts_with(' ') {
                current = None;
            }
            if let Some(id) = &current {
                for part in line.split('$').skip(1) {
                    let var: String = part
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                        .collect();
                    all.get_mut(id).unwrap().insert(var);
                }
            }
        }
    }
    all
}

/// The key of a Fluent id (ids are keys with hyphens for dots; keys hold no hyphens).
fn key_of(id: &str) -> String {
    id.replace('-', ".")
}

/// Renders `key` with every variable its message uses set to `n`.
fn render(lang: Lang, key: &str, vars: &BTreeSet<String>, n: i64) -> Result<String, String> {
    let args: HashMap<&str, FluentValue> = vars
        .iter()
        .map(|v| (v.as_str(), FluentValue::from(n)))
        .collect();
    lookup(lang, key, Some(&args))
}

/// `t.s("…")` / `t.f("…"` in templates and `.s("…")` / `.f("…"` in the code: the literal keys.
fn used_keys() -> BTreeMap<String, String> {
    let mut used = BTreeMap::new();
    let mut paths = vec![];
    files(&root().join("templates"), "html", &mut paths);
    files(&root().join("src"), "rs", &mut paths);
    let own = root().join("src").join("lang");
    for path in paths.into_iter().filter(|p| !p.starts_with(&own)) {
        let text = std::fs::read_to_string(&path).unwrap();
        for call in [".s(\"", ".f(\""] {
            for part in text.split(call).skip(1) {
                let key = part.split('"').next().unwrap();
                used.entry(key.to_string())
                    .or_insert_with(|| path.display().to_string());
            }
        }
    }
    used
}

#[test]
fn locales_pick_the_first_supported_language() {
    assert_eq!(Lang::from_locales("se en-GB ru"), Some(Lang::En));
    assert_eq!(Lang::from_locales("se"), None);
    assert_eq!(
        Lang::from_accept_language("ru-RU,ru;q=0.9,en;q=0.8"),
        Some(Lang::Ru)
    );
}

#[test]
fn every_key_used_in_templates_and_code_exists_in_every_language() {
    let used = used_keys();
    assert!(
        used.len() > 200,
        "the scan found too few keys: {}",
        used.len()
    );
    let mut missing = vec![];
    for lang in LANGS {
        let messages = messages(lang);
        for (key, file) in &used {
            assert!(
                key.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._".contains(c)),
                "{file}: key {key:?} is not lower-case words joined by dots"
            );
            let id = key.replace('.', "-");
            let Some(vars) = messages.get(&id) else {
                missing.push(format!("{}: {key} (used in {file})", lang.code()));
                continue;
            };
            match render(lang, key, vars, 3) {
                Ok(text) if !text.trim().is_empty() => {}
                other => missing.push(format!("{}: {key} renders {other:?}", lang.code())),
            }
        }
    }
    assert!(missing.is_empty(), "untranslated keys: {missing:#?}");
}

#[test]
fn both_languages_hold_the_same_messages_with_the_same_arguments() {
    let ru = messages(Lang::Ru);
    let en = messages(Lang::En);
    let only_ru: Vec<_> = ru.keys().filter(|id| !en.contains_key(*id)).collect();
    let only_en: Vec<_> = en.keys().filter(|id| !ru.contains_key(*id)).collect();
    assert!(
        only_ru.is_empty() && only_en.is_empty(),
        "only in ru: {only_ru:?}; only in en: {only_en:?}"
    );
    for (id, vars) in &ru {
        assert_eq!(vars, &en[id], "{id} takes different arguments in ru and en");
    }
}

#[test]
fn every_message_in_the_files_renders_through_the_loader() {
    for lang in LANGS {
        let messages = messages(lang);
        assert!(messages.len() > 400, "{}: {}", lang.code(), messages.len());
        for (id, vars) in &messages {
            let text = render(lang, &key_of(id), vars, 7)
                .unwrap_or_else(|e| panic!("{}: {id}: {e}", lang.code()));
            assert!(!text.trim().is_empty(), "{}: {id} is empty", lang.code());
            assert!(
                !text.contains(['\u{2068}', '\u{2069}']),
                "{id}: isolation marks"
            );
        }
    }
}

#[test]
fn russian_plural_forms_follow_cldr() {
    let ru = Tr::new(Lang::Ru);
    let en = Tr::new(Lang::En);
    for (n, word) in [
        (1, "1 минуту"),
        (2, "2 минуты"),
        (5, "5 минут"),
        (11, "11 минут"),
        (21, "21 минуту"),
        (22, "22 минуты"),
    ] {
        let text = ru.f("login.locked", &[("minutes", n.into())]);
        assert!(
            text.starts_with(&format!(
                "Вход по паролю временно заблокирован на {word} из-за"
            )),
            "{n}: {text}"
        );
    }
    for (n, word) in [(1, "1 second"), (2, "2 seconds"), (21, "21 seconds")] {
        let text = en.f("login.pow_nojs", &[("seconds", n.into())]);
        assert!(text.contains(&format!("wait {word} and")), "{n}: {text}");
    }
    let days = |n: i64| {
        ru.with("valid-days", n)
            .with("reorder-days", n + 1)
            .s("letter.hint")
    };
    assert!(days(1).contains("Код действует 1 день; новое письмо можно заказать через 2 дня."));
    assert!(days(4).contains("действует 4 дня; новое письмо можно заказать через 5 дней."));
}

#[test]
fn texts_with_configured_numbers_read_as_before_under_the_default_configuration() {
    let c = crate::config::Config::defaults();
    let ru = Tr::new(Lang::Ru).with("minutes", c.login.lock_secs / 60);
    assert_eq!(
        ru.s("login.locked"),
        "Вход по паролю временно заблокирован на 30 минут из-за частых неудачных попыток. \
         Восстановите пароль, чтобы снять блокировку, или войдите другим способом."
    );
    let en = Tr::new(Lang::En).with("minutes", c.login.lock_secs / 60);
    assert_eq!(
        en.s("login.locked"),
        "Password sign-in is locked for 30 minutes after repeated failed attempts. \
         Recover your password to lift the lock, or sign in another way."
    );
    let wait = c.login.pow_wait_secs;
    assert_eq!(
        Tr::new(Lang::Ru).f("login.pow_nojs", &[("seconds", wait.into())]),
        "Если проверка не запускается (например, JavaScript выключен), подождите 15 секунд и \
         нажмите «Войти»."
    );
    assert_eq!(
        Tr::new(Lang::En).f("login.pow_nojs", &[("seconds", wait.into())]),
        "If the check does not start (for example, JavaScript is off), wait 15 seconds and press \
         «Sign in»."
    );
    let letters = |lang| {
        Tr::new(lang)
            .with("valid-days", c.identity.letter_valid_days)
            .with("reorder-days", c.identity.letter_reorder_days)
    };
    assert_eq!(
        letters(Lang::Ru).s("letter.hint"),
        "Письмо с кодом подтверждения доставляется Почтой России. Код действует 14 дней; новое \
         письмо можно заказать через 30 дней. Некоторые порталы не принимают этот способ \
         подтверждения."
    );
    assert_eq!(
        letters(Lang::En).s("letter.hint"),
        "The letter with the confirmation code comes by Russian Post. The code is valid 14 days; \
         a new letter may be ordered after 30 days. Some portals do not accept this method."
    );
    assert_eq!(
        letters(Lang::Ru).s("letter.too_soon"),
        "Новое письмо можно заказать через 30 дней после предыдущего."
    );
    assert_eq!(
        letters(Lang::En).s("letter.too_soon"),
        "A new letter may be ordered 30 days after the previous one."
    );
}

#[test]
fn a_missing_key_or_argument_shows_the_key_never_nothing() {
    let t = Tr::new(Lang::Ru);
    assert_eq!(t.s("no.such_key"), "no.such_key");
    assert_eq!(t.s("login.locked"), "login.locked", "$minutes not given");
    assert_eq!(t.s("login.title"), "Вход");
    assert_eq!(Tr::new(Lang::En).s("login.title"), "Sign in");
    assert_eq!(t.s("brand"), "vhod — единая учётная запись");
}

#[test]
fn every_signature_refusal_has_both_languages() {
    use crate::authn::qes::QesError;
    use crate::authn::qes::binding::BindError;
    use crate::authn::qes::login::QesLoginError;

    let mut keys: Vec<&str> = [
        QesError::BadCms,
        QesError::NoSignerCertificate,
        QesError::UnsupportedAlgorithm,
        QesError::WrongChallenge,
        QesError::BadSignature,
        QesError::Untrusted,
        QesError::Expired,
        QesError::KeyUsage,
        QesError::Revoked,
        QesError::RevocationUnknown,
        QesError::NoSnils,
    ]
    .map(QesError::message_key)
    .to_vec();
    for e in [
        QesLoginError::Challenge,
        QesLoginError::UnknownSnils,
        QesLoginError::NotEnabled,
        QesLoginError::NotBound,
    ] {
        keys.push(e.message_key().unwrap());
    }
    for e in [
        BindError::NotFresh,
        BindError::Challenge,
        BindError::NoVerifiedSnils,
        BindError::SnilsMismatch,
        BindError::AlreadyBound,
        BindError::NoContact,
        BindError::UnknownOrExpired,
        BindError::WrongCode { remaining: 1 },
        BindError::TooManyAttempts,
        BindError::TooEarly,
        BindError::SendLimit,
    ] {
        keys.push(e.message_key().unwrap());
    }
    keys.extend(["qes.bound", "qes.removed"]);
    for lang in LANGS {
        let messages = messages(lang);
        let missing: Vec<&&str> = keys
            .iter()
            .filter(|k| !messages.contains_key(&k.replace('.', "-")))
            .collect();
        assert!(
            missing.is_empty(),
            "{}: untranslated {missing:?}",
            lang.code()
        );
    }
}

#[test]
fn a_text_without_arguments_is_kept_formatted_after_its_first_look_up_and_a_missing_one_is_not() {
    let plain = [("", 0); 3];
    let (ru, en) = (Tr::new(Lang::Ru), Tr::new(Lang::En));
    assert_eq!(ru.s("login.title"), "Вход");
    assert_eq!(en.s("login.title"), "Sign in");
    assert_eq!(
        kept(Lang::Ru, &plain, "login.title").as_deref(),
        Some("Вход")
    );
    assert_eq!(
        kept(Lang::En, &plain, "login.title").as_deref(),
        Some("Sign in")
    );
    // Answered from memory, the same text.
    assert_eq!(ru.s("login.title"), "Вход");
    assert_eq!(en.s("login.title"), "Sign in");
    // A missing key, or a text whose argument was not given, is not kept: it shows the key and
    // is logged at every use.
    assert_eq!(ru.s("no.such_key_kept"), "no.such_key_kept");
    assert_eq!(kept(Lang::Ru, &plain, "no.such_key_kept"), None);
    assert_eq!(ru.s("login.locked"), "login.locked");
    assert_eq!(kept(Lang::Ru, &plain, "login.locked"), None);
    // With a page argument the text is kept for that value only: another value formats anew.
    let (m17, m23) = (ru.with("minutes", 17), ru.with("minutes", 23));
    assert!(
        m17.s("login.locked").contains("17"),
        "{}",
        m17.s("login.locked")
    );
    assert!(
        m23.s("login.locked").contains("23"),
        "{}",
        m23.s("login.locked")
    );
    let set = |n| [("minutes", n), ("", 0), ("", 0)];
    assert!(kept(Lang::Ru, &set(17), "login.locked").is_some_and(|t| t.contains("17")));
    assert!(kept(Lang::Ru, &set(23), "login.locked").is_some_and(|t| t.contains("23")));
    // A text given arguments of its own is formatted from them, never kept.
    let own = ru.f("login.pow_nojs", &[("seconds", 41.into())]);
    assert!(own.contains("41"), "{own}");
    assert_eq!(kept(Lang::Ru, &plain, "login.pow_nojs"), None);
}
