"""The harness of rp_check.py: check bookkeeping, the environment, HTML forms and a scripted
browser that logs in and grants consent on vhod's pages (requests only, no JavaScript)."""

import base64
import json
import os
import sys
import traceback
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import requests
from oic.oauth2.message import ErrorResponse

HTTP_TIMEOUT = 15
MAX_BROWSER_HOPS = 20

# ------------------------------------------------------------------ harness --


class CheckFailure(Exception):
    pass


def fail(message):
    raise CheckFailure(message)


def expect(condition, message):
    if not condition:
        fail(message)


RESULTS = {"passed": 0, "failed": 0}


def finish():
    print(f"{RESULTS['passed']} passed, {RESULTS['failed']} failed", flush=True)
    sys.exit(0 if RESULTS["failed"] == 0 and RESULTS["passed"] > 0 else 1)


def check(name, fn):
    try:
        value = fn()
    except Exception as err:  # noqa: BLE001 - every failure becomes a FAIL line
        RESULTS["failed"] += 1
        print(f"FAIL {name}: {describe_error(err)}", flush=True)
        if not isinstance(err, CheckFailure) and os.environ.get("RP_CHECK_VERBOSE") == "1":
            traceback.print_exc(file=sys.stdout)
        finish()
    RESULTS["passed"] += 1
    print(f"ok {name}", flush=True)
    return value


def describe_error(err):
    if isinstance(err, CheckFailure):
        return str(err)
    return f"{type(err).__name__}: {err}"


def short(value, limit=600):
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[:limit] + "…"


def oauth_error(resp):
    """The error of a pyoidc response message, or None for a success message."""
    if isinstance(resp, ErrorResponse) or (hasattr(resp, "keys") and "error" in resp):
        return f"{resp.get('error')} {resp.get('error_description', '')}".strip()
    if isinstance(resp, requests.Response):
        return f"HTTP {resp.status_code}: {short(resp.text)}"
    return None


def jwt_part(jwt, index):
    part = jwt.split(".")[index]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


# ---------------------------------------------------------------------- env --


def read_env():
    names = [
        "ISSUER",
        "CLIENT_ID",
        "CLIENT_SECRET",
        "REDIRECT_URI",
        "LOGIN",
        "PASSWORD",
        "PKJWT_CLIENT_ID",
        "PKJWT_KEY_DIR",
    ]
    missing = [n for n in names if not os.environ.get(n)]
    if missing:
        RESULTS["failed"] += 1
        print(f"FAIL environment: missing {', '.join(missing)}", flush=True)
        finish()
    env = {n: os.environ[n] for n in names}
    env["EXPECTED"] = {
        claim: os.environ.get(var)
        for claim, var in [
            ("email", "EXPECTED_EMAIL"),
            ("family_name", "EXPECTED_FAMILY_NAME"),
            ("given_name", "EXPECTED_GIVEN_NAME"),
        ]
        if os.environ.get(var)
    }
    env["VERBOSE"] = os.environ.get("RP_CHECK_VERBOSE") == "1"
    return env


# ------------------------------------------------------------ HTML forms --


class FormParser(HTMLParser):
    """Collects the <form> elements of a page: fields and named submit buttons."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self._form = None

    def handle_starttag(self, tag, attrs):
        a = {}
        for k, v in attrs:
            a.setdefault(k, "" if v is None else v)
        if tag == "form":
            self._form = {
                "method": (a.get("method") or "get").upper(),
                "action": a.get("action", ""),
                "fields": [],
                "buttons": [],
            }
            self.forms.append(self._form)
        elif self._form is None or "name" not in a or "disabled" in a:
            return
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "image"):
                self._form["buttons"].append((a["name"], a.get("value", "")))
            elif kind in ("button", "reset", "file"):
                pass
            elif kind in ("checkbox", "radio") and "checked" not in a:
                pass
            else:
                self._form["fields"].append((a["name"], a.get("value", "")))
        elif tag == "button" and (a.get("type") or "submit").lower() == "submit":
            self._form["buttons"].append((a["name"], a.get("value", "")))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def parse_forms(html):
    parser = FormParser()
    parser.feed(html)
    parser.close()
    return parser.forms


def page_text(html):
    class Text(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.parts, self.skip = [], 0

        def handle_starttag(self, tag, attrs):
            self.skip += tag in ("script", "style")

        def handle_endtag(self, tag):
            self.skip -= tag in ("script", "style") and self.skip > 0

        def handle_data(self, data):
            if not self.skip:
                self.parts.append(data)

    t = Text()
    t.feed(html)
    return " ".join(" ".join(t.parts).split())[:300]


# ------------------------------------------------------- scripted browser --


class Browser:
    """A requests.Session that follows redirects by hand and remembers its hops."""

    def __init__(self, verbose):
        self.session = requests.Session()
        self.session.headers["Accept"] = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"
        self.trail = []
        self.verbose = verbose

    def request(self, method, url, data=None, referer=None):
        headers = {}
        if data is not None:
            parts = urlsplit(url)
            headers["Origin"] = f"{parts.scheme}://{parts.netloc}"  # same-origin form POST
        if referer:
            headers["Referer"] = referer
        try:
            r = self.session.request(
                method, url, data=data, headers=headers, allow_redirects=False, timeout=HTTP_TIMEOUT
            )
        except requests.RequestException as err:
            fail(f"{method} {url} failed: {describe_error(err)}")
        hop = f"{method} {urlsplit(url).path} -> {r.status_code}"
        self.trail.append(hop)
        if self.verbose:
            print(f"  # {hop} {r.headers.get('Location', '')}", flush=True)
        return r

    def explain(self):
        return "hops: " + ", ".join(self.trail)


def drive_login(browser, authorization_url, redirect_uri, login, password):
    """Follows the authorization request through login and consent until the server
    redirects to redirect_uri; returns that callback URL."""
    method, url, data, referer = "GET", authorization_url, None, None
    login_submitted = consent_submitted = False
    for _ in range(MAX_BROWSER_HOPS):
        r = browser.request(method, url, data=data, referer=referer)
        if r.status_code in (301, 302, 303, 307, 308):
            location = r.headers.get("Location")
            expect(location, f"{r.status_code} without Location at {url}; {browser.explain()}")
            nxt = urljoin(url, location)
            if nxt.startswith(redirect_uri):
                return nxt
            if r.status_code not in (307, 308):
                method, data = "GET", None
            url = nxt
            continue

        expect(
            r.status_code == 200,
            f"unexpected HTTP {r.status_code} at {url}: {page_text(r.text)}; {browser.explain()}",
        )
        ctype = r.headers.get("Content-Type", "")
        expect("text/html" in ctype, f"expected an HTML page at {url}, got {ctype!r}; {browser.explain()}")
        forms = parse_forms(r.text)
        login_form = next(
            (f for f in forms if {"login", "password"} <= {n for n, _ in f["fields"]}), None
        )
        consent_form = next(
            (f for f in forms if ("decision", "allow") in f["buttons"]), None
        )
        if login_form:
            expect(
                not login_submitted,
                f"login form shown again after submitting credentials (wrong LOGIN/PASSWORD?): "
                f'"{page_text(r.text)}"; {browser.explain()}',
            )
            for hidden in ("csrf", "tx"):
                expect(
                    hidden in {n for n, _ in login_form["fields"]},
                    f"login form lacks the hidden input {hidden!r}",
                )
            login_submitted = True
            form = login_form
            payload = [(n, v) for n, v in form["fields"] if n not in ("login", "password")]
            payload += [("login", login), ("password", password)]
            if len(form["buttons"]) == 1:
                payload.append(form["buttons"][0])
        elif consent_form:
            expect(login_submitted, f"consent page shown before any login; {browser.explain()}")
            expect(
                not consent_submitted,
                f'consent page shown again after allowing: "{page_text(r.text)}"; {browser.explain()}',
            )
            expect(
                ("decision", "deny") in consent_form["buttons"],
                'consent page has no deny button (button name="decision" value="deny")',
            )
            consent_submitted = True
            form = consent_form
            payload = list(form["fields"]) + [("decision", "allow")]
        else:
            fail(
                f'page at {url} has neither a login form (inputs "login" and "password") nor a '
                f'consent form (button name="decision" value="allow"); {len(forms)} form(s); '
                f'text: "{page_text(r.text)}"; {browser.explain()}'
            )

        referer = url
        action = urljoin(url, form["action"] or url)
        if form["method"] == "POST":
            method, url, data = "POST", action, payload
        else:
            method, data = "GET", None
            url = requests.Request("GET", action, params=payload).prepare().url
    fail(f"no redirect to {redirect_uri} after {MAX_BROWSER_HOPS} hops; {browser.explain()}")
