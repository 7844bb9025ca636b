### The channel for sign-in codes and approvals (security settings).
channels-title = Where sign-in codes and requests go
channels-help = Two-step sign-in codes and requests to approve a sign-in are sent here.
channels-sms = SMS to the confirmed phone
channels-push = Push notification (messenger or app)
channels-email = E-mail
channels-save = Save
channels-unavailable = This channel cannot be chosen now.
channels-code_by_push = The code was sent as a push notification (messenger or app), as you chose in the security settings.
channels-code_by_email = The code was sent to your e-mail, as you chose in the security settings.
