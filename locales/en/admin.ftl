### The security administration console.

admin-confirm_title = Identity confirmation at a service centre
admin-confirm_hint = Find the person by SNILS and passport, check the document and confirm.
admin-confirm = Confirm identity
admin-title = Security administration console
admin-signin_vhod = Sign in with vhod (password and a second factor)
admin-signin_failed = Signing in to the console failed. Start again.
admin-needs_second_factor = The console needs a two-step sign-in: connect an authenticator app or SMS sign-in under Security.
admin-token = Access token
admin-token_help = Tokens come from vhod admin bootstrap-token and expire.
admin-bad_token = The token is unknown or expired
admin-forbidden = You may not do this.
admin-keys = Signing keys
admin-state = State
admin-reason = Reason
admin-revoke = Revoke
admin-rotate = New key
admin-now = Sign with it at once
admin-clients = Portals (clients)
admin-name = Name
admin-disable = Disable
admin-admins = Administrators and operators
admin-role = Role
admin-grant = Grant
admin-audit = Audit log
