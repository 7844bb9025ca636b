### The security administration console.

admin-confirm_title = Подтверждение личности в центре обслуживания
admin-confirm_hint = Найдите человека по СНИЛС и паспорту, проверьте документ и подтвердите.
admin-confirm = Подтвердить личность
admin-title = Консоль администратора безопасности
admin-signin_vhod = Войти через vhod (пароль и второй фактор)
admin-signin_failed = Вход в консоль не удался. Начните заново.
admin-needs_second_factor = Для консоли нужен вход с подтверждением: подключите приложение-аутентификатор или вход по SMS в разделе «Безопасность».
admin-token = Токен доступа
admin-token_help = Токен выдаёт команда vhod admin bootstrap-token; он действует ограниченное время.
admin-bad_token = Токен неизвестен или истёк
admin-forbidden = Недостаточно прав для этого действия.
admin-keys = Ключи подписи
admin-state = Состояние
admin-reason = Причина
admin-revoke = Отозвать
admin-rotate = Новый ключ
admin-now = Сразу подписывать новым ключом
admin-clients = Порталы (клиенты)
admin-name = Название
admin-disable = Отключить
admin-admins = Администраторы и операторы
admin-role = Роль
admin-grant = Назначить
admin-audit = Журнал аудита
