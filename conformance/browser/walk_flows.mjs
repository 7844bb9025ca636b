// The interface walk's flows (see walk.mjs): registration, sign-in, the account pages, the second
// factor, the standard level, recovery and the admin console, each a sequence of checked pages.
import {
  ADMIN_TOKEN,
  BASE,
  NEW_PASSWORD,
  PASSWORD,
  check,
  fromOutbox,
  go,
  outboxCount,
  passwordForm,
  problem,
  submit,
  totp,
} from "./walk_kit.mjs";
import { readFileSync } from "node:fs";

/// A GOST R 34.10-2012 certificate for the ESIA portals the console walk registers.
const ESIA_CERT = readFileSync(new URL("../../tests/fixtures/gost/256-A.cert.pem", import.meta.url), "utf8");
let esiaPortals = 0;

// ------------------------------------------------------------------------------- the walk --

/// Registration by phone from the demo portal: consent naming the data, the portal's claims.
export async function registerByPhoneThroughDemo(s, who) {
  await go(s, "/demo", "demo");
  await Promise.all([s.page.waitForURL(/\/login\?tx=/), s.page.click('a[href="/demo/start"]')]);
  await check(s, "login-for-portal");
  await Promise.all([s.page.waitForURL(/\/register/), s.page.click('a[href^="/register"]')]);
  await s.page.fill('input[name="surname"]', who.surname);
  await s.page.fill('input[name="name"]', who.name);
  await s.page.fill('input[name="contact"]', who.phoneTyped);
  await check(s, "register-phone");
  const before = await outboxCount(who.phone);
  await submit(s, 'form[action="/register"]');
  await check(s, "register-code");
  await s.page.fill('input[name="code"]', await fromOutbox(who.phone, /(\d{6})/, before));
  await submit(s, 'form[action="/register/confirm"]');
  await check(s, "register-password");
  await passwordForm(s, 'form[action="/register/password"]', PASSWORD);
  await submit(s, 'form[action="/register/password"]');
  await s.page.waitForLoadState("load");
  if (await s.page.locator('button[name="decision"][value="allow"]').count()) {
    await check(s, "consent");
    const text = await s.page.textContent("main");
    if (!/(Фамилия|фамилия|surname|name)/i.test(text)) problem(s.lang + ":consent", "the consent page does not name the data");
    await Promise.all([s.page.waitForURL(/\/demo\/callback/), s.page.click('button[name="decision"][value="allow"]')]);
  }
  await s.page.waitForSelector("#id-token-claims", { state: "attached" });
  await check(s, "demo-claims", { revisit: false });
  const claims = await s.page.textContent("main");
  if (!claims.includes(who.surname)) problem(s.lang + ":demo", "the portal does not show the surname: " + claims.slice(0, 400));
}

export async function registerByEmail(s, who) {
  await go(s, "/register", "register");
  await s.page.fill('input[name="surname"]', who.surname);
  await s.page.fill('input[name="name"]', who.name);
  await s.page.fill('input[name="contact"]', who.email);
  const before = await outboxCount(who.email);
  await submit(s, 'form[action="/register"]');
  await check(s, "register-email-sent");
  const link = await fromOutbox(who.email, /(https?:\/\/\S+\/register\/verify\?\S+)/, before);
  if (!link.includes("lang=" + s.lang)) problem(s.lang + ":email-link", "the e-mail link does not keep the language: " + link);
  await s.page.goto(link);
  await check(s, "register-email-password");
  await passwordForm(s, 'form[action="/register/password"]', PASSWORD);
  await submit(s, 'form[action="/register/password"]');
  await check(s, "account-registered", { revisit: false });
}

export async function signIn(s, login, password, label) {
  await go(s, "/login", label);
  await s.page.fill('form[action="/login"] input[name="login"]', login);
  await s.page.fill('form[action="/login"] input[name="password"]', password);
  await submit(s, 'form[action="/login"]');
}

export async function accountPages(s) {
  for (const [path, label] of [
    ["/account", "account"],
    ["/account/documents", "documents"],
    ["/account/standard", "standard-form"],
    ["/account/records", "records"],
    ["/account/contacts", "contacts"],
    ["/account/security", "security"],
    ["/account/passkeys", "passkeys"],
    ["/account/signature", "signature"],
    ["/account/permissions", "permissions"],
    ["/account/delete", "delete"],
    // The demo B2B portal's both halves (their sign-ins with an organisation: b2b.mjs).
    ["/demo/b2b", "demo-b2b"],
  ]) {
    await go(s, path, label);
  }
}

/// Turns on the authenticator app; returns its secret and the recovery codes shown once.
export async function enrolApp(s) {
  await go(s, "/account/security", "security");
  await submit(s, 'form[action="/account/security/totp/start"]');
  await check(s, "totp-enrol", { revisit: false });
  const secret = (await s.page.textContent("#totp-secret")).trim();
  await s.page.fill('form[action="/account/security/totp/confirm"] input[name="code"]', totp(secret));
  await submit(s, 'form[action="/account/security/totp/confirm"]');
  await check(s, "totp-on-recovery-codes", { revisit: false });
  const codes = await s.page.locator(".recovery-code").allTextContents();
  return { secret, codes };
}

export async function secondFactorWithApp(s, secret) {
  await s.page.waitForURL(/second-factor/);
  await check(s, "second-factor");
  // A code of the next period: the one just used for enrolment is spent.
  await s.page.fill('form:has(input[name="method"][value="totp"]) input[name="code"]', totp(secret, 1));
  await submit(s, 'form:has(input[name="method"][value="totp"])');
}

export async function standardLevel(s, who) {
  await go(s, "/account/standard", "standard-form");
  const f = 'form[action="/account/standard"]';
  await s.page.fill(f + ' input[name="surname"]', who.surname);
  await s.page.fill(f + ' input[name="given_name"]', who.name);
  await s.page.fill(f + ' input[name="birth_date"]', "1990-05-12");
  await s.page.fill(f + ' input[name="birthplace"]', "Казань");
  await s.page.check(f + ' input[name="gender"][value="F"]');
  await s.page.fill(f + ' input[name="snils"]', who.snils.replace(/^(\d{3})(\d{3})(\d{3})(\d{2})$/, "$1 $2 $3 $4"));
  await s.page.fill(f + ' input[name="series"]', "4510");
  await s.page.fill(f + ' input[name="number"]', "1234" + who.passportTail);
  await s.page.fill(f + ' input[name="issued"]', "2015-06-01");
  await s.page.fill(f + ' input[name="issuer_code"]', "770-001");
  await check(s, "standard-filled", { revisit: false });
  await submit(s, f);
  await check(s, "standard-sent", { revisit: false });
  for (let i = 0; i < 40; i++) {
    await s.page.goto(BASE + "/account/documents");
    const text = await s.page.textContent("main");
    if (/Стандартная|Standard/.test(text) && !/(проверяются|being checked|pending)/i.test(text)) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  await check(s, "documents-verified");
}

/// Opens «Использовать резервный код» and sends `code`.
export async function useRecoveryCode(s, code) {
  const form = 'form:has(input[name="method"][value="recovery"])';
  await s.page.locator("details:has(" + form + ") summary").click();
  await s.page.fill(form + ' input[name="code"]', code);
  await submit(s, form);
}

export async function recoverWithSecondFactor(s, who, code) {
  await go(s, "/recover", "recover");
  await s.page.fill('form[action="/recover"] input[name="login"]', who.phone);
  const before = await outboxCount(who.phone);
  await submit(s, 'form[action="/recover"]');
  await check(s, "recover-code");
  await s.page.fill('form[action="/recover/code"] input[name="code"]', await fromOutbox(who.phone, /(\d{6})/, before));
  await submit(s, 'form[action="/recover/code"]');
  await check(s, "recover-second");
  await useRecoveryCode(s, code);
  await check(s, "recover-password");
  await passwordForm(s, 'form[action="/recover/password"]', NEW_PASSWORD);
  await submit(s, 'form[action="/recover/password"]');
  await check(s, "recovered", { revisit: false });
}

export async function adminConsole(s) {
  await go(s, "/admin/console", "admin-login");
  if (!ADMIN_TOKEN) {
    console.log("  (no ADMIN_TOKEN: the console itself is not walked)");
    return;
  }
  await s.page.fill('form[action="/admin/console/login"] input[name="token"]', ADMIN_TOKEN);
  await submit(s, 'form[action="/admin/console/login"]');
  await check(s, "admin-console");
  await go(s, "/admin/console/clients", "admin-clients");
  await go(s, "/admin/console/esia", "admin-esia");
  // An ESIA portal registered through the form (the test suite's GOST certificate), so the page
  // is walked with a portal, its certificate and its forms.
  esiaPortals += 1;
  const f = 'form[action="/admin/console/esia"]:has(input[name="action"][value="add"])';
  await s.page.fill(f + ' input[name="client_id"]', `WALK_${process.pid}_${esiaPortals}`);
  await s.page.fill(f + ' input[name="name"]', s.lang === "en" ? "Walk portal" : "Портал прогулки");
  await s.page.fill(f + ' textarea[name="redirect_uris"]', "https://portal.example/esia/callback");
  await s.page.fill(f + ' textarea[name="certificate"]', ESIA_CERT);
  await s.page.check(f + ' input[name="require_pkce"]');
  await submit(s, f);
  await check(s, "admin-esia-added", { revisit: false });
  const text = await s.page.textContent("main");
  if (!/(Сделано|Done): client\.add/.test(text)) problem(`${s.lang}-${s.width}:admin-esia`, "the ESIA portal was not registered: " + text.slice(0, 300));
}
