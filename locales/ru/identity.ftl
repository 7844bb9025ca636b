### Identity: documents, account levels and how they were reached, code letters, the partner bank, other records.

docs-title = Документы и уровень учётной записи
docs-checking = Идёт проверка данных в ведомствах. Результат придёт в уведомлениях, по SMS или e-mail.
docs-documents = Документы
docs-none = Документы не добавлены.
docs-request_standard = Ввести СНИЛС и паспорт для стандартной учётной записи
docs-history = История изменения уровня
docs-feed = Уведомления
docs-back = Вернуться в личный кабинет
docs-back_docs = Вернуться к документам

doc-snils = СНИЛС
doc-passport_rf = Паспорт гражданина РФ
doc-foreign_id = Документ, удостоверяющий личность иностранного гражданина
doc-status-verifying = проверка
doc-status-verified = проверено
doc-status-rejected = не подтверждено
doc-status-failed = проверка не завершена
doc-drivers_licence = Водительское удостоверение
doc-inn = ИНН
doc-medical_policy = Полис ОМС
doc-vehicle = Транспортное средство
doc-child = Ребёнок

method-registration = регистрация
method-registry = проверка в ведомствах
method-document_changed = изменён подтверждённый документ
method-service_centre = в центре обслуживания
method-code_letter = код подтверждения по почте
method-qes = электронная подпись
method-bank = через банк

standard-title = Стандартная учётная запись
standard-intro = Укажите СНИЛС и данные паспорта. Данные проверяются в Социальном фонде России и МВД; до окончания проверки уже подтверждённые данные не меняются.
standard-patronymic = Отчество (при наличии)
standard-birth_date = Дата рождения
standard-birthplace = Место рождения
standard-gender = Пол
standard-male = мужской
standard-female = женский
standard-document = Документ, удостоверяющий личность
standard-series = Серия
standard-number = Номер
standard-issued = Дата выдачи
standard-issuer_code = Код подразделения
standard-country = Гражданство (код страны, для иностранцев)
standard-submit = Отправить на проверку
standard-submitted = Данные отправлены на проверку. Результат придёт в уведомлениях.
standard-bad_snils = СНИЛС указан неверно: 11 цифр, контрольное число должно совпадать
standard-bad_document = Данные документа указаны неверно: серия — 4 цифры, номер — 6 цифр, код подразделения — NNN-NNN
standard-bad_country = Укажите код страны из трёх латинских букв
standard-bad_date = Дата указана неверно
standard-bad_name = Фамилия, имя и отчество пишутся буквами, через дефис или пробел
standard-bad_birthplace = Укажите место рождения
standard-bad_gender = Укажите пол
standard-running = Проверка данных уже идёт. Дождитесь её результата.
standard-snils_taken = Этот СНИЛС уже используется в другой учётной записи. Обратитесь в центр обслуживания.
standard-unchanged = Эти данные уже проверены.

letter-title = Подтвердить личность кодом из письма
letter-address = Адрес регистрации
# $valid-days: identity.letter_valid_days; $reorder-days: identity.letter_reorder_days.
letter-hint =
    Письмо с кодом подтверждения доставляется Почтой России. Код действует { $valid-days } { $valid-days ->
        [one] день
        [few] дня
       *[many] дней
    }; новое письмо можно заказать через { $reorder-days } { $reorder-days ->
        [one] день
        [few] дня
       *[many] дней
    }. Некоторые порталы не принимают этот способ подтверждения.
letter-order = Заказать письмо
letter-ordered = Письмо с кодом подтверждения заказано.
letter-enter_title = Ввести код из письма
letter-code = Код подтверждения
letter-confirm = Подтвердить
letter-confirmed = Учётная запись подтверждена.
letter-not_standard = Письмо с кодом доступно только для стандартной учётной записи.
# $reorder-days: identity.letter_reorder_days.
letter-too_soon =
    Новое письмо можно заказать через { $reorder-days } { $reorder-days ->
        [one] день
        [few] дня
       *[many] дней
    } после предыдущего.
letter-no_address = Укажите адрес регистрации.
letter-none = Письмо с кодом не заказано.
letter-expired = Срок действия кода истёк. Закажите новое письмо.
letter-wrong_code = Неверный код подтверждения.
letter-too_many = Слишком много неверных попыток. Закажите новое письмо или обратитесь в центр обслуживания.

required-title = Недостаточный уровень учётной записи
required-text = Для входа на этот портал нужна учётная запись уровня
required-how = Стандартная учётная запись: укажите СНИЛС и паспорт в личном кабинете — данные проверят ведомства. Подтверждённая: после проверки подтвердите личность в центре обслуживания, кодом из письма, электронной подписью или через банк.
required-raise = Повысить уровень учётной записи
required-back = Вернуться на портал

bank-title = Подтвердить через банк
bank-hint = Банк, который уже установил вашу личность, передаст фамилию, имя, дату рождения и СНИЛС; они должны совпасть с проверенными данными.
bank-button = Подтвердить через
bank-confirmed = Учётная запись подтверждена через банк.
bank-failed = Подтверждение через банк не выполнено

records-title = Другие документы, транспорт и дети
records-intro = Сведения проверяются в ведомствах (ГИБДД, ФОМС, ЗАГС) и передаются порталам только после проверки. Доступно для стандартной и подтверждённой учётной записи.
records-expires = Действительно до
records-vehicle_name = Марка и модель
records-plate = Государственный номер
records-reg_cert = Свидетельство о регистрации ТС (10 цифр)
records-birth_cert = Свидетельство о рождении (серия и номер)
records-bad_name = Название или имя указано неверно.
records-bad_plate = Государственный номер указан неверно (например, А123ВС77).
records-bad_number = Серия или номер документа указаны неверно.
records-needs_standard = Сначала получите стандартную учётную запись: укажите СНИЛС и паспорт.
