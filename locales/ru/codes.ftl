### One-time codes by SMS or e-mail: resend waits and hourly limits.

codes-too_early = Код уже отправлен. Повторно отправить можно через
codes-sent_moment_ago = Код уже отправлен только что. Запросить новый можно чуть позже.
codes-limit = Слишком много кодов на этот номер или адрес либо с вашего подключения за последний час. Попробуйте позже.
