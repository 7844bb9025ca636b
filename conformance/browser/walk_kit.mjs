// The interface walk's kit (see walk.mjs): configuration from the environment, the findings and
// figures, the outbox and TOTP helpers, the browser, and `check` — the assertions every page gets
// (axe-core, 360 px overflow, console errors, other origins, language) and its screenshot.
import { chromium } from "playwright-core";
import { createHmac } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

export const BASE = (process.env.VHOD_URL || "").replace(/\/$/, "");
if (!BASE.startsWith("http://localhost:") && !BASE.startsWith("https://")) {
  console.error("VHOD_URL must be http://localhost:PORT or an https URL, got: " + BASE);
  process.exit(2);
}
export const ORIGIN = new URL(BASE).origin;
export const ARTIFACTS = join(resolve(process.env.ARTIFACTS || "../../target/browser-artifacts"), "walk");
mkdirSync(ARTIFACTS, { recursive: true });
export const SURVEY = process.env.WALK_MODE === "survey";
export const ADMIN_TOKEN = process.env.ADMIN_TOKEN || "";

export const PASSWORD = "Progulka-2026!ok";
export const NEW_PASSWORD = "Novyi-Progulka-2026!";
export const stamp = String(Date.now()).slice(-6);

// ------------------------------------------------------------------------------- findings --

export const findings = []; // { where, what }
export const pages = new Map(); // label -> { url, axe: {critical, serious, moderate, minor}, bytes }
export const totals = { critical: 0, serious: 0, moderate: 0, minor: 0 };
export const ruleCounts = new Map();
let shots = 0;

export function problem(where, what) {
  findings.push({ where, what });
  console.error("  PROBLEM at " + where + ": " + what);
}

export function fail(message) {
  throw new Error(message);
}

// ------------------------------------------------------------------------------- helpers --

export async function outbox(to) {
  const res = await fetch(BASE + "/dev/outbox?format=json&to=" + encodeURIComponent(to));
  if (!res.ok) fail("GET /dev/outbox: " + res.status);
  return res.json();
}

/// The newest message to `to` matching `re` (capture group 1), waiting for it a little.
export async function fromOutbox(to, re, after = 0) {
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

export const outboxCount = async (to) => (await outbox(to)).length;

export function base32Decode(s) {
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
export function totp(secretBase32, offset = 0) {
  const counter = Math.floor(Date.now() / 1000 / 30) + offset;
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const h = createHmac("sha1", base32Decode(secretBase32)).update(msg).digest();
  const o = h[h.length - 1] & 0xf;
  const n = ((h[o] & 0x7f) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3];
  return String(n % 1000000).padStart(6, "0");
}

/// A SNILS with a valid checksum.
export function snils(seed) {
  const d = String(seed).padStart(9, "0").slice(-9);
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(d[i]) * (9 - i);
  let check = sum < 100 ? sum : sum === 100 || sum === 101 ? 0 : sum % 101;
  if (check === 100) check = 0;
  return d + String(check).padStart(2, "0");
}

// ---------------------------------------------------------------------------- the browser --

export const profile = mkdtempSync(join(tmpdir(), "vhod-walk-"));
export const browser = await chromium.launch({
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
export async function session(lang, width, javaScript = true) {
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
export const visited = new Map(); // path -> label (GET pages worth revisiting in the other combinations)

/// The checks every page gets, then a screenshot. `label` names the step.
export async function check(s, label, { revisit = true, lang = s.lang } = {}) {
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

export async function go(s, path, label, opts) {
  await s.page.goto(BASE + path);
  await check(s, label, opts);
}

export async function submit(s, formSelector) {
  await Promise.all([
    s.page.waitForNavigation({ waitUntil: "load" }),
    s.page.locator(formSelector + ' button[type="submit"]').first().click(),
  ]);
}

/// The language switcher: a plain link in the header.
export async function switchTo(s, lang) {
  const link = s.page.locator('nav.lang a[hreflang="' + lang + '"]');
  if ((await link.count()) === 0) {
    problem(`${s.lang}-${s.width}:switcher`, "no language switcher on " + s.page.url());
    // An older build: the language goes into the address instead.
    await s.page.goto(BASE + "/?lang=" + lang);
    return;
  }
  await Promise.all([s.page.waitForNavigation(), link.click()]);
}

export async function signOut(s) {
  await s.page.goto(BASE + "/account");
  if (await s.page.locator('form[action="/logout"] button').count()) {
    await submit(s, 'form[action="/logout"]');
    await check(s, "signed-out", { revisit: false });
  }
}

export async function passwordForm(s, formSelector, password) {
  await s.page.fill(formSelector + ' input[name="password"]', password);
  await s.page.fill(formSelector + ' input[name="password2"]', password);
}
