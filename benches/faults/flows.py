"""HTTP side of the fault benches (Python standard library only).

`Net` spreads requests over the nodes round-robin, as a balancer would, and logs every request it
sends (start, duration, node, route, status, Retry-After). A node that refuses the connection is
skipped for a second and the request goes to the next node (a balancer's health check does the
same; nothing reached the dead node, so the retry is safe). Any other transport error — a reset
mid-request, a timeout — fails the request and with it the flow.

`Browser` keeps one person's cookies. The flows return what the driver acknowledges: only a flow
whose every step got the expected answer counts as a success."""

import base64
import hashlib
import http.client
import itertools
import json
import os
import re
import secrets
import threading
import time
import urllib.parse

# A request that takes longer is recorded as a hang ("timeout"), and its node is passed over for
# DOWN_AFTER_TIMEOUT seconds, as a balancer's passive health check does (nginx: max_fails=1,
# fail_timeout): freeze_node.sh sets both lower, like a balancer's proxy_read_timeout.
TIMEOUT = float(os.environ.get("FAULTS_REQUEST_TIMEOUT", "30"))
DOWN_AFTER_TIMEOUT = float(os.environ.get("FAULTS_DOWN_SECS", "10"))


class StepFailed(Exception):
    """A step of a flow got something other than what the flow expects."""

    def __init__(self, step, status, retry_after=None):
        super().__init__(f"{step}: {status}")
        self.step, self.status, self.retry_after = step, status, retry_after


class Net:
    def __init__(self, nodes):
        self.nodes = list(nodes)  # [("127.0.0.1", 18601), ...]
        self.rr = itertools.count()
        self.down_until = {n: 0.0 for n in self.nodes}
        self.lock = threading.Lock()
        self.log = []  # one dict per request sent

    def _pick(self, tried):
        now = time.time()
        for _ in range(len(self.nodes)):
            n = self.nodes[next(self.rr) % len(self.nodes)]
            if n not in tried and self.down_until[n] <= now:
                return n
        left = [n for n in self.nodes if n not in tried]
        return left[0] if left else None

    def request(self, method, path, body=None, headers=None):
        """(status, headers with lower-case names, body bytes); raises StepFailed on a transport
        error once every node has refused."""
        tried = set()
        while True:
            node = self._pick(tried)
            if node is None:
                raise StepFailed(path.split("?")[0], "refused")
            tried.add(node)
            t0 = time.time()
            entry = {"t": t0, "node": node[1], "method": method, "route": path.split("?")[0]}
            try:
                conn = http.client.HTTPConnection(node[0], node[1], timeout=TIMEOUT)
                conn.request(method, path, body=body, headers=headers or {})
                res = conn.getresponse()
                data = res.read()
                hdrs = {}
                for k, v in res.getheaders():
                    k = k.lower()
                    hdrs[k] = hdrs[k] + "\n" + v if k in hdrs else v
                conn.close()
                entry.update(dt=time.time() - t0, status=res.status, retry_after=hdrs.get("retry-after"))
                with self.lock:
                    self.log.append(entry)
                return res.status, hdrs, data
            except ConnectionRefusedError:
                entry.update(dt=time.time() - t0, status="refused", retry_after=None)
                with self.lock:
                    self.log.append(entry)
                    self.down_until[node] = time.time() + 1.0
                continue
            except (TimeoutError, OSError, http.client.HTTPException) as e:
                status = "timeout" if isinstance(e, TimeoutError) else "reset"
                entry.update(dt=time.time() - t0, status=status, retry_after=None, error=type(e).__name__)
                with self.lock:
                    self.log.append(entry)
                    if status == "timeout":
                        self.down_until[node] = time.time() + DOWN_AFTER_TIMEOUT
                raise StepFailed(entry["route"], status)


def hidden(html, name):
    m = re.search(r'name="%s" value="([^"]*)"' % re.escape(name), html)
    return m.group(1) if m else None


def form(pairs):
    return urllib.parse.urlencode(pairs)


def path_of(location):
    u = urllib.parse.urlsplit(location)
    return u.path + ("?" + u.query if u.query else "")


class Browser:
    def __init__(self, net):
        self.net = net
        self.jar = {}

    def cookie_header(self):
        return "; ".join(f"{k}={v}" for k, v in self.jar.items())

    def send(self, step, method, path, data=None, expect=(200,), headers=None):
        h = dict(headers or {})
        if self.jar:
            h["Cookie"] = self.cookie_header()
        if data is not None:
            h["Content-Type"] = "application/x-www-form-urlencoded"
            data = form(data).encode()
        status, hdrs, body = self.net.request(method, path, data, h)
        for line in hdrs.get("set-cookie", "").split("\n"):
            kv = line.split(";", 1)[0]
            if "=" in kv:
                k, v = kv.split("=", 1)
                if v:
                    self.jar[k.strip()] = v
                else:
                    self.jar.pop(k.strip(), None)
        if status not in expect:
            raise StepFailed(step, status, hdrs.get("retry-after"))
        return status, hdrs, body.decode("utf-8", "replace")


PASSWORD = "Faults-2026!ok"
# What the outbox step fails with when the registration's code is not there (check.py counts it).
NO_MESSAGE = "no message"


def register(net, phone):
    """Registration through the web pages with the SMS code from the dev outbox. Returns the
    browser, now signed in (registration ends in a session)."""
    b = Browser(net)
    _, _, html = b.send("register page", "GET", "/register")
    _, h, _ = b.send("register submit", "POST", "/register",
                     {"csrf": hidden(html, "csrf"), "lang": "ru", "tx": "", "surname": "Сбоев",
                      "name": "Тест", "contact": phone}, expect=(303,))
    confirm = path_of(h["location"])
    reg = urllib.parse.parse_qs(urllib.parse.urlsplit(confirm).query)["reg"][0]
    _, _, html = b.send("confirm page", "GET", confirm)
    _, _, out = b.send("outbox", "GET", "/dev/outbox?format=json&to=" + urllib.parse.quote(phone))
    msgs = json.loads(out)
    if not msgs:
        # The 303 said the code was sent: its message is a committed row of the outbox.
        raise StepFailed("outbox", NO_MESSAGE)
    code = re.search(r"\b(\d{6})\b", msgs[0]["body"]).group(1)
    _, h, _ = b.send("confirm submit", "POST", "/register/confirm",
                     {"csrf": hidden(html, "csrf"), "lang": "ru", "reg": reg, "code": code}, expect=(303,))
    _, _, html = b.send("password page", "GET", path_of(h["location"]))
    b.send("password submit", "POST", "/register/password",
           {"csrf": hidden(html, "csrf"), "lang": "ru", "reg": reg, "password": PASSWORD,
            "password2": PASSWORD}, expect=(303,))
    return b


def pkce():
    verifier = secrets.token_urlsafe(32)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def basic(client_id, secret):
    raw = f"{urllib.parse.quote(client_id)}:{urllib.parse.quote(secret)}".encode()
    return "Basic " + base64.b64encode(raw).decode()


SCOPE = "openid profile"


def sign_in(net, client, login):
    """A complete sign-in in a fresh browser: authorize → login → consent → code → token →
    userinfo. Returns what the store must now hold: session, consent, grant and tokens."""
    b = Browser(net)
    verifier, challenge = pkce()
    q = form({"response_type": "code", "client_id": client["client_id"], "redirect_uri": client["redirect_uri"],
              "scope": SCOPE, "state": secrets.token_hex(8), "nonce": secrets.token_hex(8),
              "code_challenge": challenge, "code_challenge_method": "S256"})
    _, h, _ = b.send("authorize", "GET", "/authorize?" + q, expect=(302, 303))
    _, _, html = b.send("login page", "GET", path_of(h["location"]))
    _, h, _ = b.send("login submit", "POST", "/login",
                     {"csrf": hidden(html, "csrf"), "lang": "ru", "tx": hidden(html, "tx"), "login": login,
                      "password": PASSWORD}, expect=(303,))
    status, h, html = b.send("continue", "GET", path_of(h["location"]), expect=(200, 302, 303))
    if status == 200:
        _, h, _ = b.send("consent", "POST", "/consent",
                         {"csrf": hidden(html, "csrf"), "lang": "ru", "tx": hidden(html, "tx"),
                          "decision": "allow"}, expect=(302, 303))
    back = urllib.parse.urlsplit(h["location"])
    code = urllib.parse.parse_qs(back.query).get("code", [""])[0]
    if not code:
        raise StepFailed("code", "no code in " + back.query[:80])
    auth = {"Authorization": basic(client["client_id"], client["client_secret"])}
    _, _, body = b.send("token", "POST", "/token",
                        {"grant_type": "authorization_code", "code": code,
                         "redirect_uri": client["redirect_uri"], "code_verifier": verifier}, headers=auth)
    tokens = json.loads(body)
    _, _, body = b.send("userinfo", "GET", "/userinfo",
                        headers={"Authorization": "Bearer " + tokens["access_token"]})
    sub = json.loads(body)["sub"]
    return {"sub": sub, "cookies": dict(b.jar), "refresh_token": tokens.get("refresh_token"),
            "scope": tokens.get("scope", SCOPE)}


def add_client(net, admin_token, name):
    """A relying party registered through the admin API: one audit entry (client.add)."""
    body = json.dumps({"name": name, "redirect_uris": ["https://rp.example/cb"]}).encode()
    status, h, data = net.request("POST", "/admin/api/clients", body,
                                  {"Authorization": "Bearer " + admin_token,
                                   "Content-Type": "application/json"})
    if status != 201:
        raise StepFailed("admin add client", status, h.get("retry-after"))
    return json.loads(data)["client_id"]


def session_alive(net, cookies):
    """After the run: the session still signs the browser in (the account page, not the login)."""
    b = Browser(net)
    b.jar = dict(cookies)
    status, _, _ = b.send("account", "GET", "/account", expect=(200, 302, 303))
    return status == 200


def refresh_works(net, client, refresh_token):
    """After the run: the grant and its refresh token are still there (a new pair is issued)."""
    b = Browser(net)
    status, _, _ = b.send("refresh", "POST", "/token",
                          {"grant_type": "refresh_token", "refresh_token": refresh_token},
                          expect=(200, 400, 401),
                          headers={"Authorization": basic(client["client_id"], client["client_secret"])})
    return status == 200
