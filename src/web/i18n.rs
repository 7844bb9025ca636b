//! Interface texts: Russian by default (wording from REQUIREMENTS, used as-is), English on request.
//! Error enums hold reasons; the words people read live here.

pub use crate::lang::{Lang, Tr};

/// TEMPORARY: the old tables, compared with the Fluent texts below before they go.
#[derive(Debug, Clone, Copy)]
pub struct OldTr {
    pub lang: Lang,
}

impl OldTr {
    pub fn new(lang: Lang) -> OldTr {
        OldTr { lang }
    }

    pub fn code(&self) -> &'static str {
        self.lang.code()
    }

    pub fn s(&self, key: &str) -> &'static str {
        let (ru, en) = super::i18n_identity::text(key).unwrap_or_else(|| text(key));
        match self.lang {
            Lang::Ru => ru,
            Lang::En => en,
        }
    }
}

/// (Russian, English) for every key; an unknown key is a bug caught by the test below.
fn text(key: &str) -> (&'static str, &'static str) {
    match key {
        "brand" => (
            "vhod — единая учётная запись",
            "vhod — single sign-on for public services",
        ),
        "footer" => (
            "Единая система идентификации и аутентификации",
            "Unified identification and authentication",
        ),
        "home.title" => (
            "Единая учётная запись для государственных услуг",
            "One account for all public services",
        ),
        "home.demo" => ("Демонстрационный портал", "Demo portal"),
        "login.title" => ("Вход", "Sign in"),
        "login.for_portal" => ("для входа на портал", "to continue to"),
        "login.login" => ("Логин", "Login"),
        "login.login_help" => ("Телефон, почта или СНИЛС", "Phone, e-mail or SNILS"),
        "login.password" => ("Пароль", "Password"),
        "login.foreign" => ("Чужой компьютер", "Someone else's computer"),
        "login.submit" => ("Войти", "Sign in"),
        "login.not_registered" => ("Еще не зарегистрированы?", "Not registered yet?"),
        "login.register" => ("Зарегистрироваться", "Register"),
        "login.pow_required" => (
            "Было несколько неудачных попыток входа. Подтвердите, что вы не робот: страница выполнит короткую проверку, затем нажмите «Войти».",
            "There were several failed sign-in attempts. Confirm you are not a robot: the page runs a short check, then press «Sign in».",
        ),
        "login.pow_failed" => (
            "Проверка «не робот» не пройдена или устарела. Дождитесь новой проверки и повторите вход.",
            "The \"not a robot\" check failed or expired. Wait for the new check and sign in again.",
        ),
        "login.pow_working" => (
            "Проверяем, что вы не робот…",
            "Checking that you are not a robot…",
        ),
        "login.pow_done" => (
            "Проверка пройдена, можно входить.",
            "Check passed, you can sign in.",
        ),
        "login.locked" => (
            "Вход по паролю временно заблокирован на 30 минут из-за частых неудачных попыток. Восстановите пароль, чтобы снять блокировку, или войдите другим способом.",
            "Password sign-in is locked for 30 minutes after repeated failed attempts. Recover your password to lift the lock, or sign in another way.",
        ),
        "error.rate_limited" => (
            "Слишком много запросов. Подождите минуту и повторите.",
            "Too many requests. Wait a minute and try again.",
        ),
        "security.sms" => ("Вход с подтверждением", "Two-step sign-in by SMS"),
        "security.sms_off" => (
            "Выключен. Когда включён, при каждом входе по паролю приходит код в SMS на номер",
            "Off. When on, every password sign-in also asks for a code sent by SMS to",
        ),
        "security.sms_on" => (
            "Включён: при каждом входе по паролю приходит код в SMS на номер",
            "On: every password sign-in asks for a code sent by SMS to",
        ),
        "security.sms_no_phone" => (
            "Для входа с подтверждением нужен подтверждённый номер мобильного телефона.",
            "Two-step sign-in needs a confirmed mobile phone number.",
        ),
        "security.sms_enable" => ("Включить", "Turn on"),
        "security.sms_disable" => ("Выключить", "Turn off"),
        "security.sms_enter" => (
            "Чтобы включить вход с подтверждением, введите код из SMS.",
            "To turn two-step sign-in on, enter the code from the SMS.",
        ),
        "security.sms_enabled" => ("Вход с подтверждением включён.", "Two-step sign-in is on."),
        "security.sms_disabled" => (
            "Вход с подтверждением выключен.",
            "Two-step sign-in is off.",
        ),
        "security.sessions" => ("Сеансы и устройства", "Sessions and devices"),
        "security.started" => ("начат", "started"),
        "security.last_seen" => ("последняя активность", "last active"),
        "security.msk" => ("МСК", "Moscow time"),
        "security.this_device" => ("это устройство", "this device"),
        "security.end_session" => ("Завершить сеанс", "End session"),
        "security.end_others" => ("Завершить все другие сеансы", "End all other sessions"),
        "security.no_such_session" => (
            "Такого сеанса нет или он уже завершён.",
            "No such session, or it has already ended.",
        ),
        "security.unknown_device" => ("Неизвестное устройство", "Unknown device"),
        "security.alerts" => ("Уведомления о входе", "Sign-in alerts"),
        "security.alerts_on" => (
            "Включены: при входе с нового устройства придёт письмо и SMS.",
            "On: a sign-in from a new device sends an e-mail and an SMS.",
        ),
        "security.alerts_off" => (
            "Выключены. Включите, чтобы узнавать о входе с нового устройства.",
            "Off. Turn on to hear about sign-ins from a new device.",
        ),
        "security.alerts_enable" => ("Включить уведомления", "Turn alerts on"),
        "security.alerts_disable" => ("Выключить уведомления", "Turn alerts off"),
        "security.history" => ("Просмотр последних действий", "Recent activity"),
        "security.when" => ("Дата и время", "Date and time"),
        "security.device" => ("Устройство", "Device"),
        "security.method" => ("Способ входа", "Method"),
        "security.result" => ("Результат", "Result"),
        "history.pwd" => ("Пароль", "Password"),
        "history.pwd_otp" => ("Пароль и код из приложения", "Password and app code"),
        "history.pwd_sms" => ("Пароль и код из SMS", "Password and SMS code"),
        "history.pwd_recovery" => ("Пароль и резервный код", "Password and recovery code"),
        "history.otp" => ("Код из приложения", "App code"),
        "history.sms" => ("Код из SMS", "SMS code"),
        "history.recovery" => ("Резервный код", "Recovery code"),
        "history.other" => ("Другой способ", "Other method"),
        "history.success" => ("Успешно", "Success"),
        "history.failure" => ("Ошибка", "Failed"),
        "history.locked" => ("Отказ: вход заблокирован", "Refused: sign-in locked"),
        "history.no_challenge" => (
            "Отказ: не пройдена проверка «не робот»",
            "Refused: \"not a robot\" check not passed",
        ),
        "security.title" => ("Безопасность", "Security"),
        "security.back" => ("Назад к учётной записи", "Back to the account"),
        "security.link" => ("Безопасность и вход", "Security and sign-in"),
        "security.totp" => (
            "Приложение-аутентификатор и резервные коды",
            "Authenticator app and recovery codes",
        ),
        "security.totp_off" => (
            "Приложение не подключено. С ним при каждом входе по паролю нужен код из приложения.",
            "No app connected. With one, every password sign-in also asks for a code from the app.",
        ),
        "security.totp_on" => ("Приложение подключено.", "The app is connected."),
        "security.recovery_left" => ("Резервных кодов осталось:", "Recovery codes left:"),
        "security.totp_start" => ("Подключить приложение", "Connect an app"),
        "security.totp_scan" => (
            "Отсканируйте QR-код приложением-аутентификатором и введите показанный код.",
            "Scan the QR code with an authenticator app and enter the code it shows.",
        ),
        "security.totp_manual" => ("Или введите ключ вручную:", "Or type the key in:"),
        "security.totp_confirm" => ("Подтвердить", "Confirm"),
        "security.totp_wrong" => (
            "Неверный код. Проверьте время на телефоне и введите новый код.",
            "Wrong code. Check the phone's clock and enter a new code.",
        ),
        "security.totp_expired" => (
            "Подключение не завершено вовремя. Начните заново.",
            "The connection was not finished in time. Start again.",
        ),
        "security.totp_enabled" => ("Приложение подключено.", "The app is connected."),
        "security.codes_once" => (
            "Секретные коды восстановления: сохраните их — они показываются один раз, каждый действует однократно.",
            "Secret recovery codes: keep them — they are shown once, and each works once.",
        ),
        "security.totp_remove" => ("Отключить приложение", "Disconnect the app"),
        "security.totp_removed" => ("Приложение отключено.", "The app is disconnected."),
        "security.needs_second_factor" => (
            "Для этого войдите с подтверждением (паролем и вторым фактором).",
            "To do this, sign in with two steps (password and a second factor).",
        ),
        "second.sms_to" => (
            "Код отправлен в SMS на номер",
            "The code was sent by SMS to",
        ),
        "second.sms_code" => ("Код из SMS", "Code from the SMS"),
        "second.sms_resend" => ("Отправить код ещё раз", "Send the code again"),
        "second.sms_sent" => ("Новый код отправлен.", "A new code has been sent."),
        "second.sms_too_early" => (
            "Повторно отправить код можно через",
            "A new code can be sent in",
        ),
        "second.seconds" => ("с", "s"),
        "second.sms_limit" => (
            "Слишком много SMS на этот номер или с этого адреса. Попробуйте позже или войдите другим способом.",
            "Too many SMS to this number or from this address. Try later or sign in another way.",
        ),
        "second.sms_expired" => (
            "Срок действия кода истёк. Запросите новый код.",
            "The code has expired. Ask for a new one.",
        ),
        "second.no_code" => ("Код не пришёл?", "No code?"),
        "second.no_code_help" => (
            "Проверьте, что номер телефона в профиле верный и телефон в сети; SMS может прийти с задержкой до минуты. Через минуту запросите код ещё раз. Если SMS не доходят, войдите с кодом из приложения или резервным кодом либо обратитесь в центр обслуживания.",
            "Check that the phone number in your profile is right and the phone has signal; an SMS may take up to a minute. After a minute ask for the code again. If SMS do not arrive, sign in with an app code or a recovery code, or contact a service centre.",
        ),
        "second.too_many_codes" => (
            "Слишком много неверных кодов. Запросите новый код.",
            "Too many wrong codes. Ask for a new code.",
        ),
        "second.title" => ("Вход с подтверждением", "Two-step sign-in"),
        "second.totp_code" => (
            "Код из приложения-аутентификатора",
            "Code from the authenticator app",
        ),
        "second.submit" => ("Подтвердить", "Confirm"),
        "second.use_recovery" => (
            "Нет доступа к приложению? Войти с резервным кодом",
            "No access to the app? Use a recovery code",
        ),
        "second.recovery_code" => ("Резервный код", "Recovery code"),
        "second.wrong" => ("Неверный код.", "Wrong code."),
        "second.reused" => (
            "Этот код уже использован. Дождитесь следующего кода в приложении.",
            "This code has already been used. Wait for the next code in the app.",
        ),
        "second.recovery_wrong" => (
            "Неверный или уже использованный резервный код.",
            "Wrong or already used recovery code.",
        ),
        "second.too_many" => (
            "Слишком много неверных кодов. Войдите заново.",
            "Too many wrong codes. Sign in again.",
        ),
        "second.expired" => (
            "Время подтверждения входа истекло. Войдите заново.",
            "The sign-in confirmation has expired. Sign in again.",
        ),
        "login.invalid" => ("Неверные логин или пароль", "Wrong login or password"),
        "login.caps_hint" => (
            "Проверьте, не включён ли Caps Lock и выбрана ли английская раскладка клавиатуры.",
            "Check that Caps Lock is off and the keyboard layout is English.",
        ),
        "register.title" => ("Регистрация", "Registration"),
        "register.surname" => ("Фамилия", "Surname"),
        "register.name" => ("Имя", "Name"),
        "register.contact" => (
            "Мобильный телефон или электронная почта",
            "Mobile phone or e-mail",
        ),
        "register.submit" => ("Зарегистрироваться", "Register"),
        "register.terms" => (
            "Нажимая «Зарегистрироваться», вы соглашаетесь с условиями использования и политикой конфиденциальности (редакции",
            "By pressing “Register” you accept the terms of use and the privacy policy (versions",
        ),
        "register.bad_surname" => ("Укажите фамилию буквами", "Enter your surname in letters"),
        "register.bad_name" => ("Укажите имя буквами", "Enter your name in letters"),
        "register.bad_phone" => (
            "Неверный формат номера телефона. Пример: +7(912)3456789",
            "Malformed phone number. Example: +7(912)3456789",
        ),
        "register.bad_email" => (
            "Неверный формат электронной почты",
            "Malformed e-mail address",
        ),
        "register.taken_phone" => (
            "Этот номер телефона уже зарегистрирован. Войдите или восстановите пароль.",
            "This phone number is already registered. Sign in or recover your password.",
        ),
        "register.taken_email" => (
            "Эта электронная почта уже зарегистрирована. Войдите или восстановите пароль.",
            "This e-mail address is already registered. Sign in or recover your password.",
        ),
        "confirm.title" => ("Подтверждение", "Confirmation"),
        "confirm.sms_sent" => (
            "Мы отправили код подтверждения на номер",
            "We sent a confirmation code to",
        ),
        "confirm.email_sent" => (
            "Мы отправили письмо со ссылкой для подтверждения на адрес",
            "We sent an e-mail with a confirmation link to",
        ),
        "confirm.code" => ("Код из SMS", "Code from the SMS"),
        "confirm.submit" => ("Продолжить", "Continue"),
        "confirm.wrong" => (
            "Неверный код. Осталось попыток:",
            "Wrong code. Attempts left:",
        ),
        "confirm.too_many" => (
            "Слишком много неверных попыток. Начните регистрацию заново.",
            "Too many wrong attempts. Please start the registration again.",
        ),
        "confirm.expired" => (
            "Срок действия кода или ссылки истёк. Начните регистрацию заново.",
            "The code or link has expired. Please start the registration again.",
        ),
        "confirm.no_code" => (
            "Код не пришёл? Проверьте номер и подождите пару минут; SMS иногда задерживаются.",
            "No code? Check the number and wait a couple of minutes; SMS are sometimes delayed.",
        ),
        "password.title" => ("Создание пароля", "Create a password"),
        "password.new" => ("Пароль", "Password"),
        "password.repeat" => ("Повторите пароль", "Repeat the password"),
        "password.rules" => (
            "Пароль из 12 символов и длиннее может быть любым, например фраза из нескольких слов на любом языке. Пароль из 8–11 символов должен содержать заглавные и строчные буквы, цифры и знаки препинания. Не подойдут распространённые и утёкшие пароли, ряды клавиш, повторы, а также ваши имя, фамилия, телефон и дата рождения.",
            "A password of 12 characters or more can be anything, for example a phrase of several words in any language. A password of 8–11 characters needs upper- and lower-case letters, digits and punctuation. Common and leaked passwords, rows of keys, repetitions and your own name, surname, phone and birth date will not do.",
        ),
        "password.submit" => ("Сохранить", "Save"),
        "password.too_short" => (
            "Пароль короче 8 символов",
            "The password is shorter than 8 characters",
        ),
        "password.too_long" => (
            "Пароль длиннее 256 символов",
            "The password is longer than 256 characters",
        ),
        "password.missing_class" => (
            "Пароль короче 12 символов должен содержать заглавные и строчные буквы, цифры и знаки препинания; или придумайте фразу из 12 символов и длиннее",
            "A password shorter than 12 characters needs upper- and lower-case letters, digits and punctuation; or choose a phrase of 12 characters or more",
        ),
        "password.common" => (
            "Этот пароль легко подобрать: он распространён, состоит из ряда клавиш или повторов или содержит ваши имя, фамилию, телефон или дату рождения. Придумайте другой — например, фразу из нескольких слов",
            "This password is easy to guess: it is common, a row of keys or repetitions, or contains your name, surname, phone or birth date. Choose another one, for example a phrase of several words",
        ),
        "password.mismatch" => ("Пароли не совпадают", "The passwords do not match"),
        "account.title" => ("Мои данные", "My data"),
        "account.registered" => ("Учётная запись создана.", "Your account has been created."),
        "account.level" => ("Уровень учётной записи", "Account level"),
        "level.simplified" => ("Упрощённая", "Simplified"),
        "level.standard" => ("Стандартная", "Standard"),
        "level.confirmed" => ("Подтверждённая", "Confirmed"),
        "account.contacts" => ("Контакты", "Contacts"),
        "account.confirmed" => ("подтверждён", "confirmed"),
        "account.logout" => ("Выйти", "Sign out"),
        "logout.title" => ("Выход", "Sign out"),
        "logout.question" => (
            "Выйти из учётной записи на этом устройстве?",
            "Sign out on this device?",
        ),
        "logout.asked_by" => ("Выход запрошен порталом", "Sign-out requested by"),
        "error.logout_request" => (
            "Некорректный запрос на выход из учётной записи.",
            "The sign-out request is not valid.",
        ),
        "account.end_all" => ("Завершить все сеансы", "End all sessions"),
        "account.sessions" => ("Активных сеансов:", "Active sessions:"),
        "account.passkeys" => (
            "Ключи доступа (вход по биометрии)",
            "Passkeys (biometric sign-in)",
        ),
        "login.passkey" => ("Войти по биометрии", "Sign in with biometrics"),
        "passkeys.title" => ("Ключи доступа", "Passkeys"),
        "passkeys.intro" => (
            "Ключ доступа позволяет входить без пароля: отпечатком пальца, лицом или PIN-кодом устройства. Биометрические данные остаются на устройстве.",
            "A passkey lets you sign in without a password, with your fingerprint, face or device PIN. Biometric data stays on the device.",
        ),
        "passkeys.none" => ("Ключей доступа пока нет.", "No passkeys yet."),
        "passkeys.created" => ("Добавлен", "Added"),
        "passkeys.last_used" => ("последний вход", "last used"),
        "passkeys.name" => ("Название", "Name"),
        "passkeys.name_hint" => ("Например, «Мой телефон»", "For example, \"My phone\""),
        "passkeys.rename" => ("Переименовать", "Rename"),
        "passkeys.remove" => ("Удалить", "Remove"),
        "passkeys.add_title" => ("Новый ключ доступа", "New passkey"),
        "passkeys.add" => ("Добавить ключ доступа", "Add a passkey"),
        "passkeys.relogin" => ("Войти заново", "Sign in again"),
        "passkeys.back" => ("Мои данные", "My data"),
        "passkeys.added" => ("Ключ доступа добавлен.", "Passkey added."),
        "passkeys.renamed" => ("Ключ доступа переименован.", "Passkey renamed."),
        "passkeys.removed" => ("Ключ доступа удалён.", "Passkey removed."),
        "passkeys.flagged" => (
            "Счётчик этого ключа пошёл назад — возможно, ключ скопирован. Вход с ним запрещён: удалите его и добавьте ключ заново.",
            "This passkey's counter went backwards: it may have been copied. Sign-in with it is blocked; remove it and add a new one.",
        ),
        "passkeys.err_login_too_old" => (
            "Чтобы добавить ключ доступа, войдите заново: с момента входа прошло больше 5 минут.",
            "To add a passkey, sign in again: your sign-in is more than 5 minutes old.",
        ),
        "passkeys.err_login_required" => ("Войдите в учётную запись.", "Please sign in."),
        "passkeys.err_expired" => (
            "Время на подтверждение истекло или запрос уже использован. Попробуйте ещё раз.",
            "The request expired or was already used. Please try again.",
        ),
        "passkeys.err_rejected" => (
            "Ключ доступа не принят. Попробуйте ещё раз или войдите по паролю.",
            "The passkey was not accepted. Try again or sign in with your password.",
        ),
        "passkeys.err_unknown" => (
            "Этот ключ доступа не зарегистрирован. Войдите по паролю.",
            "This passkey is not registered. Sign in with your password.",
        ),
        "passkeys.err_duplicate" => (
            "Этот ключ доступа уже добавлен.",
            "This passkey has already been added.",
        ),
        "passkeys.err_flagged" => (
            "Ключ доступа заблокирован: возможно, он скопирован. Войдите по паролю и удалите его.",
            "The passkey is blocked because it may have been copied. Sign in with your password and remove it.",
        ),
        "passkeys.err_browser" => (
            "Браузер не смог использовать ключ доступа.",
            "The browser could not use a passkey.",
        ),
        "admin.title" => (
            "Консоль администратора безопасности",
            "Security administration console",
        ),
        "admin.signin_vhod" => (
            "Войти через vhod (пароль и второй фактор)",
            "Sign in with vhod (password and a second factor)",
        ),
        "admin.signin_failed" => (
            "Вход в консоль не удался. Начните заново.",
            "Signing in to the console failed. Start again.",
        ),
        "admin.needs_second_factor" => (
            "Для консоли нужен вход с подтверждением: подключите приложение-аутентификатор или вход по SMS в разделе «Безопасность».",
            "The console needs a two-step sign-in: connect an authenticator app or SMS sign-in under Security.",
        ),
        "admin.token" => ("Токен доступа", "Access token"),
        "admin.token_help" => (
            "Токен выдаёт команда vhod admin bootstrap-token; он действует ограниченное время.",
            "Tokens come from vhod admin bootstrap-token and expire.",
        ),
        "admin.bad_token" => (
            "Токен неизвестен или истёк",
            "The token is unknown or expired",
        ),
        "admin.forbidden" => (
            "Недостаточно прав для этого действия.",
            "You may not do this.",
        ),
        "admin.keys" => ("Ключи подписи", "Signing keys"),
        "admin.state" => ("Состояние", "State"),
        "admin.reason" => ("Причина", "Reason"),
        "admin.revoke" => ("Отозвать", "Revoke"),
        "admin.rotate" => ("Новый ключ", "New key"),
        "admin.now" => ("Сразу подписывать новым ключом", "Sign with it at once"),
        "admin.clients" => ("Порталы (клиенты)", "Portals (clients)"),
        "admin.name" => ("Название", "Name"),
        "admin.disable" => ("Отключить", "Disable"),
        "admin.admins" => ("Администраторы и операторы", "Administrators and operators"),
        "admin.role" => ("Роль", "Role"),
        "admin.grant" => ("Назначить", "Grant"),
        "admin.audit" => ("Журнал аудита", "Audit log"),
        "logout.done" => ("Вы вышли из учётной записи.", "You have signed out."),
        "consent.title" => (
            "Разрешение доступа к персональным данным",
            "Access to your personal data",
        ),
        "consent.asks" => (
            "запрашивает доступ к следующим данным:",
            "asks for access to the following data:",
        ),
        "consent.allow" => ("Предоставить", "Allow"),
        "consent.deny" => ("Отказать", "Deny"),
        "error.title" => ("Ошибка", "Error"),
        "error.csrf" => (
            "Форма устарела или отправлена не с этой страницы. Обновите страницу и попробуйте ещё раз.",
            "The form has expired or was not sent from this page. Reload the page and try again.",
        ),
        "error.bad_request" => ("Некорректный запрос.", "Bad request."),
        "error.unknown_client" => (
            "Портал, с которого вы пришли, не зарегистрирован в системе.",
            "The portal you came from is not registered.",
        ),
        "error.bad_redirect" => (
            "Адрес возврата не совпадает с зарегистрированным для портала. Вход прерван ради вашей безопасности.",
            "The return address does not match the one registered for the portal. Sign-in stopped for your safety.",
        ),
        "error.missing_redirect" => (
            "В запросе портала нет адреса возврата (redirect_uri).",
            "The portal's request has no return address (redirect_uri).",
        ),
        "error.tx_expired" => (
            "Время на вход истекло. Вернитесь на портал и начните заново.",
            "The sign-in has expired. Go back to the portal and start again.",
        ),
        "error.not_found" => ("Страница не найдена.", "Page not found."),
        "error.internal" => (
            "Внутренняя ошибка. Код запроса:",
            "Internal error. Request id:",
        ),
        "outbox.title" => (
            "Исходящие сообщения (режим разработки)",
            "Outbox (development mode)",
        ),
        "demo.title" => ("Демонстрационный портал", "Demo portal"),
        "demo.login" => ("Войти через vhod", "Sign in with vhod"),
        "demo.id_token" => (
            "Проверенные утверждения ID-токена",
            "Verified ID token claims",
        ),
        "demo.userinfo" => ("Ответ userinfo", "Userinfo response"),
        "demo.failed" => ("Вход не удался:", "Sign-in failed:"),
        _ => super::i18n_qes::text(key),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn every_key_used_in_templates_has_both_languages() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/templates");
        let mut missing = vec![];
        for entry in std::fs::read_dir(dir).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            for part in text.split("t.s(\"").skip(1) {
                let key = part.split('"').next().unwrap();
                let (ru, en) = text_of(key);
                if ru.is_empty() || en.is_empty() {
                    missing.push(key.to_string());
                }
            }
        }
        assert!(missing.is_empty(), "untranslated keys: {missing:?}");
    }

    #[test]
    fn fluent_texts_equal_the_old_tables() {
        let mut n = 0;
        let mut diff = vec![];
        for lang in [Lang::Ru, Lang::En] {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("locales").join(lang.code());
            for entry in std::fs::read_dir(dir).unwrap() {
                let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
                for line in text.lines() {
                    if !line.starts_with(|c: char| c.is_ascii_alphabetic()) {
                        continue;
                    }
                    let key = line.split('=').next().unwrap().trim().replace('-', ".");
                    let old = OldTr::new(lang).s(&key);
                    let new = Tr::new(lang).s(&key);
                    n += 1;
                    if old != new {
                        diff.push(format!("{key}: {old:?} != {new:?}"));
                    }
                }
            }
        }
        assert_eq!(n, 872);
        assert_eq!(diff.len(), 8, "{diff:#?}");
        eprintln!("{diff:#?}");
    }

    fn text_of(key: &str) -> (&'static str, &'static str) {
        crate::web::i18n_identity::text(key).unwrap_or_else(|| text(key))
    }
}
