### The channel for sign-in codes and approvals (security settings).
channels-title = Where sign-in codes and requests go
channels-help = Two-step sign-in codes and requests to approve a sign-in are sent here.
channels-sms = SMS to the confirmed phone
channels-push = Push notification (messenger or app)
channels-email = E-mail
channels-save = Save
channels-unavailable = This channel cannot be chosen now.
