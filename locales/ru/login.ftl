### Signing in and out: the login form, the "not a robot" check, the lock, two-step sign-in.

login-forgot = Забыли пароль?
login-title = Вход
login-for_portal = для входа на портал
login-login = Логин
login-login_help = Телефон, почта или СНИЛС
login-password = Пароль
login-foreign = Чужой компьютер
login-submit = Войти
login-not_registered = Еще не зарегистрированы?
login-register = Зарегистрироваться
login-pow_required = Было несколько неудачных попыток входа. Подтвердите, что вы не робот: страница выполнит короткую проверку, затем нажмите «Войти».
login-pow_failed = Проверка «не робот» не пройдена или устарела. Дождитесь новой проверки и повторите вход.
login-pow_working = Проверяем, что вы не робот…
login-pow_done = Проверка пройдена, можно входить.
# $minutes: how long the lock lasts (login.lock_secs / 60).
login-locked =
    Вход по паролю временно заблокирован на { $minutes } { $minutes ->
        [one] минуту
        [few] минуты
       *[many] минут
    } из-за частых неудачных попыток. Восстановите пароль, чтобы снять блокировку, или войдите другим способом.
login-invalid = Неверные логин или пароль
login-caps_hint = Проверьте, не включён ли Caps Lock и выбрана ли английская раскладка клавиатуры.
login-passkey = Войти с ключом доступа (отпечаток, лицо, PIN устройства)
# $seconds: the wait before the check may be skipped (login.pow_wait_secs, or what is left of it).
login-pow_nojs =
    Если проверка не запускается (например, JavaScript выключен), подождите { $seconds } { $seconds ->
        [one] секунду
        [few] секунды
       *[many] секунд
    } и нажмите «Войти».

second-sms_to = Код отправлен в SMS на номер
second-sms_choice = Или получите код в SMS на номер
second-sms_send = Получить код по SMS
second-sms_code = Код из SMS
second-sms_resend = Отправить код ещё раз
second-sms_sent = Новый код отправлен.
second-sms_too_early = Повторно отправить код можно через
second-seconds = с
second-sms_limit = Слишком много SMS на этот номер или с этого адреса. Попробуйте позже или войдите другим способом.
second-sms_expired = Срок действия кода истёк. Запросите новый код.
second-no_code = Код не пришёл?
second-no_code_help = Проверьте, что номер телефона в профиле верный и телефон в сети; SMS может прийти с задержкой до минуты. Через минуту запросите код ещё раз. Если SMS не доходят, войдите с кодом из приложения или резервным кодом либо обратитесь в центр обслуживания.
second-too_many_codes = Слишком много неверных кодов. Запросите новый код.
second-title = Вход с подтверждением
second-totp_code = Код из приложения-аутентификатора
second-submit = Подтвердить
second-use_recovery = Нет доступа к приложению? Войти с резервным кодом
second-recovery_code = Резервный код
second-wrong = Неверный код.
second-reused = Этот код уже использован. Дождитесь следующего кода в приложении.
second-recovery_wrong = Неверный или уже использованный резервный код.
second-too_many = Слишком много неверных кодов. Войдите заново.
second-expired = Время подтверждения входа истекло. Войдите заново.

logout-title = Выход
logout-question = Выйти из учётной записи на этом устройстве?
logout-asked_by = Выход запрошен порталом
logout-done = Вы вышли из учётной записи.

# The message to the owner when password sign-in is locked ($minutes from login.lock_secs).
notify-lock_body =
    Вход по паролю в вашу учётную запись заблокирован на { $minutes } { $minutes ->
        [one] минуту
        [few] минуты
       *[many] минут
    }: слишком много неудачных попыток входа (причина блокировки). Если это были не вы, восстановите пароль — это снимет блокировку. Вход другими способами (электронная подпись, ключ доступа) работает.
