### Passkeys: signing in with biometrics and managing the keys.

passkeys-title = Ключи доступа
passkeys-intro = Ключ доступа позволяет входить без пароля: отпечатком пальца, лицом или PIN-кодом устройства. Биометрические данные остаются на устройстве.
passkeys-none = Ключей доступа пока нет.
passkeys-created = Добавлен
passkeys-last_used = последний вход
passkeys-name = Название
passkeys-name_hint = Например, «Мой телефон»
passkeys-rename = Переименовать
passkeys-remove = Удалить
passkeys-add_title = Новый ключ доступа
passkeys-add = Добавить ключ доступа
passkeys-relogin = Войти заново
passkeys-back = Мои данные
passkeys-added = Ключ доступа добавлен.
passkeys-renamed = Ключ доступа переименован.
passkeys-removed = Ключ доступа удалён.
passkeys-flagged = Счётчик этого ключа пошёл назад — возможно, ключ скопирован. Вход с ним запрещён: удалите его и добавьте ключ заново.
passkeys-err_login_too_old = Чтобы добавить ключ доступа, войдите заново: с момента входа прошло больше 5 минут.
passkeys-err_login_required = Войдите в учётную запись.
passkeys-err_expired = Время на подтверждение истекло или запрос уже использован. Попробуйте ещё раз.
passkeys-err_rejected = Ключ доступа не принят. Попробуйте ещё раз или войдите по паролю.
passkeys-err_unknown = Этот ключ доступа не зарегистрирован. Войдите по паролю.
passkeys-err_duplicate = Этот ключ доступа уже добавлен.
passkeys-err_flagged = Ключ доступа заблокирован: возможно, он скопирован. Войдите по паролю и удалите его.
passkeys-err_browser = Браузер не смог использовать ключ доступа.
passkeys-err_unavailable = Вход по ключу доступа на этом адресе сервиса недоступен.
# What the browser said, in words (WebAuthn DOMException names).
passkeys-err_not_allowed = Вход с ключом доступа отменён или время ожидания истекло. Попробуйте ещё раз.
passkeys-err_invalid_state = Этот ключ доступа уже добавлен на этом устройстве.
passkeys-err_security = Браузер не разрешил использовать ключ доступа на этом адресе.
passkeys-err_not_supported = Это устройство или браузер не поддерживает ключи доступа.
passkeys-err_abort = Запрос ключа доступа прерван. Попробуйте ещё раз.
