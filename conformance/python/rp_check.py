#!/usr/bin/env python3
"""External relying-party check of vhod, using the Python library pyoidc (PyPI: oic).

Two sub-commands:

  rp_check.py gen-key --out DIR
      Generates the RSA signing key of the private_key_jwt client with pyoidc's key tools:
      DIR/key.pem (private, PEM) and DIR/jwks.json (the public JWK Set to register with
      `vhod clients add --auth-method private_key_jwt --jwks-file DIR/jwks.json`).

  rp_check.py run
      Plays two confidential web clients against a running vhod:
      * a client_secret_basic client: discovery, authorization code flow with PKCE (S256),
        state and nonce, a scripted browser that logs in and grants consent, the code
        exchange, ID token checks (signature via jwks_uri, iss, aud, nonce), UserInfo
        (GET with a bearer header and POST with the token in the body), refresh token
        rotation and refusal of a rotated-out refresh token;
      * a private_key_jwt client: the same code flow, the code exchange and a refresh
        authenticated with pyoidc's client assertions, and refusal of a replayed assertion.

Required env for `run`: ISSUER, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, LOGIN, PASSWORD,
  PKJWT_CLIENT_ID, PKJWT_KEY_DIR (the --out DIR of gen-key).
Optional env: EXPECTED_EMAIL, EXPECTED_FAMILY_NAME, EXPECTED_GIVEN_NAME (UserInfo must
  carry exactly these values), RP_CHECK_VERBOSE=1 (print every HTTP hop of the browser).

Output: "ok <step>" per passed check, "FAIL <step>: <reason>" for a failed one, and
finally "N passed, M failed". Exit code 0 only when nothing failed. Steps depend on one
another, so the first failure stops the run.
"""

import argparse
import base64
import json
import logging
import os
import sys
import time
import traceback
from urllib.parse import parse_qs

from oic import rndstr
from oic.oic import Client
from oic.oic.message import (
    AccessTokenResponse,
    AuthorizationRequest,
    AuthorizationResponse,
    IdToken,
    OpenIDSchema,
    RefreshAccessTokenRequest,
)
from oic.utils.authn.client import CLIENT_AUTHN_METHOD, assertion_jwt
from oic.utils.keyio import build_keyjar, keyjar_init
from oic.utils.settings import OicClientSettings

from rp_harness import (
    HTTP_TIMEOUT,
    Browser,
    RESULTS,
    check,
    describe_error,
    drive_login,
    expect,
    fail,
    finish,
    jwt_part,
    oauth_error,
    read_env,
    short,
)

SCOPE = ["openid", "profile", "email", "phone"]
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
KEY_FILE = "key.pem"
JWKS_FILE = "jwks.json"


# pyoidc logs a warning when jwks_uri is not served as application/json; vhod serves
# application/jwk-set+json, the media type RFC 7517 section 8.5 registers for JWK Sets.
logging.getLogger("oic.utils.keyio").addFilter(lambda record: record.getMessage() != "Wrong Content_type")


# ------------------------------------------------------------ pyoidc parts --


def new_client(env, client_id):
    settings = OicClientSettings(timeout=HTTP_TIMEOUT)
    cli = Client(client_id=client_id, client_authn_method=CLIENT_AUTHN_METHOD, settings=settings)
    cli.redirect_uris = [env["REDIRECT_URI"]]
    return cli


def discover(cli, env):
    pcr = cli.provider_config(env["ISSUER"])
    expect(pcr.get("issuer") == env["ISSUER"], f"metadata issuer {pcr.get('issuer')} != {env['ISSUER']}")
    for key in ("authorization_endpoint", "token_endpoint", "jwks_uri", "userinfo_endpoint"):
        expect(isinstance(pcr.get(key), str) and pcr[key], f"metadata lacks {key}")
    expect(
        "S256" in (pcr.get("code_challenge_methods_supported") or []),
        f"code_challenge_methods_supported does not list S256: {pcr.get('code_challenge_methods_supported')}",
    )
    expect(
        pcr.get("authorization_response_iss_parameter_supported") is True,
        "authorization_response_iss_parameter_supported is not true (RFC 9207)",
    )
    expect(
        cli.keyjar.get_verify_key("RSA", owner=pcr["issuer"]),
        f"no RSA verification keys loaded from {pcr['jwks_uri']}",
    )
    return pcr


def authorize(cli, env):
    """Builds the authorization request with pyoidc (PKCE S256 via add_code_challenge),
    drives the browser, and parses the callback with pyoidc. Returns (state, nonce, verifier,
    AuthorizationResponse)."""
    state, nonce = rndstr(32), rndstr(32)
    pkce_args, code_verifier = cli.add_code_challenge()
    expect(pkce_args.get("code_challenge_method") == "S256", f"PKCE method {pkce_args}")
    request_args = {
        "response_type": "code",
        "scope": SCOPE,
        "state": state,
        "nonce": nonce,
        "redirect_uri": env["REDIRECT_URI"],
        **pkce_args,
    }
    # request_info also records state -> nonce, which do_access_token_request checks.
    url, _body, _headers, _areq = cli.request_info(AuthorizationRequest, method="GET", request_args=request_args)
    callback = drive_login(
        Browser(env["VERBOSE"]), url, env["REDIRECT_URI"], env["LOGIN"], env["PASSWORD"]
    )
    aresp = cli.parse_response(AuthorizationResponse, info=callback, sformat="urlencoded")
    err = oauth_error(aresp)
    expect(err is None, f"authorization error response: {err} ({callback})")
    expect(isinstance(aresp, AuthorizationResponse), f"unexpected response {type(aresp).__name__}")
    expect(aresp.get("code"), f"no code in {callback}")
    expect(aresp.get("state") == state, f"state {aresp.get('state')} != {state}")
    expect(aresp.get("iss") == env["ISSUER"], f"iss {aresp.get('iss')} != {env['ISSUER']} (RFC 9207)")
    return state, nonce, code_verifier, aresp


def redeem_code(cli, env, flow, authn_method):
    state, nonce, code_verifier, aresp = flow
    atr = cli.do_access_token_request(
        state=state,
        request_args={
            "code": aresp["code"],
            "code_verifier": code_verifier,
            "redirect_uri": env["REDIRECT_URI"],
        },
        authn_method=authn_method,
    )
    err = oauth_error(atr)
    expect(err is None, f"token endpoint answered {err}")
    expect(isinstance(atr, AccessTokenResponse), f"unexpected response {type(atr).__name__}")
    for key in ("access_token", "id_token", "refresh_token"):
        expect(atr.get(key), f"no {key} in {short(atr.to_dict())}")
    expect(str(atr.get("token_type", "")).lower() == "bearer", f"token_type {atr.get('token_type')} is not Bearer")
    return atr


def check_id_token(cli, env, atr, nonce, client_id):
    """pyoidc has already verified the signature against jwks_uri (parse_response); this
    re-checks the claims and that the signature check is real."""
    idt = atr["id_token"]
    raw = atr["id_token_jwt"]
    expect(isinstance(idt, IdToken), f"id_token was not verified into an IdToken ({type(idt).__name__})")
    header = jwt_part(raw, 0)
    expect(header.get("alg") == "RS256", f"ID token alg {header.get('alg')} != RS256")
    kids = {k.kid for k in cli.keyjar.get_verify_key("RSA", owner=env["ISSUER"])}
    expect(header.get("kid") in kids, f"ID token kid {header.get('kid')} not in jwks_uri kids {sorted(kids)}")
    expect(idt.get("iss") == env["ISSUER"], f"iss {idt.get('iss')} != {env['ISSUER']}")
    aud = idt.get("aud")
    aud = aud if isinstance(aud, list) else [aud]
    expect(client_id in aud, f"aud {aud} lacks {client_id}")
    expect(idt.get("nonce") == nonce, f"nonce {idt.get('nonce')} != {nonce}")
    expect(isinstance(idt.get("sub"), str) and idt["sub"], f"bad sub {idt.get('sub')!r}")
    now = time.time()
    expect(idt.get("exp", 0) > now, f"exp {idt.get('exp')} is not in the future")
    expect(idt.get("iat", now + 3600) <= now + 60, f"iat {idt.get('iat')} is in the future")
    # The same verification pyoidc did, on a token with one signature byte flipped.
    head, body, sig = raw.split(".")
    sig_bytes = bytearray(base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4)))
    sig_bytes[0] ^= 0x01
    tampered = ".".join([head, body, base64.urlsafe_b64encode(bytes(sig_bytes)).decode().rstrip("=")])
    try:
        IdToken().from_jwt(tampered, keyjar=cli.keyjar, sender=env["ISSUER"])
    except Exception:  # noqa: BLE001 - any verification error is the expected outcome
        pass
    else:
        fail("pyoidc accepted an ID token with a tampered signature: its signature check is not effective")
    return idt


def check_userinfo(cli, env, state, sub, method):
    info = cli.do_user_info_request(method=method, state=state)
    err = oauth_error(info)
    expect(err is None, f"userinfo endpoint answered {err}")
    expect(isinstance(info, OpenIDSchema), f"unexpected response {type(info).__name__}")
    expect(info.get("sub") == sub, f"userinfo sub {info.get('sub')} != {sub}")
    for claim, expected in env["EXPECTED"].items():
        expect(info.get(claim) == expected, f"userinfo {claim} {info.get(claim)!r} != {expected!r}")


def raw_refresh(cli, state, authn_method, client_assertion=None, token=None):
    """A refresh_token request built by pyoidc (request_info + its client authentication),
    sent with pyoidc's http_request; returns the raw HTTP response and the refresh token
    sent. (Client.do_access_token_refresh does not pass authn_endpoint on to the
    private_key_jwt authenticator in oic 1.7.0, so it cannot be used for that method.)"""
    token = token or cli.get_token(also_expired=True, state=state)
    request_args = {"client_assertion": client_assertion} if client_assertion else {}
    url, body, http_args, _ = cli.request_info(
        RefreshAccessTokenRequest,
        method="POST",
        request_args=request_args,
        token=token,
        authn_method=authn_method,
        authn_endpoint="refresh",
    )
    sent = parse_qs(body)
    if client_assertion:
        expect(sent.get("client_assertion") == [client_assertion], "pyoidc replaced the client assertion")
    return cli.http_request(url, "POST", data=body, **http_args), token


def accept_refresh(cli, state, http, old_token):
    expect(http.status_code == 200, f"refresh answered HTTP {http.status_code}: {short(http.text)}")
    resp = cli.parse_request_response(http, AccessTokenResponse, "json", state=state)
    err = oauth_error(resp)
    expect(err is None, f"refresh answered {err}")
    expect(resp.get("access_token"), "no access_token")
    expect(resp.get("access_token") != old_token.access_token, "access_token was not renewed")
    expect(resp.get("refresh_token"), "no refresh_token")
    expect(resp.get("refresh_token") != old_token.refresh_token, "refresh_token was not rotated")
    return resp


def expect_oauth_error(http, status, error, what):
    try:
        body = http.json()
    except ValueError:
        body = {}
    expect(
        http.status_code == status and body.get("error") == error,
        f"{what}: expected HTTP {status} {error}, got HTTP {http.status_code}: {short(http.text)}",
    )


# ------------------------------------------------------------------ flows --


def run_secret_basic(env):
    cli = new_client(env, env["CLIENT_ID"])
    cli.client_secret = env["CLIENT_SECRET"]

    check("discovery (provider_config, issuer matches)", lambda: discover(cli, env))
    flow = check(
        "authorization code flow with PKCE S256: login, consent, callback state and iss",
        lambda: authorize(cli, env),
    )
    state, nonce = flow[0], flow[1]
    atr = check(
        "token request (client_secret_basic, code_verifier)",
        lambda: redeem_code(cli, env, flow, "client_secret_basic"),
    )
    idt = check(
        "ID token: RS256 signature via jwks_uri, iss, aud, nonce",
        lambda: check_id_token(cli, env, atr, nonce, env["CLIENT_ID"]),
    )
    check("userinfo (GET, bearer header) with the ID token's sub", lambda: check_userinfo(cli, env, state, idt["sub"], "GET"))
    check("userinfo (POST, token in the body)", lambda: check_userinfo(cli, env, state, idt["sub"], "POST"))

    old = cli.get_token(also_expired=True, state=state)

    def refresh():
        resp = cli.do_access_token_refresh(state=state, authn_method="client_secret_basic")
        err = oauth_error(resp)
        expect(err is None, f"refresh answered {err}")
        expect(resp.get("access_token") and resp["access_token"] != old.access_token, "access_token was not renewed")
        expect(resp.get("refresh_token"), "no refresh_token")
        expect(resp["refresh_token"] != old.refresh_token, "refresh_token was not rotated")

    check("refresh (do_access_token_refresh) rotates the refresh token", refresh)

    def reuse():
        http, _ = raw_refresh(cli, state, "client_secret_basic", token=old)
        expect_oauth_error(http, 400, "invalid_grant", "rotated-out refresh token")

    check("rotated-out refresh token is refused with invalid_grant", reuse)


def run_private_key_jwt(env):
    cli = new_client(env, env["PKJWT_CLIENT_ID"])
    key_dir = env["PKJWT_KEY_DIR"]

    def setup():
        discover(cli, env)
        jwks = keyjar_init(cli, key_conf(key_dir))
        with open(os.path.join(key_dir, JWKS_FILE), encoding="utf-8") as f:
            registered = {k.get("kid") for k in json.load(f)["keys"]}
        mine = {k["kid"] for k in jwks["keys"]}
        expect(mine and mine <= registered, f"key kids {mine} are not in the registered {JWKS_FILE} {registered}")

    check("private_key_jwt client: discovery and signing key from gen-key", setup)
    flow = check(
        "private_key_jwt client: code flow with PKCE S256",
        lambda: authorize(cli, env),
    )
    state, nonce = flow[0], flow[1]
    assertions = []
    real_http = cli.http_request

    def recording_http_request(url, method="GET", **kwargs):
        for value in parse_qs(kwargs.get("data") or "").get("client_assertion", []):
            assertions.append(value)
        return real_http(url, method, **kwargs)

    def token():
        cli.http_request = recording_http_request
        try:
            atr = redeem_code(cli, env, flow, "private_key_jwt")
        finally:
            cli.http_request = real_http
        expect(len(assertions) == 1, f"expected one client_assertion in the token request, saw {len(assertions)}")
        header, claims = jwt_part(assertions[0], 0), jwt_part(assertions[0], 1)
        expect(header.get("alg") == "RS256", f"assertion alg {header.get('alg')}")
        expect(claims.get("iss") == claims.get("sub") == env["PKJWT_CLIENT_ID"], f"assertion iss/sub {claims}")
        expect(claims.get("jti"), "assertion without jti")
        aud = claims.get("aud") if isinstance(claims.get("aud"), list) else [claims.get("aud")]
        expect(cli.token_endpoint in aud, f"assertion aud {aud} lacks the token endpoint")
        return atr

    atr = check("token request authenticated with private_key_jwt (pyoidc assertion)", token)
    check(
        "private_key_jwt client: ID token iss, aud, nonce",
        lambda: check_id_token(cli, env, atr, nonce, env["PKJWT_CLIENT_ID"]),
    )

    def refresh_with_pyoidc_assertion():
        http, old = raw_refresh(cli, state, "private_key_jwt")
        accept_refresh(cli, state, http, old)

    check("refresh authenticated with private_key_jwt rotates the refresh token", refresh_with_pyoidc_assertion)

    # One assertion (aud = the issuer, the other audience vhod accepts), sent twice.
    signing_keys = cli.keyjar.get_signing_key("RSA", "", alg="RS256")
    assertion = assertion_jwt(cli, signing_keys, env["ISSUER"], "RS256")
    replay_state = {}

    def first_use():
        http, old = raw_refresh(cli, state, "private_key_jwt", client_assertion=assertion)
        accept_refresh(cli, state, http, old)

    check("refresh with a fresh assertion (aud = issuer) is accepted", first_use)

    def replay():
        http, token = raw_refresh(cli, state, "private_key_jwt", client_assertion=assertion)
        replay_state["token"] = token
        expect_oauth_error(http, 401, "invalid_client", "replayed client assertion (same jti)")

    check("replayed client assertion (same jti, valid refresh token) is refused with 401 invalid_client", replay)

    def after_replay():
        token = replay_state["token"]
        http, _ = raw_refresh(cli, state, "private_key_jwt", token=token)
        accept_refresh(cli, state, http, token)

    check("the refresh token survives the refused request (new assertion accepted)", after_replay)


def key_conf(key_dir):
    return [{"type": "RSA", "key": os.path.join(key_dir, KEY_FILE), "use": ["sig"]}]


# --------------------------------------------------------------- commands --


def gen_key(out):
    os.makedirs(out, exist_ok=True)
    key_path = os.path.join(out, KEY_FILE)
    if os.path.exists(key_path):
        sys.exit(f"{key_path} already exists")
    # build_keyjar creates the RSA key file (pyoidc's create_and_store_rsa_key_pair) and
    # returns the public JWK Set with thumbprint kids.
    jwks, _keyjar, _kids = build_keyjar(key_conf(out))
    for k in jwks["keys"]:
        expect("d" not in k, "the JWK Set to register contains private key material")
        k["alg"] = "RS256"
    os.chmod(key_path, 0o600)
    with open(os.path.join(out, JWKS_FILE), "w", encoding="utf-8") as f:
        json.dump(jwks, f, indent=2)
    print(f"wrote {key_path} and {os.path.join(out, JWKS_FILE)} (kid {jwks['keys'][0]['kid']})")


def run():
    env = read_env()
    run_secret_basic(env)
    run_private_key_jwt(env)
    finish()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("gen-key", help="generate the private_key_jwt client's key and JWK Set")
    g.add_argument("--out", required=True, help="directory for key.pem and jwks.json")
    sub.add_parser("run", help="run the checks (configuration from the environment)")
    args = parser.parse_args()
    if args.command == "gen-key":
        gen_key(args.out)
    else:
        try:
            run()
        except SystemExit:
            raise
        except Exception as err:  # noqa: BLE001 - only bugs in this script land here
            RESULTS["failed"] += 1
            print(f"FAIL unexpected: {describe_error(err)}", flush=True)
            traceback.print_exc(file=sys.stdout)
            finish()


if __name__ == "__main__":
    main()
