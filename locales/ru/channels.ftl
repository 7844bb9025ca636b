### The channel for sign-in codes and approvals (security settings).
channels-title = Куда присылать коды и запросы на вход
channels-help = Коды двухэтапного входа и запросы на подтверждение входа приходят сюда.
channels-sms = SMS на подтверждённый телефон
channels-push = Push-уведомление (мессенджер или приложение)
channels-email = Электронная почта
channels-save = Сохранить
channels-unavailable = Этот способ сейчас нельзя выбрать.
channels-code_by_push = Код отправлен push-уведомлением (в мессенджер или приложение), как вы выбрали в настройках безопасности.
channels-code_by_email = Код отправлен на вашу электронную почту, как вы выбрали в настройках безопасности.
