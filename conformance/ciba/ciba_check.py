#!/usr/bin/env python3
"""External CIBA client: OpenID Connect CIBA Core 1.0, poll mode, against a running vhod.

Written against the specifications with `requests` and `jwcrypto`, not with vhod's code.

  ciba_check.py gen-key --out DIR
      An ES256 key pair: DIR/key.json (private JWK) and DIR/jwks.json (the public JWK Set to
      register with `vhod clients add --grant-type ciba --auth-method private_key_jwt
      --jwks-file DIR/jwks.json`).

  ciba_check.py run
      1. discovery advertises the backchannel endpoint, poll mode and no user_code parameter;
      2. POST /bc-authorize with private_key_jwt (ES256 client assertion), login_hint and a
         binding_message -> auth_req_id, expires_in, interval;
      3. polls the token endpoint: authorization_pending, then slow_down when polled too fast;
      4. plays the person: reads the notification vhod sent (the development outbox at
         /dev/outbox, as the person would read their e-mail), opens the link, signs in with the
         password, checks that the approval page shows the binding message, and approves;
      5. polls again after the (increased) interval: tokens; the ID token's signature is checked
         with the keys at jwks_uri, and iss, aud, acr, amr;
      6. a second poll with the same auth_req_id is refused (invalid_grant), and an unknown
         login_hint answers unknown_user_id.

Required env for `run`: ISSUER, CLIENT_ID, KEY_DIR, LOGIN, PASSWORD (the person's sign-in),
LOGIN_HINT (what the client knows of the person), OUTBOX_TO (the address the notification goes to).
Output: "ok <step>" per check, "FAIL <step>: <reason>"; exit code 0 only when all passed.
"""

import argparse
import json
import os
import sys
import time
import uuid
from html.parser import HTMLParser
from urllib.parse import urljoin

import requests
from jwcrypto import jwk, jwt

TIMEOUT = 15
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
CIBA_GRANT = "urn:openid:params:grant-type:ciba"


class Fail(Exception):
    pass


def check(cond, step, why):
    if not cond:
        raise Fail(f"{step}: {why}")
    print(f"ok {step}")


def gen_key(out):
    os.makedirs(out, exist_ok=True)
    key = jwk.JWK.generate(kty="EC", crv="P-256", kid="ciba-check-1", alg="ES256", use="sig")
    with open(os.path.join(out, "key.json"), "w") as f:
        f.write(key.export_private())
    with open(os.path.join(out, "jwks.json"), "w") as f:
        json.dump({"keys": [json.loads(key.export_public())]}, f)
    print(f"key written to {out}")


class Forms(HTMLParser):
    """Every form of a page: its action and its input fields (name -> value)."""

    def __init__(self):
        super().__init__()
        self.forms = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "fields": {}, "names": set()})
        elif tag in ("input", "button") and self.forms and a.get("name"):
            self.forms[-1]["names"].add(a["name"])
            if tag == "input" and a.get("type") == "hidden":
                self.forms[-1]["fields"][a["name"]] = a.get("value", "")


def form_with(html, field):
    p = Forms()
    p.feed(html)
    for f in p.forms:
        if field in f["names"]:
            return f
    return None


class Client:
    def __init__(self, issuer, client_id, key):
        self.issuer = issuer
        self.client_id = client_id
        self.key = key
        self.kid = json.loads(key.export_public())["kid"]
        self.meta = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=TIMEOUT).json()

    def assertion(self):
        now = int(time.time())
        token = jwt.JWT(
            header={"alg": "ES256", "kid": self.kid},
            claims={
                "iss": self.client_id,
                "sub": self.client_id,
                "aud": self.issuer,
                "jti": str(uuid.uuid4()),
                "iat": now,
                "exp": now + 60,
            },
        )
        token.make_signed_token(self.key)
        return token.serialize()

    def post(self, endpoint, form):
        form = dict(form)
        form["client_assertion_type"] = ASSERTION_TYPE
        form["client_assertion"] = self.assertion()
        r = requests.post(endpoint, data=form, timeout=TIMEOUT)
        try:
            return r.status_code, r.json()
        except ValueError:
            return r.status_code, {"raw": r.text}

    def bc_authorize(self, form):
        return self.post(self.meta["backchannel_authentication_endpoint"], form)

    def poll(self, auth_req_id):
        return self.post(
            self.meta["token_endpoint"], {"grant_type": CIBA_GRANT, "auth_req_id": auth_req_id}
        )


def approve_as_person(issuer, outbox_to, login, password, binding_message):
    """The person: the newest message to them holds the approval link."""
    msgs = requests.get(
        f"{issuer}/dev/outbox", params={"format": "json", "to": outbox_to}, timeout=TIMEOUT
    ).json()
    check(len(msgs) > 0, "notification sent", "no message in the outbox")
    body = msgs[0]["body"]
    start = body.find("http")
    link = body[start:].split()[0] if start >= 0 else ""
    check("/ciba?id=" in link, "notification carries the approval link", body)
    browser = requests.Session()
    r = browser.get(link, timeout=TIMEOUT)
    login_form = form_with(r.text, "password")
    check(login_form is not None, "approval link asks the person to sign in", r.text[:300])
    fields = dict(login_form["fields"], login=login, password=password)
    r = browser.post(urljoin(r.url, login_form["action"]), data=fields, timeout=TIMEOUT)
    approve = form_with(r.text, "decision")
    check(approve is not None, "after sign-in the approval page is shown", r.text[:300])
    check(binding_message in r.text, "approval page shows the binding message", "missing")
    fields = dict(approve["fields"], decision="allow")
    r = browser.post(urljoin(r.url, approve["action"]), data=fields, timeout=TIMEOUT)
    check(r.status_code == 200 and 'data-decision="allow"' in r.text, "person approves", r.status_code)


def run():
    env = {k: os.environ[k] for k in ("ISSUER", "CLIENT_ID", "KEY_DIR", "LOGIN", "PASSWORD", "LOGIN_HINT", "OUTBOX_TO")}
    with open(os.path.join(env["KEY_DIR"], "key.json")) as f:
        key = jwk.JWK.from_json(f.read())
    c = Client(env["ISSUER"], env["CLIENT_ID"], key)
    m = c.meta
    check(m.get("backchannel_authentication_endpoint") == f"{c.issuer}/bc-authorize", "discovery: endpoint", m)
    check("poll" in m.get("backchannel_token_delivery_modes_supported", []), "discovery: poll mode", m)
    check(m.get("backchannel_user_code_parameter_supported") is False, "discovery: no user_code", m)
    check(CIBA_GRANT in m.get("grant_types_supported", []), "discovery: ciba grant type", m)

    binding = f"Check {uuid.uuid4().hex[:6]}"
    status, body = c.bc_authorize(
        {"scope": "openid profile", "login_hint": env["LOGIN_HINT"], "binding_message": binding}
    )
    check(status == 200 and "auth_req_id" in body, "bc-authorize answers auth_req_id", (status, body))
    auth_req_id, interval = body["auth_req_id"], int(body.get("interval", 5))
    check(body.get("expires_in", 0) > 0, "bc-authorize answers expires_in", body)

    status, body = c.poll(auth_req_id)
    check(status == 400 and body.get("error") == "authorization_pending", "poll: authorization_pending", (status, body))
    status, body = c.poll(auth_req_id)
    check(status == 400 and body.get("error") == "slow_down", "poll too fast: slow_down", (status, body))
    interval += 5  # CIBA Core §11 / RFC 8628 §3.5

    approve_as_person(c.issuer, env["OUTBOX_TO"], env["LOGIN"], env["PASSWORD"], binding)

    time.sleep(interval + 0.5)
    status, tokens = c.poll(auth_req_id)
    check(status == 200 and "id_token" in tokens and "access_token" in tokens, "poll after approval: tokens", (status, tokens))
    keys = jwk.JWKSet.from_json(requests.get(m["jwks_uri"], timeout=TIMEOUT).text)
    id_token = jwt.JWT(jwt=tokens["id_token"], key=keys, check_claims={"iss": c.issuer, "aud": c.client_id, "exp": None})
    claims = json.loads(id_token.claims)
    check(bool(claims.get("acr")) and bool(claims.get("amr")), "ID token verified; carries acr and amr", claims)

    time.sleep(interval + 0.5)
    status, body = c.poll(auth_req_id)
    check(status == 400 and body.get("error") == "invalid_grant", "auth_req_id is single use", (status, body))
    status, body = c.bc_authorize({"scope": "openid", "login_hint": "nobody-" + uuid.uuid4().hex + "@example.org"})
    check(status == 400 and body.get("error") == "unknown_user_id", "unknown person: unknown_user_id", (status, body))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("gen-key")
    g.add_argument("--out", required=True)
    sub.add_parser("run")
    args = ap.parse_args()
    if args.cmd == "gen-key":
        gen_key(args.out)
        return 0
    try:
        run()
    except Fail as e:
        print(f"FAIL {e}")
        return 1
    print("CIBA check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
