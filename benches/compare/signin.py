"""One complete sign-in at vhod (authorization code with PKCE, scope openid), for run.sh's
userinfo target: prints the access token of a person. Standard library only; every request to
127.0.0.1 with a timeout.

    python3 signin.py BASE CLIENT_ID CLIENT_SECRET REDIRECT_URI LOGIN PASSWORD
"""

import base64
import hashlib
import http.client
import json
import re
import secrets
import sys
import urllib.parse as up


def request(base, method, path, headers=None, body=None):
    u = up.urlsplit(base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    conn.request(method, path, body=body, headers=headers or {})
    res = conn.getresponse()
    data = res.read()
    conn.close()
    return res.status, res.getheader("Location"), res.msg.get_all("Set-Cookie") or [], data


def path_of(location):
    u = up.urlsplit(location)
    return u.path + ("?" + u.query if u.query else "")


def main():
    base, client_id, secret, redirect_uri, login, password = sys.argv[1:7]
    verifier = secrets.token_urlsafe(32)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = up.urlencode({
        "response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri,
        "scope": "openid", "state": "bench", "code_challenge": challenge,
        "code_challenge_method": "S256",
    })
    status, loc, _, _ = request(base, "GET", "/authorize?" + query)
    assert status in (302, 303) and loc, "authorize: HTTP %s" % status
    status, _, set_cookies, html = request(base, "GET", path_of(loc))
    assert status == 200, "login page: HTTP %s" % status
    jar = dict(c.split(";", 1)[0].split("=", 1) for c in set_cookies)
    page = html.decode()

    def hidden(name):
        m = re.search(r'name="%s" value="([^"]*)"' % name, page)
        assert m, "no %s on the login page" % name
        return m.group(1)

    form = up.urlencode({"csrf": hidden("csrf"), "tx": hidden("tx"), "login": login, "password": password})
    cookie = lambda: "; ".join("%s=%s" % kv for kv in jar.items())
    status, loc, set_cookies, _ = request(base, "POST", "/login", {
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie()}, form)
    assert status in (302, 303) and loc, "login: HTTP %s" % status
    jar.update(c.split(";", 1)[0].split("=", 1) for c in set_cookies)
    status, loc, _, _ = request(base, "GET", path_of(loc), {"Cookie": cookie()})
    assert status in (302, 303) and loc and loc.startswith(redirect_uri), "continue: HTTP %s %s" % (status, loc)
    code = up.parse_qs(up.urlsplit(loc).query)["code"][0]
    basic = base64.b64encode(("%s:%s" % (up.quote(client_id, safe=""), up.quote(secret, safe=""))).encode()).decode()
    body = up.urlencode({"grant_type": "authorization_code", "code": code,
                         "redirect_uri": redirect_uri, "code_verifier": verifier})
    status, _, _, data = request(base, "POST", "/token", {
        "Content-Type": "application/x-www-form-urlencoded", "Authorization": "Basic " + basic}, body)
    assert status == 200, "token: HTTP %s %s" % (status, data[:200])
    print(json.loads(data)["access_token"])


if __name__ == "__main__":
    main()
