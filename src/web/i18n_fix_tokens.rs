//! Interface texts of the "tokens" workstream of the fix-first issue (see web/i18n_fixes).

pub(super) fn text(key: &str) -> Option<(&'static str, &'static str)> {
    Some(match key {
        "outbox.banner_title" => (
            "РЕЖИМ РАЗРАБОТКИ: сообщения никуда не отправляются",
            "DEVELOPMENT MODE: messages are not sent",
        ),
        "outbox.banner" => (
            "Эта страница показывает всем, без входа, каждый код из SMS и каждую ссылку восстановления. \
             Никогда не включайте режим разработки на рабочем сервере (dev.enabled = false).",
            "This page shows anyone, without signing in, every SMS code and recovery link. \
             Never enable development mode in production (dev.enabled = false).",
        ),
        // The consent page: every item of data a portal receives (oidc/consent_items).
        "item.sub" => ("Идентификатор пользователя", "Your user identifier"),
        "item.account_level" => (
            "Уровень учётной записи (упрощённая, стандартная, подтверждённая) и способ его подтверждения",
            "Account level (simplified, standard, confirmed) and how it was reached",
        ),
        "item.fullname" => ("Фамилия, имя, отчество", "Surname, name and patronymic"),
        "item.updated_at" => (
            "Дата последнего изменения ваших данных",
            "When your data last changed",
        ),
        "item.birthdate" => ("Дата рождения", "Date of birth"),
        "item.gender" => ("Пол", "Gender"),
        "item.email" => (
            "Адрес электронной почты (подтверждённый)",
            "E-mail address (confirmed)",
        ),
        "item.phone" => (
            "Номер мобильного телефона (подтверждённый)",
            "Mobile phone number (confirmed)",
        ),
        "item.contacts" => (
            "Контакты: подтверждённые номер мобильного телефона и адрес электронной почты",
            "Contacts: confirmed mobile phone number and e-mail address",
        ),
        "item.snils" => ("СНИЛС", "SNILS (individual insurance account number)"),
        "item.inn" => ("ИНН", "INN (taxpayer number)"),
        "item.id_doc" => (
            "Документ, удостоверяющий личность (паспорт гражданина РФ или иностранный документ): вид, серия, номер, дата выдачи, код подразделения или страна выдачи",
            "Identity document (Russian passport or foreign document): type, series, number, date of issue, issuing office code or country",
        ),
        "item.birthplace" => ("Место рождения", "Place of birth"),
        "item.addresses" => (
            "Адреса регистрации и проживания",
            "Registration and residence addresses",
        ),
        "item.drivers_licence" => (
            "Водительское удостоверение: серия, номер, дата выдачи, срок действия",
            "Driving licence: series, number, date of issue, expiry date",
        ),
        "item.medical" => (
            "Полис ОМС: номер",
            "Compulsory medical insurance policy: number",
        ),
        "item.vehicles" => (
            "Транспортные средства: марка и модель, государственный номер, номер свидетельства о регистрации",
            "Vehicles: make and model, number plate, registration certificate number",
        ),
        "item.kid_fullname" => ("Дети: фамилия и имя", "Children: surname and name"),
        "item.kid_birthdate" => ("Дети: дата рождения", "Children: date of birth"),
        "item.verified_claims" => (
            "Сведения, проверенные по документу: фамилия, имя, отчество, дата и место рождения, пол, вид, серия, номер, дата выдачи и кем выдан документ, удостоверяющий личность, уровень и способ проверки",
            "Data checked against your document: surname, name, patronymic, date and place of birth, gender, the identity document's type, series, number, date of issue and issuer, the level and method of the check",
        ),
        "item.offline" => (
            "Доступ к этим данным, пока вы его не отзовёте (и когда вы не на портале)",
            "Access to this data until you withdraw it (also when you are not on the portal)",
        ),
        "consent.unverified" => (
            "в том числе ещё не проверенные ведомством сведения",
            "including data not yet checked by the registry",
        ),
        _ => return None,
    })
}
