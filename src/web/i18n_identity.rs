//! Interface texts of the identity pages (account levels, documents, code letters), kept apart from
//! the main table so the pages of one capability read together. Russian wording from REQUIREMENTS §1.

pub fn text(key: &str) -> Option<(&'static str, &'static str)> {
    Some(match key {
        "docs.title" => (
            "Документы и уровень учётной записи",
            "Documents and account level",
        ),
        "docs.checking" => (
            "Идёт проверка данных в ведомствах. Результат придёт в уведомлениях, по SMS или e-mail.",
            "Your data is being checked by the state registries. The result will arrive as a notification, by SMS or e-mail.",
        ),
        "docs.documents" => ("Документы", "Documents"),
        "docs.none" => ("Документы не добавлены.", "No documents yet."),
        "docs.request_standard" => (
            "Ввести СНИЛС и паспорт для стандартной учётной записи",
            "Enter SNILS and passport for a standard account",
        ),
        "docs.history" => ("История изменения уровня", "Account level history"),
        "docs.feed" => ("Уведомления", "Notifications"),
        "docs.back" => ("Вернуться в личный кабинет", "Back to my account"),
        "docs.back_docs" => ("Вернуться к документам", "Back to documents"),
        "doc.snils" => ("СНИЛС", "SNILS"),
        "doc.passport_rf" => ("Паспорт гражданина РФ", "Russian passport"),
        "doc.foreign_id" => (
            "Документ, удостоверяющий личность иностранного гражданина",
            "Foreign national's identity document",
        ),
        "doc.status.verifying" => ("проверка", "verifying"),
        "doc.status.verified" => ("проверено", "verified"),
        "doc.status.rejected" => ("не подтверждено", "rejected"),
        "doc.status.failed" => ("проверка не завершена", "check not completed"),
        "method.registration" => ("регистрация", "registration"),
        "method.registry" => ("проверка в ведомствах", "registry check"),
        "method.document_changed" => (
            "изменён подтверждённый документ",
            "a verified document was changed",
        ),
        "method.service_centre" => ("в центре обслуживания", "at a service centre"),
        "method.code_letter" => ("код подтверждения по почте", "code letter"),
        "method.qes" => ("электронная подпись", "qualified electronic signature"),
        "method.bank" => ("через банк", "through a partner bank"),
        "standard.title" => ("Стандартная учётная запись", "Standard account"),
        "standard.intro" => (
            "Укажите СНИЛС и данные паспорта. Данные проверяются в Социальном фонде России и МВД; до окончания проверки уже подтверждённые данные не меняются.",
            "Enter your SNILS and passport. They are checked with the Social Fund of Russia and the Ministry of Internal Affairs; verified data stays as it is until the check ends.",
        ),
        "standard.patronymic" => ("Отчество (при наличии)", "Patronymic (if any)"),
        "standard.birth_date" => ("Дата рождения", "Date of birth"),
        "standard.birthplace" => ("Место рождения", "Place of birth"),
        "standard.gender" => ("Пол", "Sex"),
        "standard.male" => ("мужской", "male"),
        "standard.female" => ("женский", "female"),
        "standard.document" => ("Документ, удостоверяющий личность", "Identity document"),
        "standard.series" => ("Серия", "Series"),
        "standard.number" => ("Номер", "Number"),
        "standard.issued" => ("Дата выдачи", "Date of issue"),
        "standard.issuer_code" => ("Код подразделения", "Issuing office code"),
        "standard.country" => (
            "Гражданство (код страны, для иностранцев)",
            "Citizenship (country code, for foreigners)",
        ),
        "standard.submit" => ("Отправить на проверку", "Send for checking"),
        "standard.submitted" => (
            "Данные отправлены на проверку. Результат придёт в уведомлениях.",
            "Your data has been sent for checking. The result will arrive as a notification.",
        ),
        "standard.bad_snils" => (
            "СНИЛС указан неверно: 11 цифр, контрольное число должно совпадать",
            "The SNILS is wrong: 11 digits with a matching check number",
        ),
        "standard.bad_document" => (
            "Данные документа указаны неверно: серия — 4 цифры, номер — 6 цифр, код подразделения — NNN-NNN",
            "The document is wrong: series 4 digits, number 6 digits, office code NNN-NNN",
        ),
        "standard.bad_country" => (
            "Укажите код страны из трёх латинских букв",
            "Enter a three-letter country code",
        ),
        "standard.bad_date" => ("Дата указана неверно", "The date is wrong"),
        "standard.bad_name" => (
            "Фамилия, имя и отчество пишутся буквами, через дефис или пробел",
            "Names are letters, with hyphens or spaces",
        ),
        "standard.bad_birthplace" => ("Укажите место рождения", "Enter the place of birth"),
        "standard.bad_gender" => ("Укажите пол", "Choose the sex"),
        "standard.running" => (
            "Проверка данных уже идёт. Дождитесь её результата.",
            "A check is already running. Wait for its result.",
        ),
        "standard.snils_taken" => (
            "Этот СНИЛС уже используется в другой учётной записи. Обратитесь в центр обслуживания.",
            "This SNILS is used by another account. Visit a service centre.",
        ),
        "standard.unchanged" => (
            "Эти данные уже проверены.",
            "These data are already verified.",
        ),
        "letter.title" => (
            "Подтвердить личность кодом из письма",
            "Confirm your identity with a code letter",
        ),
        "letter.address" => ("Адрес регистрации", "Registration address"),
        "letter.hint" => (
            "Письмо с кодом подтверждения доставляется Почтой России. Код действует 14 дней; новое письмо можно заказать через 30 дней. Некоторые порталы не принимают этот способ подтверждения.",
            "The letter with the confirmation code comes by Russian Post. The code is valid 14 days; a new letter may be ordered after 30 days. Some portals do not accept this method.",
        ),
        "letter.order" => ("Заказать письмо", "Order the letter"),
        "letter.ordered" => (
            "Письмо с кодом подтверждения заказано.",
            "The code letter has been ordered.",
        ),
        "letter.enter_title" => ("Ввести код из письма", "Enter the code from the letter"),
        "letter.code" => ("Код подтверждения", "Confirmation code"),
        "letter.confirm" => ("Подтвердить", "Confirm"),
        "letter.confirmed" => ("Учётная запись подтверждена.", "Your account is confirmed."),
        "letter.not_standard" => (
            "Письмо с кодом доступно только для стандартной учётной записи.",
            "A code letter is available to standard accounts only.",
        ),
        "letter.too_soon" => (
            "Новое письмо можно заказать через 30 дней после предыдущего.",
            "A new letter may be ordered 30 days after the previous one.",
        ),
        "letter.no_address" => (
            "Укажите адрес регистрации.",
            "Enter the registration address.",
        ),
        "letter.none" => ("Письмо с кодом не заказано.", "No code letter was ordered."),
        "letter.expired" => (
            "Срок действия кода истёк. Закажите новое письмо.",
            "The code has expired. Order a new letter.",
        ),
        "letter.wrong_code" => ("Неверный код подтверждения.", "Wrong confirmation code."),
        "letter.too_many" => (
            "Слишком много неверных попыток. Закажите новое письмо или обратитесь в центр обслуживания.",
            "Too many wrong attempts. Order a new letter or visit a service centre.",
        ),
        "required.title" => (
            "Недостаточный уровень учётной записи",
            "Account level too low",
        ),
        "required.text" => (
            "Для входа на этот портал нужна учётная запись уровня",
            "This portal requires an account of level",
        ),
        "required.how" => (
            "Стандартная учётная запись: укажите СНИЛС и паспорт в личном кабинете — данные проверят ведомства. Подтверждённая: после проверки подтвердите личность в центре обслуживания, кодом из письма, электронной подписью или через банк.",
            "Standard: enter your SNILS and passport in your account for the registries to check. Confirmed: after that, confirm your identity at a service centre, with a code letter, an electronic signature or through a bank.",
        ),
        "required.raise" => ("Повысить уровень учётной записи", "Raise my account level"),
        "required.back" => ("Вернуться на портал", "Back to the portal"),
        "admin.confirm_title" => (
            "Подтверждение личности в центре обслуживания",
            "Identity confirmation at a service centre",
        ),
        "admin.confirm_hint" => (
            "Найдите человека по СНИЛС и паспорту, проверьте документ и подтвердите.",
            "Find the person by SNILS and passport, check the document and confirm.",
        ),
        "admin.confirm" => ("Подтвердить личность", "Confirm identity"),
        "recover.title" => ("Восстановить пароль", "Recover your password"),
        "recover.intro" => (
            "Укажите мобильный телефон, электронную почту или СНИЛС — либо серию и номер паспорта. Код придёт на подтверждённый телефон, ссылка — на подтверждённую почту.",
            "Enter your mobile phone, e-mail or SNILS — or your passport series and number. A code goes to your confirmed phone, a link to your confirmed e-mail.",
        ),
        "recover.login" => ("Телефон, почта или СНИЛС", "Phone, e-mail or SNILS"),
        "recover.or_passport" => ("или паспорт гражданина РФ:", "or a Russian passport:"),
        "recover.submit" => ("Продолжить", "Continue"),
        "recover.no_contact" => (
            "Нет доступа ни к телефону, ни к почте? Обратитесь в центр обслуживания с паспортом.",
            "No access to your phone or e-mail? Visit a service centre with your passport.",
        ),
        "recover.sent" => (
            "Если учётная запись найдена, мы отправили код на подтверждённый телефон или ссылку на подтверждённую почту.",
            "If the account exists, we have sent a code to its confirmed phone or a link to its confirmed e-mail.",
        ),
        "recover.code" => ("Код из SMS", "Code from the SMS"),
        "recover.bad_input" => (
            "Укажите телефон, почту, СНИЛС или серию и номер паспорта.",
            "Enter a phone, e-mail, SNILS or passport series and number.",
        ),
        "recover.expired" => (
            "Срок восстановления истёк. Начните заново.",
            "The recovery has expired. Start again.",
        ),
        "recover.wrong_code" => ("Неверный код.", "Wrong code."),
        "recover.too_many" => (
            "Слишком много неверных попыток. Начните заново.",
            "Too many wrong attempts. Start again.",
        ),
        "account.recovered" => (
            "Пароль изменён. Все другие сеансы завершены.",
            "Your password has been changed. All other sessions have ended.",
        ),
        "login.forgot" => ("Забыли пароль?", "Forgot your password?"),
        "delete.title" => ("Удаление учётной записи", "Delete the account"),
        "delete.warning" => (
            "Учётная запись будет удалена безвозвратно: персональные данные, документы, разрешения порталов и все сеансы. Восстановить её будет нельзя.",
            "The account will be deleted irreversibly: personal data, documents, portal permissions and every session. It cannot be restored.",
        ),
        "delete.type" => (
            "Чтобы подтвердить, введите слово «безвозвратно»",
            "To confirm, type the Russian word «безвозвратно» (irreversibly)",
        ),
        "delete.submit" => ("Удалить учётную запись", "Delete the account"),
        "delete.not_fresh" => (
            "Для удаления войдите заново: вход должен быть выполнен не более 5 минут назад.",
            "To delete the account, sign in again: the login must be less than 5 minutes old.",
        ),
        "delete.relogin" => ("Войти заново", "Sign in again"),
        "delete.confirm_needed" => (
            "Удаление не подтверждено: введите слово «безвозвратно».",
            "Deletion not confirmed: type «безвозвратно».",
        ),
        "delete.done" => (
            "Учётная запись удалена безвозвратно.",
            "The account has been deleted irreversibly.",
        ),
        "perm.title" => (
            "Разрешения доступа к персональным данным",
            "Permissions to access personal data",
        ),
        "perm.none" => (
            "Вы пока не разрешали порталам доступ к своим данным.",
            "You have not allowed any portal to access your data yet.",
        ),
        "perm.since" => ("с", "since"),
        "perm.revoke" => ("Отозвать", "Revoke"),
        "bank.title" => ("Подтвердить через банк", "Confirm through a bank"),
        "bank.hint" => (
            "Банк, который уже установил вашу личность, передаст фамилию, имя, дату рождения и СНИЛС; они должны совпасть с проверенными данными.",
            "A bank that has identified you passes your surname, name, birth date and SNILS; they must match your verified data.",
        ),
        "bank.button" => ("Подтвердить через", "Confirm through"),
        "bank.confirmed" => (
            "Учётная запись подтверждена через банк.",
            "Your account is confirmed through the bank.",
        ),
        "bank.failed" => (
            "Подтверждение через банк не выполнено",
            "Confirmation through the bank failed",
        ),
        "contacts.change" => (
            "Изменить или добавить телефон или почту",
            "Change or add a phone or e-mail",
        ),
        "contacts.hint" => (
            "Новый контакт заменит прежний только после ввода кода, отправленного на него; до этого вход и уведомления идут на прежний.",
            "A new contact replaces the old one only after you enter the code sent to it; until then the old one stays your login.",
        ),
        "contacts.new" => ("Новый телефон или почта", "New phone or e-mail"),
        "contacts.sent" => (
            "Код отправлен на новый контакт.",
            "A code has been sent to the new contact.",
        ),
        "contacts.invalid" => (
            "Укажите мобильный телефон или адрес электронной почты.",
            "Enter a mobile phone or an e-mail address.",
        ),
        "contacts.taken" => (
            "Этот контакт уже используется в другой учётной записи.",
            "This contact is used by another account.",
        ),
        "contacts.same" => ("Это уже ваш контакт.", "This is already your contact."),
        "contacts.no_change" => (
            "Нет изменения, ожидающего кода. Начните заново.",
            "No change is waiting for a code. Start again.",
        ),
        "contacts.addresses" => ("Адреса", "Addresses"),
        "contacts.prg" => ("Адрес регистрации", "Registration address"),
        "contacts.plv" => ("Адрес места проживания", "Residence address"),
        "contacts.save" => ("Сохранить адреса", "Save the addresses"),
        "contacts.address_too_long" => (
            "Адрес слишком длинный (не более 300 символов).",
            "The address is too long (300 characters at most).",
        ),
        "records.title" => (
            "Другие документы, транспорт и дети",
            "Other documents, vehicles and children",
        ),
        "records.intro" => (
            "Сведения проверяются в ведомствах (ГИБДД, ФОМС, ЗАГС) и передаются порталам только после проверки. Доступно для стандартной и подтверждённой учётной записи.",
            "Records are checked with the registries (traffic police, health insurance fund, civil registry) and reach portals only once verified. Available to standard and confirmed accounts.",
        ),
        "records.expires" => ("Действительно до", "Valid until"),
        "records.vehicle_name" => ("Марка и модель", "Make and model"),
        "records.plate" => ("Государственный номер", "Number plate"),
        "records.reg_cert" => (
            "Свидетельство о регистрации ТС (10 цифр)",
            "Vehicle registration certificate (10 digits)",
        ),
        "records.birth_cert" => (
            "Свидетельство о рождении (серия и номер)",
            "Birth certificate (series and number)",
        ),
        "records.bad_name" => ("Название или имя указано неверно.", "The name is wrong."),
        "records.bad_plate" => (
            "Государственный номер указан неверно (например, А123ВС77).",
            "The number plate is wrong (e.g. А123ВС77).",
        ),
        "records.bad_number" => (
            "Серия или номер документа указаны неверно.",
            "The document series or number is wrong.",
        ),
        "records.needs_standard" => (
            "Сначала получите стандартную учётную запись: укажите СНИЛС и паспорт.",
            "First reach the standard level: enter your SNILS and passport.",
        ),
        "doc.drivers_licence" => ("Водительское удостоверение", "Driving licence"),
        "doc.medical_policy" => ("Полис ОМС", "Medical insurance policy"),
        "doc.vehicle" => ("Транспортное средство", "Vehicle"),
        "doc.child" => ("Ребёнок", "Child"),
        _ => return None,
    })
}
