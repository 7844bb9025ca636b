//! Interface texts of the "codes" workstream of the fix-first issue (see web/i18n_fixes).

pub(super) fn text(key: &str) -> Option<(&'static str, &'static str)> {
    Some(match key {
        "codes.too_early" => (
            "Код уже отправлен. Повторно отправить можно через",
            "A code has already been sent. A new one can be sent in",
        ),
        "codes.sent_moment_ago" => (
            "Код уже отправлен только что. Запросить новый можно чуть позже.",
            "A code was sent a moment ago. You can ask for a new one a little later.",
        ),
        "codes.limit" => (
            "Слишком много кодов на этот номер или адрес либо с вашего подключения за последний час. Попробуйте позже.",
            "Too many codes to this number or address, or from your connection, in the last hour. Try again later.",
        ),
        "recover.second_title" => (
            "Подтвердите вторым фактором",
            "Confirm with your second factor",
        ),
        "recover.second_intro" => (
            "У вашей учётной записи включён вход с подтверждением, поэтому одного кода для восстановления недостаточно. Подтвердите восстановление вторым, независимым способом.",
            "Your account has two-step sign-in on, so the recovery code alone is not enough. Confirm the recovery in a second, independent way.",
        ),
        "recover.second_sms" => (
            "Мы отправили код в SMS на телефон для входа с подтверждением",
            "We have sent a code by SMS to your two-step sign-in phone",
        ),
        "recover.second_email" => (
            "Мы отправили код на вашу подтверждённую электронную почту",
            "We have sent a code to your confirmed e-mail",
        ),
        "recover.second_code" => ("Код", "Code"),
        "recover.second_resend" => ("Отправить код ещё раз", "Send the code again"),
        "recover.service_centre" => (
            "Подтвердить восстановление иначе нельзя: второй фактор недоступен. Обратитесь в центр обслуживания с паспортом — там подтвердят вашу личность и помогут восстановить доступ.",
            "The recovery cannot be confirmed another way: no second factor is available. Visit a service centre with your passport: they will confirm your identity and restore access.",
        ),
        "recover.no_second" => (
            "Нет доступа ко второму фактору? Обратитесь в центр обслуживания с паспортом.",
            "No access to your second factor? Visit a service centre with your passport.",
        ),
        _ => return None,
    })
}
