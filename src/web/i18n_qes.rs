//! Texts of signature login and of the electronic-signature settings (web/i18n falls back here).

pub(super) fn text(key: &str) -> (&'static str, &'static str) {
    match key {
        "qes.login_link" => (
            "Войти с электронной подписью",
            "Sign in with an electronic signature",
        ),
        "qes.login_title" => (
            "Вход с электронной подписью",
            "Sign in with an electronic signature",
        ),
        "qes.login_intro" => (
            "Вход возможен, если он включён в настройках учётной записи: сертификат квалифицированной электронной подписи должен быть привязан к учётной записи с подтверждённым СНИЛС.",
            "This works once it is enabled in the account settings: a qualified electronic signature certificate must be bound to an account with a verified SNILS.",
        ),
        "qes.challenge" => (
            "Подпишите эту строку ключом сертификата (откреплённая подпись CMS/PKCS#7). Строка действует 5 минут и только один раз.",
            "Sign this text with your certificate's key (a detached CMS/PKCS#7 signature). It is valid for 5 minutes and only once.",
        ),
        "qes.how_to_sign" => (
            "Программа для работы с подписью на вашем носителе создаст откреплённую подпись. Из терминала это можно сделать командой OpenSSL (cert.pem — сертификат, key.pem — закрытый ключ, chain.pem — промежуточные сертификаты удостоверяющего центра):",
            "Your signing software creates a detached signature. From a terminal, OpenSSL does it (cert.pem is the certificate, key.pem the private key, chain.pem the CA's intermediate certificates):",
        ),
        "qes.or_vhod" => (
            "или командой vhod (ключ в формате PKCS#8, ГОСТ пока не поддерживается):",
            "or with the vhod command (PKCS#8 key; GOST is not supported yet):",
        ),
        "qes.signature_file" => (
            "или файл подписи (.p7s, .sig — DER или Base64)",
            "or a signature file (.p7s, .sig — DER or Base64)",
        ),
        "qes.signature" => ("Подпись (Base64 или PEM)", "Signature (Base64 or PEM)"),
        "qes.password_instead" => ("Войти по паролю", "Sign in with a password"),
        "qes.settings_title" => ("Электронная подпись", "Electronic signature"),
        "qes.disabled" => (
            "Вход с электронной подписью не включён: нет привязанных сертификатов.",
            "Signature login is off: no certificate is bound.",
        ),
        "qes.enabled" => (
            "Вход с электронной подписью включён. Привязанные сертификаты:",
            "Signature login is on. Bound certificates:",
        ),
        "qes.issuer" => ("Издатель", "Issuer"),
        "qes.serial" => ("серийный номер", "serial number"),
        "qes.remove" => ("Отвязать", "Unbind"),
        "qes.bind_title" => ("Привязать сертификат", "Bind a certificate"),
        "qes.need_snils" => (
            "Для входа с электронной подписью нужен подтверждённый СНИЛС.",
            "Signature login needs a verified SNILS.",
        ),
        "qes.need_fresh" => (
            "Для привязки сертификата войдите заново: вход должен быть выполнен не более 5 минут назад.",
            "To bind a certificate, sign in again: the sign-in must be less than 5 minutes old.",
        ),
        "qes.login_again" => ("Войти заново", "Sign in again"),
        "qes.bind_intro" => (
            "Подпишите строку ключом сертификата; затем мы отправим код на ваш подтверждённый телефон или почту.",
            "Sign this text with the certificate's key; then we send a code to your confirmed phone or e-mail.",
        ),
        "qes.bind_submit" => ("Продолжить", "Continue"),
        "qes.back" => ("Вернуться в личный кабинет", "Back to the account"),
        "qes.code_title" => ("Подтверждение привязки", "Confirm the binding"),
        "qes.certificate" => ("Сертификат", "Certificate"),
        "qes.code_sent" => ("Код отправлен на", "The code was sent to"),
        "qes.code" => ("Код подтверждения", "Confirmation code"),
        "qes.code_submit" => ("Подтвердить", "Confirm"),
        "qes.bound" => (
            "Сертификат привязан. Вход с электронной подписью включён.",
            "The certificate is bound. Signature login is on.",
        ),
        "qes.removed" => ("Сертификат отвязан.", "The certificate is unbound."),
        "qes.err.bad_cms" => (
            "Не удалось прочитать подпись. Нужна откреплённая подпись CMS/PKCS#7 в Base64 или PEM с сертификатом подписанта.",
            "The signature cannot be read. A detached CMS/PKCS#7 signature in Base64 or PEM with the signer's certificate is needed.",
        ),
        "qes.err.algorithm" => (
            "Алгоритм подписи не поддерживается.",
            "The signature algorithm is not supported.",
        ),
        "qes.err.signature" => (
            "Подпись неверна или сделана не для этой строки.",
            "The signature is invalid or not made over this text.",
        ),
        "qes.err.challenge" => (
            "Строка для подписи устарела или уже использована. Подпишите новую строку.",
            "The text to sign has expired or was already used. Sign the new one.",
        ),
        "qes.err.untrusted" => (
            "Сертификат выдан не аккредитованным удостоверяющим центром.",
            "The certificate was not issued by an accredited certification authority.",
        ),
        "qes.err.expired" => (
            "Срок действия сертификата истёк или ещё не начался.",
            "The certificate has expired or is not yet valid.",
        ),
        "qes.err.key_usage" => (
            "Сертификат не предназначен для электронной подписи.",
            "The certificate is not meant for electronic signatures.",
        ),
        "qes.err.revoked" => ("Сертификат отозван.", "The certificate is revoked."),
        "qes.err.revocation_unknown" => (
            "Не удалось проверить, не отозван ли сертификат. Попробуйте позже.",
            "The revocation status of the certificate cannot be checked. Try again later.",
        ),
        "qes.err.no_snils" => (
            "В сертификате нет СНИЛС.",
            "The certificate names no SNILS.",
        ),
        "qes.err.unknown_snils" => (
            "Учётная запись с подтверждённым СНИЛС из сертификата не найдена.",
            "No account has the certificate's SNILS as a verified SNILS.",
        ),
        "qes.err.not_enabled" => (
            "Вход с электронной подписью не включён. Включите его в настройках учётной записи.",
            "Signature login is not enabled. Enable it in the account settings.",
        ),
        "qes.err.not_bound" => (
            "Этот сертификат не привязан к учётной записи. Привяжите его в настройках.",
            "This certificate is not bound to the account. Bind it in the settings.",
        ),
        "qes.err.not_fresh" => (
            "Для привязки сертификата войдите заново: вход должен быть выполнен не более 5 минут назад.",
            "To bind a certificate, sign in again: the sign-in must be less than 5 minutes old.",
        ),
        "qes.err.no_verified_snils" => (
            "Для входа с электронной подписью нужен подтверждённый СНИЛС.",
            "Signature login needs a verified SNILS.",
        ),
        "qes.err.snils_mismatch" => (
            "СНИЛС в сертификате не совпадает со СНИЛС учётной записи.",
            "The certificate's SNILS is not the account's SNILS.",
        ),
        "qes.err.already_bound" => (
            "Этот сертификат уже привязан.",
            "This certificate is already bound.",
        ),
        "qes.err.no_contact" => (
            "Нет подтверждённого телефона или почты для кода подтверждения.",
            "There is no confirmed phone or e-mail for the confirmation code.",
        ),
        "qes.err.bind_expired" => (
            "Время на подтверждение истекло. Начните привязку заново.",
            "The confirmation has expired. Start the binding again.",
        ),
        "qes.err.wrong_code" => ("Неверный код.", "Wrong code."),
        "qes.err.too_many_attempts" => (
            "Слишком много неверных кодов. Начните привязку заново.",
            "Too many wrong codes. Start the binding again.",
        ),
        _ => super::i18n_fixes::text(key),
    }
}

#[cfg(test)]
mod tests {
    use crate::authn::qes::QesError;
    use crate::authn::qes::binding::BindError;
    use crate::authn::qes::login::QesLoginError;

    #[test]
    fn every_signature_refusal_has_both_languages() {
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
        for key in ["qes.bound", "qes.removed"] {
            keys.push(key);
        }
        let missing: Vec<&str> = keys
            .into_iter()
            .filter(|k| {
                let (ru, en) = super::text(k);
                ru.is_empty() || en.is_empty()
            })
            .collect();
        assert!(missing.is_empty(), "untranslated: {missing:?}");
    }
}
