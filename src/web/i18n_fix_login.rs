//! Interface texts of the "login" workstream of the fix-first issue (see web/i18n_fixes).

pub(super) fn text(key: &str) -> Option<(&'static str, &'static str)> {
    #[allow(clippy::match_single_binding)]
    match key {
        "login.pow_nojs" => Some((
            "Если проверка не запускается (например, JavaScript выключен), подождите {n} {unit} и нажмите «Войти».",
            "If the check does not start (for example, JavaScript is off), wait {n} {unit} and press «Sign in».",
        )),
        "error.method_not_allowed" => Some((
            "Эта страница открывается только из формы. Вернитесь назад и повторите действие или начните с главной страницы.",
            "This page opens only from its form. Go back and repeat the action, or start from the home page.",
        )),
        "error.request_id" => Some(("Код запроса:", "Request id:")),
        "error.home" => Some(("На главную", "Home page")),
        _ => None,
    }
}
