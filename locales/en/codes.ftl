### One-time codes by SMS or e-mail: resend waits and hourly limits.

codes-too_early = A code has already been sent. A new one can be sent in
codes-sent_moment_ago = A code was sent a moment ago. You can ask for a new one a little later.
codes-limit = Too many codes to this number or address, or from your connection, in the last hour. Try again later.
