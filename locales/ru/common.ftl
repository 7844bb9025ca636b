### Texts every page shares: brand, footer, home page, error pages, the development outbox and the demo portal.

brand = vhod — единая учётная запись

footer = Единая система идентификации и аутентификации

home-title = Единая учётная запись для государственных услуг
home-demo = Демонстрационный портал

error-rate_limited = Слишком много запросов. Подождите минуту и повторите.
error-logout_request = Некорректный запрос на выход из учётной записи.
error-title = Ошибка
error-csrf = Форма устарела или отправлена не с этой страницы. Обновите страницу и попробуйте ещё раз.
error-bad_request = Некорректный запрос.
error-unknown_client = Портал, с которого вы пришли, не зарегистрирован в системе.
error-bad_redirect = Адрес возврата не совпадает с зарегистрированным для портала. Вход прерван ради вашей безопасности.
error-missing_redirect = В запросе портала нет адреса возврата (redirect_uri).
error-tx_expired = Время на вход истекло. Вернитесь на портал и начните заново.
error-not_found = Страница не найдена.
error-internal = Внутренняя ошибка. Код запроса:
error-method_not_allowed = Эта страница открывается только из формы. Вернитесь назад и повторите действие или начните с главной страницы.
error-body_timeout = Форма передавалась слишком долго и не была принята. Проверьте подключение к интернету и отправьте её ещё раз.
error-request_id = Код запроса:
error-home = На главную

outbox-title = Исходящие сообщения (режим разработки)
outbox-banner_title = РЕЖИМ РАЗРАБОТКИ: сообщения никуда не отправляются
outbox-banner = Эта страница показывает всем, без входа, каждый код из SMS и каждую ссылку восстановления. Никогда не включайте режим разработки на рабочем сервере (dev.enabled = false).

demo-title = Демонстрационный портал
demo-login = Войти через vhod
demo-id_token = Проверенные утверждения ID-токена
demo-userinfo = Ответ userinfo
demo-failed = Вход не удался. Попробуйте ещё раз.
demo-err_denied = Вы отказались передать сведения порталу — вход не выполнен. Войти можно снова в любой момент.
demo-err_login = Нужно войти в учётную запись vhod.
demo-detail = Ответ сервиса:
demo-signed_in = Вы вошли на портал через vhod.
demo-all_claims = Сведения, которые портал получил
demo-sign_out = Выйти
demo-login_again = Войти снова

# Around every page: the skip link, the language switcher (named in the language it switches to),
# support contacts and the documents accepted at registration.
chrome-skip = Перейти к содержанию
chrome-language = Язык
chrome-switch = English
chrome-support = Служба поддержки:
chrome-terms = Пользовательское соглашение
chrome-privacy = Политика конфиденциальности
chrome-signed_in_as = Вы вошли как
chrome-not_you = Не вы? Выйти
chrome-show_password = Показать пароль
chrome-hide_password = Скрыть пароль
# Shown under a phone or SNILS field as it is typed: «Будет прочитано как: +7 (912) 345-67-01».
chrome-read_as = Будет прочитано как:
