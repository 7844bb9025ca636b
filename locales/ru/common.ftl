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
error-request_id = Код запроса:
error-home = На главную

outbox-title = Исходящие сообщения (режим разработки)
outbox-banner_title = РЕЖИМ РАЗРАБОТКИ: сообщения никуда не отправляются
outbox-banner = Эта страница показывает всем, без входа, каждый код из SMS и каждую ссылку восстановления. Никогда не включайте режим разработки на рабочем сервере (dev.enabled = false).

demo-title = Демонстрационный портал
demo-login = Войти через vhod
demo-id_token = Проверенные утверждения ID-токена
demo-userinfo = Ответ userinfo
demo-failed = Вход не удался:
