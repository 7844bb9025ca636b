// The interface walk (issue 12): Debian chromium driven by playwright-core walks every page a
// citizen and an administrator meet, in Russian and English, at 1280 px and 360 px, and at every
// page asserts:
//   * axe-core (npm, injected into the page) reports no violation of impact serious or critical;
//   * at 360 px the document is no wider than the viewport (no horizontal scrolling);
//   * no console error and no uncaught exception;
//   * no request to another origin.
// Flows: registration by phone (from the demo portal: consent naming the data, the portal shows
// the claims) and by e-mail (the link from the outbox); the personal account pages; an
// authenticator app with recovery codes; the standard level (SNILS + passport, the registry
// simulator) and sign-in by SNILS; sign-in by phone with the second factor and by e-mail; password
// recovery with the second factor; the admin console (ADMIN_TOKEN). The same registration and
// password sign-in again with JavaScript disabled.
//
// The full flows run in Russian at 1280 px and in English at 360 px; every page they reached is
// then visited again in the other two combinations (Russian at 360 px, English at 1280 px).
//
// Environment: VHOD_URL (http://localhost:PORT), ARTIFACTS (screenshots go to $ARTIFACTS/walk),
// ADMIN_TOKEN (a bootstrap token with security_admin and auditor; the console is skipped without
// it), CHROMIUM (default /usr/bin/chromium), WALK_MODE=survey (count findings, do not fail: used
// to measure an older build), WALK_REPORT (a JSON file with the figures).
import { chromium } from "playwright-core";
import { createHmac } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

const BASE = (process.env.VHOD_URL || "").replace(/\/$/, "");
if (!BASE.startsWith("http://localhost:") && !BASE.startsWith("https://")) {
  console.error("VHOD_URL must be http://localhost:PORT or an https URL, got: " + BASE);
  process.exit(2);
}
const ORIGIN = new URL(BASE).origin;
const ARTIFACTS = join(resolve(process.env.ARTIFACTS || "../../target/browser-artifacts"), "walk");
mkdirSync(ARTIFACTS, { recursive: true });
const SURVEY = process.env.WALK_MODE === "survey";
const ADMIN_TOKEN = process.env.ADMIN_TOKEN || "";

const PASSWORD = "Progulka-2026!ok";
const NEW_PASSWORD = "Novyi-Progulka-2026!";
const stamp = String(Date.now()).slice(-6);

// ------------------------------------------------------------------------------- findings --

const findings = []; // { where, what }
const pages = new Map(); // label -> { url, axe: {critical, serious, moderate, minor}, bytes }
const totals = { critical: 0, serious: 0, moderate: 0, minor: 0 };
const ruleCounts = new Map();
let shots = 0;

function problem(where, what) {
  findings.push({ where, what });
  console.error("  PROBLEM at " + where + ": " + what);
}

function fail(message) {
  throw new Error(message);
}

// ------------------------------------------------------------------------------- helpers --

async function outbox(to) {
  const res = await fetch(BASE + "/dev/outbox?format=json&to=" + encodeURIComponent(to));
  if (!res.ok) fail("GET /dev/outbox: " + res.status);
  return res.json();
}

/// The newest message to `to` matching `re` (capture group 1), waiting for it a little.
async function fromOutbox(to, re, after = 0) {
  for (let i = 0; i < 40; i++) {
    const list = await outbox(to);
    if (list.length > after) {
      const m = re.exec(list[0].body);
      if (m) return m[1];
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  fail("nothing like " + re + " for " + to + " in the dev outbox");
}

const outboxCount = async (to) => (await outbox(to)).length;

function base32Decode(s) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of s.replace(/[\s=]/g, "").toUpperCase()) {
    const v = alphabet.indexOf(c);
    if (v < 0) fail("not base32: " + s);
    bits += v.toString(2).padStart(5, "0");
  }
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/// RFC 6238 TOTP (SHA-1, 6 digits, 30 s) — what an authenticator app shows.
function totp(secretBase32, offset = 0) {
  const counter = Math.floor(Date.now() / 1000 / 30) + offset;
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const h = createHmac("sha1", base32Decode(secretBase32)).update(msg).digest();
  const o = h[h.length - 1] & 0xf;
  const n = ((h[o] & 0x7f) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3];
  return String(n % 1000000).padStart(6, "0");
}

/// A SNILS with a valid checksum.
function snils(seed) {
  const d = String(seed).padStart(9, "0").slice(-9);
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(d[i]) * (9 - i);
  let check = sum < 100 ? sum : sum === 100 || sum === 101 ? 0 : sum % 101;
  if (check === 100) check = 0;
  return d + String(check).padStart(2, "0");
}

// ---------------------------------------------------------------------------- the browser --

const profile = mkdtempSync(join(tmpdir(), "vhod-walk-"));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-features=Translate,OptimizationHints,MediaRouter",
  ],
});

/// A fresh browser profile (cookies empty) speaking `lang` at `width` px.
async function session(lang, width, javaScript = true) {
  const context = await browser.newContext({
    // A Russian browser everywhere: English is the person's choice with the switcher, and must
    // then hold on every page (no fallback to the browser's language).
    locale: "ru-RU",
    viewport: { width, height: width < 600 ? 780 : 900 },
    javaScriptEnabled: javaScript,
    timezoneId: "Europe/Moscow",
  });
  const page = await context.newPage();
  page.setDefaultTimeout(20000);
  const s = { context, page, lang, width, javaScript, errors: [], foreign: [] };
  page.on("console", (m) => {
    if (m.type() === "error") s.errors.push("console: " + m.text());
  });
  page.on("pageerror", (e) => s.errors.push("exception: " + e.message));
  page.on("request", (r) => {
    const u = r.url();
    if (u.startsWith("data:") || u.startsWith("blob:") || u === "about:blank") return;
    try {
      if (new URL(u).origin !== ORIGIN) s.foreign.push(u);
    } catch {
      s.foreign.push(u);
    }
  });
  return s;
}

/// Pages that only exist inside a flow (they refuse a visit on their own).
const STEPS = ["/login/second-factor", "/recover/", "/register/", "/logout", "/demo/callback", "/authorize"];
const visited = new Map(); // path -> label (GET pages worth revisiting in the other combinations)

/// The checks every page gets, then a screenshot. `label` names the step.
async function check(s, label, { revisit = true, lang = s.lang } = {}) {
  const { page } = s;
  await page.waitForLoadState("load");
  const where = `${s.lang}-${s.width}${s.javaScript ? "" : "-nojs"}:${label}`;
  const url = page.url();
  const path = url.startsWith(BASE) ? url.slice(BASE.length) : url;
  // The language: the page says which one it is in.
  const htmlLang = await page.getAttribute("html", "lang");
  if (htmlLang !== lang) problem(where, `page language is ${htmlLang}, expected ${lang} (${path})`);
  // axe-core: evaluated through the DevTools protocol, so the page's strict CSP stays on.
  let counts = { critical: 0, serious: 0, moderate: 0, minor: 0 };
  if (s.javaScript) {
    await page.evaluate(AXE_SOURCE);
    const result = await page.evaluate(async () =>
      // eslint-disable-next-line no-undef
      axe.run(document, { resultTypes: ["violations"] }),
    );
    for (const v of result.violations) {
      const impact = v.impact || "minor";
      counts[impact] = (counts[impact] || 0) + v.nodes.length;
      totals[impact] = (totals[impact] || 0) + v.nodes.length;
      ruleCounts.set(`${impact} ${v.id}`, (ruleCounts.get(`${impact} ${v.id}`) || 0) + v.nodes.length);
      if (impact === "serious" || impact === "critical") {
        problem(where, `axe ${impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
      }
    }
  }
  // No horizontal overflow on a phone.
  const { docWidth, viewWidth } = await page.evaluate(() => ({
    docWidth: document.documentElement.scrollWidth,
    viewWidth: window.innerWidth,
  }));
  if (s.width < 600 && docWidth > viewWidth) {
    problem(where, `document is ${docWidth}px wide in a ${viewWidth}px viewport (${path})`);
  }
  for (const e of s.errors.splice(0)) problem(where, e);
  for (const u of s.foreign.splice(0)) problem(where, "request to another origin: " + u);
  // Page weight: the HTML and every file it loaded, decoded (cached files count too).
  const bytes = await page.evaluate(() =>
    [...performance.getEntriesByType("navigation"), ...performance.getEntriesByType("resource")]
      .reduce((n, e) => n + (e.decodedBodySize || 0), 0),
  );
  pages.set(where, { path, axe: counts, bytes });
  shots += 1;
  const file = join(ARTIFACTS, `${String(shots).padStart(3, "0")}-${where.replace(/[^a-z0-9-]+/gi, "_")}.png`);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`  ${where} ${path} axe c/s/m/m=${counts.critical}/${counts.serious}/${counts.moderate}/${counts.minor} ${bytes} B`);
  // Pages that stand alone (not a step of a flow under way, no language in the address) are
  // visited again in the other combinations.
  const step = /token=|code=|state=|tx=|reg=|rid=|lang=|ui_locales=/.test(path) || STEPS.some((p) => path.startsWith(p));
  if (revisit && !step && !visited.has(path)) visited.set(path, label);
}

async function go(s, path, label, opts) {
  await s.page.goto(BASE + path);
  await check(s, label, opts);
}

async function submit(s, formSelector) {
  await Promise.all([
    s.page.waitForNavigation({ waitUntil: "load" }),
    s.page.locator(formSelector + ' button[type="submit"]').first().click(),
  ]);
}

/// The language switcher: a plain link in the header.
async function switchTo(s, lang) {
  const link = s.page.locator('nav.lang a[hreflang="' + lang + '"]');
  if ((await link.count()) === 0) {
    problem(`${s.lang}-${s.width}:switcher`, "no language switcher on " + s.page.url());
    // An older build: the language goes into the address instead.
    await s.page.goto(BASE + "/?lang=" + lang);
    return;
  }
  await Promise.all([s.page.waitForNavigation(), link.click()]);
}

async function signOut(s) {
  await s.page.goto(BASE + "/account");
  if (await s.page.locator('form[action="/logout"] button').count()) {
    await submit(s, 'form[action="/logout"]');
    await check(s, "signed-out", { revisit: false });
  }
}

async function passwordForm(s, formSelector, password) {
  await s.page.fill(formSelector + ' input[name="password"]', password);
  await s.page.fill(formSelector + ' input[name="password2"]', password);
}

// ------------------------------------------------------------------------------- the walk --

/// Registration by phone from the demo portal: consent naming the data, the portal's claims.
async function registerByPhoneThroughDemo(s, who) {
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

async function registerByEmail(s, who) {
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

async function signIn(s, login, password, label) {
  await go(s, "/login", label);
  await s.page.fill('form[action="/login"] input[name="login"]', login);
  await s.page.fill('form[action="/login"] input[name="password"]', password);
  await submit(s, 'form[action="/login"]');
}

async function accountPages(s) {
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
  ]) {
    await go(s, path, label);
  }
}

/// Turns on the authenticator app; returns its secret and the recovery codes shown once.
async function enrolApp(s) {
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

async function secondFactorWithApp(s, secret) {
  await s.page.waitForURL(/second-factor/);
  await check(s, "second-factor");
  // A code of the next period: the one just used for enrolment is spent.
  await s.page.fill('form:has(input[name="method"][value="totp"]) input[name="code"]', totp(secret, 1));
  await submit(s, 'form:has(input[name="method"][value="totp"])');
}

async function standardLevel(s, who) {
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
async function useRecoveryCode(s, code) {
  const form = 'form:has(input[name="method"][value="recovery"])';
  await s.page.locator("details:has(" + form + ") summary").click();
  await s.page.fill(form + ' input[name="code"]', code);
  await submit(s, form);
}

async function recoverWithSecondFactor(s, who, code) {
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

async function adminConsole(s) {
  await go(s, "/admin/console", "admin-login");
  if (!ADMIN_TOKEN) {
    console.log("  (no ADMIN_TOKEN: the console itself is not walked)");
    return;
  }
  await s.page.fill('form[action="/admin/console/login"] input[name="token"]', ADMIN_TOKEN);
  await submit(s, 'form[action="/admin/console/login"]');
  await check(s, "admin-console");
}

async function fullWalk(lang, width, n) {
  console.log(`\n== full walk in ${lang} at ${width}px`);
  const phoneDigits = "9" + stamp.slice(-5) + String(40 + n) + "01";
  const who = {
    surname: lang === "en" ? "Smith" : "Петрова",
    name: lang === "en" ? "Anna" : "Анна",
    phone: "+7" + phoneDigits.slice(0, 10),
    phoneTyped: "8 (" + phoneDigits.slice(0, 3) + ") " + phoneDigits.slice(3, 6) + "-" + phoneDigits.slice(6, 8) + "-" + phoneDigits.slice(8, 10),
    email: `walk-${lang}-${stamp}@example.org`,
    snils: snils(Number(stamp) * 10 + n),
    passportTail: String(10 + n * 7).slice(-2),
  };
  const s = await session(lang, width);
  try {
    // The browser speaks Russian: the first page is Russian until the person switches.
    await go(s, "/", "home", { lang: "ru" });
    if (lang === "en") await switchTo(s, "en");
    await check(s, "home-" + lang);
    await registerByPhoneThroughDemo(s, who);
    await accountPages(s);
    const app = await enrolApp(s);
    await standardLevel(s, who);
    await signOut(s);

    await signIn(s, who.phone, PASSWORD, "login");
    await secondFactorWithApp(s, app.secret);
    await check(s, "account-after-second-factor", { revisit: false });
    await signOut(s);

    await recoverWithSecondFactor(s, who, app.codes[0]);
    await signOut(s);

    // SNILS as a login once the standard level is reached (with the app as the second factor).
    await signIn(s, who.snils, NEW_PASSWORD, "login-snils");
    if (s.page.url().includes("second-factor")) {
      await check(s, "second-factor-snils", { revisit: false });
      await useRecoveryCode(s, app.codes[1]);
    }
    await check(s, "account-by-snils", { revisit: false });
    await signOut(s);

    await registerByEmail(s, who);
    await signOut(s);
    await signIn(s, who.email.toUpperCase(), PASSWORD, "login-email");
    await check(s, "account-by-email", { revisit: false });
    await go(s, "/account/security", "security");
    await signOut(s);

    await adminConsole(s);
  } finally {
    await s.context.close();
  }
}

/// Registration and password sign-in with JavaScript off.
async function withoutJavaScript(lang, width) {
  console.log(`\n== without JavaScript in ${lang} at ${width}px`);
  const s = await session(lang, width, false);
  const phone = "+79" + stamp.slice(-5) + "770" + (lang === "en" ? "1" : "2");
  try {
    await go(s, "/", "home", { revisit: false, lang: "ru" });
    if (lang === "en") await switchTo(s, "en");
    await go(s, "/register", "register");
    await s.page.fill('input[name="surname"]', lang === "en" ? "Brown" : "Сидоров");
    await s.page.fill('input[name="name"]', lang === "en" ? "Tom" : "Пётр");
    await s.page.fill('input[name="contact"]', phone);
    const before = await outboxCount(phone);
    await submit(s, 'form[action="/register"]');
    await check(s, "register-code");
    await s.page.fill('input[name="code"]', await fromOutbox(phone, /(\d{6})/, before));
    await submit(s, 'form[action="/register/confirm"]');
    await check(s, "register-password");
    await passwordForm(s, 'form[action="/register/password"]', PASSWORD);
    await submit(s, 'form[action="/register/password"]');
    await check(s, "account");
    await signOut(s);
    await signIn(s, phone, PASSWORD, "login");
    await check(s, "account-after-login", { revisit: false });
    if (!s.page.url().endsWith("/account")) problem(`${lang}-nojs:login`, "not at /account after login: " + s.page.url());
  } finally {
    await s.context.close();
  }
}

/// Every page the full walks reached, again in another language and width, signed in where the
/// page needs it.
async function revisit(lang, width) {
  console.log(`\n== every page again in ${lang} at ${width}px`);
  const s = await session(lang, width);
  const email = `walk-revisit-${lang}-${width}-${stamp}@example.org`;
  try {
    await go(s, "/", "home", { revisit: false, lang: "ru" });
    if (lang === "en") await switchTo(s, "en");
    await registerByEmail(s, { surname: lang === "en" ? "Jones" : "Орлова", name: lang === "en" ? "Kate" : "Вера", email });
    for (const [path, label] of visited) {
      if (path.startsWith("/admin")) continue;
      await go(s, path, label, { revisit: false });
    }
    await signOut(s);
    await adminConsole(s);
  } finally {
    await s.context.close();
  }
}

let crashed = null;
const steps = [
  () => fullWalk("ru", 1280, 1),
  () => fullWalk("en", 360, 2),
  () => revisit("ru", 360),
  () => revisit("en", 1280),
  () => withoutJavaScript("ru", 360),
  () => withoutJavaScript("en", 1280),
];
try {
  for (const step of steps) {
    try {
      await step();
    } catch (e) {
      if (!SURVEY) throw e;
      problem("walk", "step stopped: " + e.message.split("\n")[0]);
    }
  }
} catch (e) {
  crashed = e;
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}

const report = {
  pages: [...pages.entries()].map(([where, p]) => ({ where, ...p })),
  axe_totals: totals,
  axe_rules: Object.fromEntries([...ruleCounts.entries()].sort()),
  problems: findings,
};
if (process.env.WALK_REPORT) writeFileSync(process.env.WALK_REPORT, JSON.stringify(report, null, 2));
console.log(`\nwalked ${pages.size} pages; axe violations (nodes): critical ${totals.critical}, serious ${totals.serious}, moderate ${totals.moderate}, minor ${totals.minor}`);
for (const [rule, n] of [...ruleCounts.entries()].sort()) console.log(`  ${rule}: ${n}`);
const weights = [...pages.values()].filter((p) => p.bytes > 0).map((p) => p.bytes);
if (weights.length) {
  console.log(`page weight (same-origin bytes per page, HTML + new CSS/JS): min ${Math.min(...weights)}, max ${Math.max(...weights)}, median ${weights.sort((a, b) => a - b)[Math.floor(weights.length / 2)]}`);
}
console.log(`screenshots: ${ARTIFACTS}`);
if (crashed) {
  console.error("walk stopped: " + crashed.stack);
  process.exit(1);
}
if (findings.length && !SURVEY) {
  console.error(`\n${findings.length} problems found`);
  process.exit(1);
}
console.log(SURVEY ? `survey done: ${findings.length} problems recorded` : "interface walk passed");
