# Sign-in approved on another device: the device grant's page (/device) and CIBA's approval page (/ciba).

device-title = Вход на другом устройстве
device-intro = Введите код, который показывает телевизор, терминал или другое устройство. Код не зависит от регистра, дефис можно не вводить.
device-code_label = Код с экрана устройства
device-continue = Продолжить
device-unknown_code = Такого кода нет или его срок истёк. Проверьте код на экране устройства.
device-too_many = Слишком много неверных кодов с этого адреса. Попробуйте через час.
device-approve_title = Разрешить вход на устройстве?
device-asks = просит войти на устройстве от вашего имени и получить:
device-code_shown = Вы ввели код:
device-only_yours = Разрешайте, только если вы сами начали вход на этом устройстве и видите на нём тот же код.
device-allow = Разрешить
device-deny = Отказать

ciba-title = Подтвердите вход
ciba-asks = просит подтвердить, что это вы, и получить:
ciba-binding = Сообщение от портала:
ciba-binding_check = Оно должно совпадать с сообщением, которое видите вы или называет оператор.
ciba-not_you = Если вы не обращались в эту организацию, нажмите «Отказать».
ciba-allow = Подтвердить
ciba-deny = Отказать
ciba-other_person = Этот запрос адресован другому человеку. Войдите под своей учётной записью.
ciba-notify_subject = Подтвердите вход
# $portal: the portal's name; $message: its binding_message; $link: the approval page.
ciba-notify_body = { $portal } просит подтвердить вход. Сообщение: { $message }. Подтвердить или отказать: { $link }
ciba-banner = просит подтвердить вход.
ciba-banner_open = Открыть запрос

backchannel-level_too_low = Уровень вашей учётной записи ниже, чем требует портал.
backchannel-unmet = Портал требует более надёжного входа (второй фактор или электронная подпись), а в вашей учётной записи его нет.
backchannel-gone = Запрос не найден: его срок истёк или решение уже принято.
backchannel-done_title = Готово
backchannel-approved = Вы разрешили вход для портала
backchannel-return = Вернитесь к устройству: вход продолжится на нём.
backchannel-denied = Вы отказали в доступе порталу
backchannel-to_account = В личный кабинет
