-- wrk script for benches/compare/run.sh: every request is the same form POST.
--   WRK_BODY  the application/x-www-form-urlencoded body, e.g. grant_type=client_credentials&scope=api.read
--   WRK_AUTH  the whole Authorization header value, e.g. "Basic <base64(id:secret)>"
local body = os.getenv("WRK_BODY")
local auth = os.getenv("WRK_AUTH")
if body == nil or body == "" then error("post.lua: WRK_BODY is not set") end
if auth == nil or auth == "" then error("post.lua: WRK_AUTH is not set") end

wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = auth
