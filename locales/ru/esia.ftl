### Поверхность протокола ЕСИА (/aas/oauth2/…): отказы в виде страниц, данные, которые называют только области доступа ЕСИА.

esia-error-007002 = ESIA-007002: сертификат портала не совпадает с зарегистрированным для него. Вход остановлен.
esia-error-007003 = ESIA-007003: в запросе портала неверный или повторяющийся параметр. Вернитесь на портал и попробуйте снова.
esia-error-007005 = ESIA-007005: этот портал не зарегистрирован для входа по протоколу ЕСИА.
esia-error-007014 = ESIA-007014: в запросе портала нет обязательного параметра (client_id или redirect_uri).
esia-error-007023 = ESIA-007023: адрес возврата не совпадает с зарегистрированными для портала. Вход остановлен ради вашей безопасности.
esia-error-other = Запрос портала не может быть обработан. Вернитесь на портал и попробуйте снова.

esia-item-foreign_passport = Заграничный паспорт: серия, номер, дата выдачи, срок действия
esia-item-military_doc = Военный билет: серия, номер, дата выдачи
esia-item-residence_doc = Вид на жительство: серия, номер, дата выдачи
esia-item-usr_org = Организации, в которых вы состоите
esia-item-kid_gender = Дети: пол
esia-item-kid_snils = Дети: СНИЛС
esia-item-kid_inn = Дети: ИНН
esia-item-kid_birth_cert_doc = Дети: свидетельство о рождении
esia-item-kid_medical_doc = Дети: полис ОМС

## Organisation scopes (scope_org at v2/ac, client_credentials): what the portal learns about the chosen organisation
esia-item-org_shortname = Организация: краткое наименование
esia-item-org_fullname = Организация: полное наименование
esia-item-org_type = Организация: тип (юридическое лицо или индивидуальный предприниматель)
esia-item-org_ogrn = Организация: ОГРН или ОГРНИП
esia-item-org_inn = Организация: ИНН
esia-item-org_kpp = Организация: КПП
esia-item-org_ctts = Организация: телефон и электронная почта
esia-item-org_addrs = Организация: юридический и фактический адреса
esia-item-org_emps = Организация: список сотрудников и их роли (только для руководителя и администраторов)

## Choosing the organisation for a portal that asked organisation data (scope_org)
esia-orgsel-title = Выбор организации
esia-orgsel-asks = просит войти от имени организации. Выберите, от имени какой организации вы входите.
esia-orgsel-none = Вы не состоите ни в одной организации. Добавить организацию или принять приглашение можно в личном кабинете, раздел «Организации».
esia-orgsel-ogrn = ОГРН
esia-orgsel-continue = Продолжить
esia-orgsel-back = Вернуться на портал без входа
