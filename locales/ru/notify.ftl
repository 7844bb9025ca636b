### SMS and e-mails vhod sends: codes and links, and notices about the account. Written in the
### language the person chose (the account's, else the page's). A text holds no HTML.

notify-account_subject = vhod: учётная запись

# Codes and links ($code, $link; $minutes of validity).
notify-reg_code_subject = Код подтверждения
notify-reg_code_body = Код подтверждения регистрации: { $code }. Никому не сообщайте его. Действует { $minutes } мин.
notify-reg_link_subject = Подтверждение электронной почты
notify-reg_link_body = Чтобы завершить регистрацию, перейдите по ссылке { $link } (действует { $minutes } мин).
notify-taken_subject = Попытка регистрации
notify-taken_body = Кто-то пытался зарегистрироваться в vhod с вашим номером телефона или почтой. У вас уже есть учётная запись: если это вы — войдите или восстановите пароль на { $link }. Если это были не вы, ничего не делайте.
notify-login_code_subject = Код подтверждения
notify-login_code_body = Код для входа в vhod: { $code }. Никому его не сообщайте. Действует { $minutes } мин.
notify-contact_code_subject = Подтверждение контакта
notify-contact_code_body = Код подтверждения нового контакта: { $code }. Никому не сообщайте его. Действует 10 мин.
notify-recover_subject = Восстановление доступа
notify-recover_code_body = Код для восстановления доступа: { $code }. Никому не сообщайте его. Действует 15 мин.
notify-recover_link_body = Чтобы восстановить доступ к учётной записи, перейдите по ссылке { $link } (действует 15 мин). Если это были не вы, ничего не делайте.
notify-recover_second_body = Второй код для восстановления доступа: { $code }. Никому не сообщайте его. Если это были не вы, смените пароль.
notify-qes_code_subject = Привязка электронной подписи
notify-qes_code_body = Код для привязки сертификата электронной подписи к учётной записи: { $code }. Никому не сообщайте его. Действует 5 мин. Если это были не вы, смените пароль.

# Notices about the account.
notify-contact_changed_subject = Контакт изменён
notify-contact_changed_body = В вашей учётной записи контакт заменён на { $contact }. Если это были не вы, восстановите доступ и обратитесь в поддержку.
notify-qes_bound_subject = Электронная подпись привязана
notify-qes_bound_body = К вашей учётной записи привязан сертификат электронной подписи: теперь с ним можно входить. Если это были не вы, смените пароль и отвяжите сертификат в настройках.
notify-lock_subject = Вход по паролю временно заблокирован
notify-new_device_subject = Вход с нового устройства
notify-new_device_body = Выполнен вход в вашу учётную запись с нового устройства: { $device }, IP { $ip }. Если это были не вы, смените пароль и завершите другие сеансы в разделе «Безопасность».
notify-unknown_device = неизвестное устройство
notify-deleted_subject = vhod: учётная запись удалена
notify-deleted_body = Ваша учётная запись удалена безвозвратно вместе с персональными данными и разрешениями порталов.
notify-password_recovered = Пароль учётной записи восстановлен, все сеансы завершены. Если это были не вы, обратитесь в службу поддержки.
notify-passkey_added = Добавлен ключ доступа «{ $name }». Если это были не вы, удалите его в настройках и смените пароль.
notify-passkey_removed = Ключ доступа «{ $name }» удалён из учётной записи.
notify-passkey_clone = Вход с ключом доступа «{ $name }» заблокирован: возможно, ключ скопирован. Удалите его в настройках и добавьте заново.

# Account levels and checks ($reason as the registry gave it).
notify-document_changed = Вы изменили подтверждённый документ. Уровень учётной записи — «Стандартная» до проверки новых данных.
notify-check_failed = Проверка данных не пройдена: { $reason }.
notify-check_retry = Повторите попытку через 14 дней.
notify-checked = Сведения проверены в ведомстве.
notify-snils_in_use = СНИЛС уже используется в другой учётной записи
notify-standard = Данные проверены. Уровень учётной записи — «Стандартная». Теперь по СНИЛС можно входить.
notify-check_unfinished = Проверка данных не завершена: ведомство не ответило на запрос. Повторите попытку позже.
notify-confirmed = Учётная запись подтверждена. Уровень учётной записи — «Подтверждённая».
notify-letter_ordered = Заказано письмо с кодом подтверждения личности. Код действует 14 дней с момента заказа.
notify-bank_mismatch = Подтверждение через банк не выполнено: данные банка не совпадают с проверенными данными учётной записи.
