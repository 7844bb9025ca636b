### The account page: levels, contacts and addresses, sessions, deleting the account.

account-recovered = Пароль изменён. Все другие сеансы завершены.
account-title = Мои данные
account-registered = Учётная запись создана.
account-level = Уровень учётной записи
account-contacts = Контакты
account-confirmed = подтверждён
account-logout = Выйти
account-end_all = Завершить все сеансы
account-sessions = Активных сеансов:
account-passkeys = Ключи доступа (вход по отпечатку, лицу или PIN устройства)

delete-title = Удаление учётной записи
delete-warning = Учётная запись будет удалена безвозвратно: персональные данные, документы, разрешения порталов и все сеансы. Восстановить её будет нельзя.
delete-type = Чтобы подтвердить, введите слово «безвозвратно»
delete-submit = Удалить учётную запись
delete-not_fresh = Для удаления войдите заново: вход должен быть выполнен не более 5 минут назад.
delete-relogin = Войти заново
delete-confirm_needed = Удаление не подтверждено: введите слово «безвозвратно».
# The word typed to confirm (compared ignoring case and surrounding spaces).
delete-word = безвозвратно
delete-done = Учётная запись удалена безвозвратно.

contacts-change = Изменить или добавить телефон или почту
contacts-hint = Новый контакт заменит прежний только после ввода кода, отправленного на него; до этого вход и уведомления идут на прежний.
contacts-new = Новый телефон или почта
contacts-sent = Код отправлен на новый контакт.
contacts-invalid = Укажите мобильный телефон или адрес электронной почты.
contacts-taken = Этот контакт уже используется в другой учётной записи.
contacts-same = Это уже ваш контакт.
contacts-no_change = Нет изменения, ожидающего кода. Начните заново.
contacts-addresses = Адреса
contacts-prg = Адрес регистрации
contacts-plv = Адрес места проживания
contacts-save = Сохранить адреса
contacts-address_too_long = Адрес слишком длинный (не более 300 символов).

level-simplified = Упрощённая
level-standard = Стандартная
level-confirmed = Подтверждённая
account-time_zone = Часовой пояс
account-time_zone_help = В нём показываются даты и время на страницах учётной записи: входы, сеансы, история уровня.
account-time_zone_save = Сохранить часовой пояс
account-time_zone_unknown = Такого часового пояса нет в списке. Выберите пояс из списка.
