// Browser test of «Войти по QR-коду»: two browser contexts of Debian chromium driven by
// playwright-core — a desktop (1280 px) and a phone (360 px) with a DevTools virtual authenticator.
//
// Flow: on the phone, register an account (SMS code from the dev outbox) and add a passkey → on the
// desktop, start an authorization from the demo portal (/demo) → «Войти по QR-коду» → the phone
// opens the QR code's link, checks the portal's name, picks the number the desktop shows and
// approves with the passkey → the desktop page (polling /login/qr/status) continues by itself and
// the portal shows an ID token with acr substantial and amr hwk + user + mca. Then the pages in
// English at both widths. A screenshot of every page goes to $ARTIFACTS/qr-*.
//
// Environment: VHOD_URL (http://localhost:PORT — WebAuthn refuses IP addresses as rp id),
// ARTIFACTS (default ../../target/browser-artifacts), CHROMIUM (default /usr/bin/chromium).
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";

const BASE = (process.env.VHOD_URL || "").replace(/\/$/, "");
if (!BASE.startsWith("http://localhost:") && !BASE.startsWith("https://")) {
  console.error("VHOD_URL must be http://localhost:PORT or an https URL, got: " + BASE);
  process.exit(2);
}
const ARTIFACTS = resolve(process.env.ARTIFACTS || "../../target/browser-artifacts");
mkdirSync(ARTIFACTS, { recursive: true });

const PASSWORD = "Brauzer-2026!qr";
const PHONE_DIGITS = "901" + String(Date.now()).slice(-7);
const PHONE = "+7" + PHONE_DIGITS;

let step = 0;
async function shot(page, name) {
  step += 1;
  const file = join(ARTIFACTS, "qr-" + String(step).padStart(2, "0") + "-" + name + ".png");
  await page.screenshot({ path: file, fullPage: true });
  console.log("  screenshot " + file + " (" + page.url() + ")");
}

function fail(message) {
  throw new Error(message);
}

async function outboxCode(to) {
  for (let i = 0; i < 20; i++) {
    const res = await fetch(BASE + "/dev/outbox?format=json&to=" + encodeURIComponent(to));
    if (!res.ok) fail("GET /dev/outbox: " + res.status);
    const list = await res.json();
    const m = list.length ? /(\d{6})/.exec(list[0].body) : null;
    if (m) return m[1];
    await new Promise((r) => setTimeout(r, 250));
  }
  fail("no code for " + to + " in the dev outbox");
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"],
});
let ok = false;
try {
  const desktopContext = await browser.newContext({ locale: "ru-RU", viewport: { width: 1280, height: 900 } });
  const phoneContext = await browser.newContext({
    locale: "ru-RU",
    viewport: { width: 360, height: 740 },
    isMobile: true,
    hasTouch: true,
    userAgent:
      "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Mobile Safari/537.36",
  });
  const desktop = await desktopContext.newPage();
  const phone = await phoneContext.newPage();
  for (const p of [desktop, phone]) {
    p.setDefaultTimeout(20000);
    p.on("pageerror", (e) => console.error("page error: " + e.message));
  }

  const cdp = await phoneContext.newCDPSession(phone);
  await cdp.send("WebAuthn.enable", { enableUI: false });
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });

  console.log("1. the phone: register " + PHONE + " and add a passkey");
  await phone.goto(BASE + "/register");
  await phone.fill('input[name="surname"]', "Петрова");
  await phone.fill('input[name="name"]', "Анна");
  await phone.fill('input[name="contact"]', PHONE);
  await phone.locator('form[action="/register"] button[type="submit"]').click();
  await phone.waitForURL(/\/register\/confirm/);
  await phone.fill('input[name="code"]', await outboxCode(PHONE));
  await phone.locator('form[action="/register/confirm"] button[type="submit"]').click();
  await phone.waitForURL(/\/register\/password/);
  await phone.fill('input[name="password"]', PASSWORD);
  await phone.fill('input[name="password2"]', PASSWORD);
  await phone.locator('form[action="/register/password"] button[type="submit"]').click();
  await phone.waitForURL(/\/account/);
  await phone.goto(BASE + "/account/passkeys");
  await phone.fill("#passkey-name", "Телефон");
  await phone.click("#passkey-add");
  await phone.waitForURL(/done=added/);

  console.log("2. the desktop: demo portal → «Войти по QR-коду»");
  await desktop.goto(BASE + "/demo");
  await desktop.click('a[href="/demo/start"]');
  await desktop.waitForURL(/\/login\?tx=/);
  await shot(desktop, "desktop-login");
  await desktop.click("#qr-link");
  await desktop.waitForURL(/\/login\/qr\?tx=/);
  await desktop.waitForSelector("svg.qr");
  await shot(desktop, "desktop-qr");
  const link = await desktop.getAttribute("#qr-login", "data-link");
  const number = (await desktop.textContent("#qr-number")).trim();
  const typed = (await desktop.textContent("#qr-code")).trim();
  if (!/^[A-Z2-9]{4}-[A-Z2-9]{4}$/.test(typed)) fail("the code to type reads " + typed);
  console.log("  code " + typed + ", number " + number);

  console.log("3. the phone: open the link, pick " + number + ", approve with the passkey");
  await phone.goto(link);
  await shot(phone, "phone-approve");
  const portal = (await phone.textContent("#qr-portal")).trim();
  if (!portal) fail("the phone does not say which portal asks");
  const device = (await phone.textContent("#qr-device")).trim();
  console.log("  portal «" + portal + "», browser «" + device + "»");
  await phone.check('input[name="number"][value="' + number + '"]');
  await phone.click("#passkey-signin");
  await phone.waitForURL(/\/qr\/done/);
  await phone.waitForSelector("#qr-done");
  await shot(phone, "phone-done");

  console.log("4. the desktop continues by itself");
  await desktop.waitForURL(/\/(consent|demo\/callback|authorize\/continue)/);
  await desktop.waitForLoadState();
  if (await desktop.locator('button[name="decision"][value="allow"]').count()) {
    await shot(desktop, "desktop-consent");
    await desktop.click('button[name="decision"][value="allow"]');
  }
  await desktop.waitForSelector("#id-token-claims", { state: "attached" });
  await shot(desktop, "desktop-signed-in");
  const claims = JSON.parse(await desktop.textContent("#id-token-claims"));
  console.log("  ID token acr=" + claims.acr + " amr=" + JSON.stringify(claims.amr));
  if (claims.acr !== "urn:vhod:acr:substantial") fail("acr is " + claims.acr);
  for (const a of ["hwk", "user", "mca"]) {
    if (!Array.isArray(claims.amr) || !claims.amr.includes(a)) fail("amr is " + JSON.stringify(claims.amr));
  }
  const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
  if (credentials[0].signCount < 1) fail("the authenticator was not used to approve");

  console.log("5. the pages in English, 1280 and 360 px");
  const fresh = await browser.newContext({ locale: "en-GB", viewport: { width: 360, height: 740 } });
  const small = await fresh.newPage();
  await small.goto(BASE + "/login/qr?lang=en");
  await small.waitForSelector("svg.qr");
  await shot(small, "desktop-qr-en-360");
  await desktop.goto(BASE + "/login/qr?lang=en");
  await shot(desktop, "desktop-qr-en-1280");
  await phone.goto(BASE + "/qr?lang=en");
  await shot(phone, "phone-type-code-en-360");
  await fresh.close();
  ok = true;
  console.log("browser QR sign-in test passed");
} finally {
  await browser.close();
}
process.exit(ok ? 0 : 1);
