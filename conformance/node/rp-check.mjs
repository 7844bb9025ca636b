#!/usr/bin/env node
// External relying-party check of vhod, using the openid-client library (v6).
//
// It plays a confidential web client: discovery, authorization code flow with
// PKCE (S256), a scripted "browser" that logs in and grants consent, the code
// exchange (client_secret_basic), ID token and UserInfo checks, and refresh
// token rotation including rejection of a reused refresh token.
//
// Required env: ISSUER, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, LOGIN, PASSWORD
// Optional env: EXPECTED_EMAIL, EXPECTED_FAMILY_NAME, EXPECTED_GIVEN_NAME
//   (when set, the UserInfo response must carry exactly these values),
//   RP_CHECK_VERBOSE=1 (print every HTTP hop of the browser part).
//
// Output: "ok <step>" per passed check, "FAIL <step>: <reason>" for a failed
// one, and finally "N passed, M failed". Exit code 0 only when nothing failed.
// Steps depend on one another, so the first failure stops the run.

import * as client from 'openid-client';

const HTTP_TIMEOUT_MS = 15_000;
const MAX_BROWSER_HOPS = 20;
const SCOPE = 'openid profile email phone';

// ---------------------------------------------------------------- harness --

class CheckFailure extends Error {}

function fail(message) {
  throw new CheckFailure(message);
}

function expect(condition, message) {
  if (!condition) fail(message);
}

const results = { passed: 0, failed: 0 };

async function check(name, fn) {
  try {
    const value = await fn();
    results.passed += 1;
    console.log(`ok ${name}`);
    return value;
  } catch (err) {
    results.failed += 1;
    console.log(`FAIL ${name}: ${describeError(err)}`);
    finish();
  }
}

function finish() {
  console.log(`${results.passed} passed, ${results.failed} failed`);
  process.exit(results.failed === 0 && results.passed > 0 ? 0 : 1);
}

function describeError(err) {
  if (err instanceof CheckFailure) return err.message;
  if (!(err instanceof Error)) return String(err);
  const parts = [`${err.name}: ${err.message}`];
  // openid-client / oauth4webapi errors carry OAuth details on the instance.
  if (err.error) parts.push(`error=${err.error}`);
  if (err.error_description) parts.push(`error_description=${err.error_description}`);
  if (err.status) parts.push(`status=${err.status}`);
  if (err.code) parts.push(`code=${err.code}`);
  if (err.cause !== undefined) parts.push(`cause=${safeJson(err.cause)}`);
  return parts.join(' | ');
}

function safeJson(value) {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  try {
    const text = JSON.stringify(value);
    return text.length > 600 ? `${text.slice(0, 600)}…` : text;
  } catch {
    return String(value);
  }
}

// -------------------------------------------------------------------- env --

function readEnv() {
  const names = ['ISSUER', 'CLIENT_ID', 'CLIENT_SECRET', 'REDIRECT_URI', 'LOGIN', 'PASSWORD'];
  const missing = names.filter((n) => !process.env[n]);
  if (missing.length > 0) {
    console.log(`FAIL environment: missing ${missing.join(', ')}`);
    results.failed += 1;
    finish();
  }
  const env = Object.fromEntries(names.map((n) => [n, process.env[n]]));
  env.EXPECTED = {
    email: process.env.EXPECTED_EMAIL || undefined,
    family_name: process.env.EXPECTED_FAMILY_NAME || undefined,
    given_name: process.env.EXPECTED_GIVEN_NAME || undefined,
  };
  env.VERBOSE = process.env.RP_CHECK_VERBOSE === '1';
  return env;
}

// ------------------------------------------------------- tiny HTML forms --

function decodeEntities(text) {
  return text
    .replace(/&#x([0-9a-f]+);/gi, (_, hex) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#([0-9]+);/g, (_, dec) => String.fromCodePoint(parseInt(dec, 10)))
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&'); // last, so "&amp;lt;" stays "&lt;"
}

// Attributes of one start tag, e.g. '<input type="hidden" name=x value=\'y\'>'.
function parseAttributes(tag) {
  const attrs = {};
  const inner = tag.replace(/^<\s*[a-z0-9]+/i, '').replace(/\/?\s*>$/, '');
  const re = /([^\s"'<>\/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
  let m;
  while ((m = re.exec(inner)) !== null) {
    const name = m[1].toLowerCase();
    const raw = m[2] ?? m[3] ?? m[4] ?? '';
    if (!(name in attrs)) attrs[name] = decodeEntities(raw);
  }
  return attrs;
}

// All <form> elements of a page with their fields and named submit buttons.
function parseForms(html, pageUrl) {
  const forms = [];
  const formRe = /<form\b[^>]*>([\s\S]*?)<\/form\s*>/gi;
  let m;
  while ((m = formRe.exec(html)) !== null) {
    const startTag = m[0].match(/^<form\b[^>]*>/i)[0];
    const attrs = parseAttributes(startTag);
    const body = m[1];
    const fields = []; // [name, value, type]
    for (const tag of body.match(/<input\b[^>]*>/gi) ?? []) {
      const a = parseAttributes(tag);
      if (!a.name || 'disabled' in a) continue;
      const type = (a.type || 'text').toLowerCase();
      fields.push({ name: a.name, value: a.value ?? '', type, checked: 'checked' in a });
    }
    const buttons = []; // named submit buttons, like <button name=decision value=allow>
    const buttonRe = /<button\b[^>]*>/gi;
    let b;
    while ((b = buttonRe.exec(body)) !== null) {
      const a = parseAttributes(b[0]);
      const type = (a.type || 'submit').toLowerCase();
      if (type === 'submit' && a.name && !('disabled' in a)) {
        buttons.push({ name: a.name, value: a.value ?? '' });
      }
    }
    for (const f of fields) {
      if (f.type === 'submit' || f.type === 'image') buttons.push({ name: f.name, value: f.value });
    }
    forms.push({
      method: (attrs.method || 'get').toUpperCase(),
      action: new URL(attrs.action || pageUrl, pageUrl),
      fields,
      buttons,
    });
  }
  return forms;
}

// What a browser would send for this form when `button` is clicked, with
// `overrides` typed into the named fields.
function formPayload(form, overrides = {}, button = undefined) {
  const params = new URLSearchParams();
  const used = new Set();
  for (const f of form.fields) {
    if (f.type === 'submit' || f.type === 'image' || f.type === 'button' || f.type === 'reset') continue;
    if ((f.type === 'checkbox' || f.type === 'radio') && !f.checked) continue;
    if (f.type === 'file') continue;
    if (Object.hasOwn(overrides, f.name)) {
      if (!used.has(f.name)) params.append(f.name, overrides[f.name]);
      used.add(f.name);
    } else {
      params.append(f.name, f.value);
    }
  }
  for (const [name, value] of Object.entries(overrides)) {
    if (!used.has(name)) params.append(name, value);
  }
  if (button) params.append(button.name, button.value);
  return params;
}

// ---------------------------------------------------- scripted "browser" --

class Browser {
  constructor(verbose) {
    this.cookies = new Map(); // name -> value (single host, so no domain/path logic)
    this.trail = []; // human-readable history of hops, for failure messages
    this.verbose = verbose;
  }

  storeCookies(response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some((a) => {
        const [k, v = ''] = a.split('=').map((s) => s.trim());
        if (k.toLowerCase() === 'max-age') return Number(v) <= 0;
        if (k.toLowerCase() === 'expires') return Date.parse(v) < Date.now();
        return false;
      });
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async request(method, url, { body, referer } = {}) {
    const headers = { accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.8' };
    const cookie = this.cookieHeader();
    if (cookie) headers.cookie = cookie;
    if (body !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers.origin = url.origin; // what a browser sends on a same-origin form POST
    }
    if (referer) headers.referer = referer.href;
    let response;
    try {
      response = await fetch(url, {
        method,
        headers,
        body: body?.toString(),
        redirect: 'manual',
        signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
      });
    } catch (err) {
      fail(`${method} ${url.href} failed: ${describeError(err)}`);
    }
    this.storeCookies(response);
    const hop = `${method} ${url.pathname} -> ${response.status}`;
    this.trail.push(hop);
    if (this.verbose) console.log(`  # ${hop} ${response.headers.get('location') ?? ''}`);
    return response;
  }

  explain() {
    return `hops: ${this.trail.join(', ')}`;
  }
}

function snippet(html) {
  const text = html
    .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return decodeEntities(text).slice(0, 300);
}

// Follows the authorization request through login and consent until the
// server redirects to redirectUri; returns that callback URL.
async function driveLogin(browser, authorizationUrl, { redirectUri, login, password }) {
  let method = 'GET';
  let url = authorizationUrl;
  let body;
  let referer;
  let loginSubmitted = false;
  let consentSubmitted = false;

  for (let hop = 0; hop < MAX_BROWSER_HOPS; hop += 1) {
    const response = await browser.request(method, url, { body, referer });

    if ([301, 302, 303, 307, 308].includes(response.status)) {
      await response.body?.cancel();
      const location = response.headers.get('location');
      expect(location, `${response.status} without Location at ${url.href}; ${browser.explain()}`);
      const next = new URL(location, url);
      if (next.href.startsWith(redirectUri)) return next;
      // 307/308 repeat the request as is; 301/302/303 turn into a GET.
      if (response.status !== 307 && response.status !== 308) {
        method = 'GET';
        body = undefined;
      }
      url = next;
      continue;
    }

    const text = await response.text();
    expect(
      response.status === 200,
      `unexpected HTTP ${response.status} at ${url.href}: ${snippet(text)}; ${browser.explain()}`,
    );
    const contentType = response.headers.get('content-type') ?? '';
    expect(
      contentType.includes('text/html'),
      `expected an HTML page at ${url.href}, got content-type "${contentType}"; ${browser.explain()}`,
    );

    const forms = parseForms(text, url);
    const loginForm = forms.find(
      (f) => f.fields.some((x) => x.name === 'login') && f.fields.some((x) => x.name === 'password'),
    );
    const consentForm = forms.find((f) =>
      f.buttons.some((b) => b.name === 'decision' && b.value === 'allow'),
    );

    let form;
    let payload;
    if (loginForm) {
      expect(!loginSubmitted, `login form shown again after submitting credentials (wrong LOGIN/PASSWORD?): "${snippet(text)}"; ${browser.explain()}`);
      loginSubmitted = true;
      form = loginForm;
      const namedSubmits = form.buttons;
      payload = formPayload(form, { login, password }, namedSubmits.length === 1 ? namedSubmits[0] : undefined);
    } else if (consentForm) {
      expect(loginSubmitted, `consent page shown before any login; ${browser.explain()}`);
      expect(!consentSubmitted, `consent page shown again after allowing: "${snippet(text)}"; ${browser.explain()}`);
      expect(
        consentForm.buttons.some((b) => b.name === 'decision' && b.value === 'deny'),
        `consent page has no deny button (button name="decision" value="deny")`,
      );
      consentSubmitted = true;
      form = consentForm;
      payload = formPayload(form, {}, form.buttons.find((b) => b.name === 'decision' && b.value === 'allow'));
    } else {
      fail(
        `page at ${url.href} has neither a login form (inputs "login" and "password") nor a consent form ` +
          `(button name="decision" value="allow"); ${forms.length} form(s); text: "${snippet(text)}"; ${browser.explain()}`,
      );
    }

    referer = url;
    if (form.method === 'POST') {
      method = 'POST';
      url = form.action;
      body = payload;
    } else {
      method = 'GET';
      url = new URL(form.action);
      url.search = payload.toString();
      body = undefined;
    }
  }
  fail(`no redirect to ${redirectUri} after ${MAX_BROWSER_HOPS} hops; ${browser.explain()}`);
}

// ------------------------------------------------------------------- main --

async function main() {
  const env = readEnv();
  const issuer = new URL(env.ISSUER);

  const config = await check('discovery', async () => {
    const cfg = await client.discovery(
      issuer,
      env.CLIENT_ID,
      undefined,
      client.ClientSecretBasic(env.CLIENT_SECRET),
      { execute: [client.allowInsecureRequests], timeout: HTTP_TIMEOUT_MS / 1000 },
    );
    const md = cfg.serverMetadata();
    // openid-client already insists that metadata.issuer equals the URL asked for.
    expect(md.issuer === env.ISSUER, `metadata issuer ${md.issuer} != ${env.ISSUER}`);
    for (const key of ['authorization_endpoint', 'token_endpoint', 'jwks_uri', 'userinfo_endpoint']) {
      expect(typeof md[key] === 'string' && md[key].length > 0, `metadata lacks ${key}`);
    }
    expect(
      md.code_challenge_methods_supported?.includes('S256'),
      `code_challenge_methods_supported does not list S256: ${safeJson(md.code_challenge_methods_supported)}`,
    );
    return cfg;
  });

  const codeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();

  const callbackUrl = await check('login and consent in the browser flow', async () => {
    const codeChallenge = await client.calculatePKCECodeChallenge(codeVerifier);
    const authorizationUrl = client.buildAuthorizationUrl(config, {
      redirect_uri: env.REDIRECT_URI,
      scope: SCOPE,
      code_challenge: codeChallenge,
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    const browser = new Browser(env.VERBOSE);
    return driveLogin(browser, authorizationUrl, {
      redirectUri: env.REDIRECT_URI,
      login: env.LOGIN,
      password: env.PASSWORD,
    });
  });

  await check('authorization response carries code, state and iss', async () => {
    const p = callbackUrl.searchParams;
    expect(!p.has('error'), `authorization error: ${p.get('error')} ${p.get('error_description') ?? ''}`);
    expect(p.get('code'), `no code in ${callbackUrl.href}`);
    expect(p.get('state') === state, `state ${p.get('state')} != ${state}`);
    expect(p.get('iss') === env.ISSUER, `iss ${p.get('iss')} != ${env.ISSUER}`);
  });

  const tokens = await check('authorization code grant (client_secret_basic, PKCE)', async () => {
    const t = await client.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: codeVerifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    expect(t.access_token, 'no access_token');
    expect(t.id_token, 'no id_token');
    expect(t.refresh_token, 'no refresh_token');
    expect(t.token_type?.toLowerCase() === 'bearer', `token_type ${t.token_type} is not Bearer`);
    return t;
  });

  const claims = await check('ID token claims (signature checked via jwks_uri)', async () => {
    const c = tokens.claims();
    expect(c, 'no ID token claims');
    expect(typeof c.sub === 'string' && c.sub.length > 0, `bad sub ${safeJson(c.sub)}`);
    expect(c.iss === env.ISSUER, `iss ${c.iss} != ${env.ISSUER}`);
    const aud = Array.isArray(c.aud) ? c.aud : [c.aud];
    expect(aud.includes(env.CLIENT_ID), `aud ${safeJson(c.aud)} lacks ${env.CLIENT_ID}`);
    expect(c.nonce === nonce, `nonce ${c.nonce} != ${nonce}`);
    const now = Math.floor(Date.now() / 1000);
    expect(typeof c.exp === 'number' && c.exp > now, `exp ${c.exp} is not in the future`);
    expect(typeof c.iat === 'number' && c.iat <= now + 60, `iat ${c.iat} is in the future`);
    return c;
  });

  await check('userinfo', async () => {
    const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
    expect(info.sub === claims.sub, `userinfo sub ${info.sub} != ${claims.sub}`);
    for (const [claim, expected] of Object.entries(env.EXPECTED)) {
      if (expected === undefined) continue;
      expect(info[claim] === expected, `userinfo ${claim} ${safeJson(info[claim])} != ${safeJson(expected)}`);
    }
  });

  await check('refresh token grant rotates the refresh token', async () => {
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
    expect(refreshed.access_token, 'no access_token');
    expect(refreshed.access_token !== tokens.access_token, 'access_token was not renewed');
    expect(refreshed.refresh_token, 'no refresh_token');
    expect(refreshed.refresh_token !== tokens.refresh_token, 'refresh_token was not rotated');
  });

  await check('reused (rotated-out) refresh token is rejected with invalid_grant', async () => {
    let error;
    try {
      await client.refreshTokenGrant(config, tokens.refresh_token);
    } catch (err) {
      error = err;
    }
    expect(error, 'the old refresh token was accepted again');
    expect(
      error instanceof client.ResponseBodyError,
      `expected an OAuth error response, got ${describeError(error)}`,
    );
    expect(error.error === 'invalid_grant', `error is ${error.error}, expected invalid_grant`);
  });

  finish();
}

main().catch((err) => {
  // Only bugs in this script land here; check() handles expected failures.
  results.failed += 1;
  console.log(`FAIL unexpected: ${describeError(err)}`);
  if (err instanceof Error && err.stack) console.log(err.stack);
  finish();
});
