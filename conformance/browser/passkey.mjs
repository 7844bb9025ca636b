// Browser test of passkeys: Debian chromium driven by playwright-core, with a DevTools virtual
// authenticator (ctap2, internal, resident keys, user verification) standing in for the phone.
//
// Flow: register an account (SMS code read from the dev outbox) → sign out → sign in with the
// password → add a passkey at /account/passkeys → sign out → start an authorization from the demo
// portal (/demo) → «Войти с ключом доступа» → the portal shows an ID token with acr substantial and
// amr hwk + user. A screenshot of every page goes to $ARTIFACTS.
//
// Environment: VHOD_URL (http://localhost:PORT — WebAuthn refuses IP addresses as rp id),
// ARTIFACTS (default ../../target/browser-artifacts), CHROMIUM (default /usr/bin/chromium).
import { chromium } from "playwright-core";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const BASE = (process.env.VHOD_URL || "").replace(/\/$/, "");
if (!BASE.startsWith("http://localhost:") && !BASE.startsWith("https://")) {
  console.error("VHOD_URL must be http://localhost:PORT or an https URL, got: " + BASE);
  process.exit(2);
}
const ARTIFACTS = resolve(process.env.ARTIFACTS || "../../target/browser-artifacts");
mkdirSync(ARTIFACTS, { recursive: true });

const PASSWORD = "Brauzer-2026!ok";
const PHONE_DIGITS = "900" + String(Date.now()).slice(-7);
const PHONE = "+7" + PHONE_DIGITS;

let step = 0;
async function shot(page, name) {
  step += 1;
  const file = join(ARTIFACTS, String(step).padStart(2, "0") + "-" + name + ".png");
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

async function signOut(page) {
  await page.goto(BASE + "/account");
  await page.locator('form[action="/logout"] button').click();
  await page.waitForLoadState();
  await shot(page, "signed-out");
}

const profile = mkdtempSync(join(tmpdir(), "vhod-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  locale: "ru-RU",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
let ok = false;
try {
  const page = context.pages()[0] || (await context.newPage());
  page.setDefaultTimeout(20000);
  page.on("pageerror", (e) => console.error("page error: " + e.message));

  // The virtual authenticator lives on this page's target for the whole test.
  const cdp = await context.newCDPSession(page);
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

  console.log("1. register " + PHONE);
  await page.goto(BASE + "/register");
  await page.fill('input[name="surname"]', "Петрова");
  await page.fill('input[name="name"]', "Анна");
  await page.fill('input[name="contact"]', PHONE);
  await shot(page, "register");
  await page.locator('form[action="/register"] button[type="submit"]').click();
  await page.waitForURL(/\/register\/confirm/);
  await page.fill('input[name="code"]', await outboxCode(PHONE));
  await shot(page, "confirm");
  await page.locator('form[action="/register/confirm"] button[type="submit"]').click();
  await page.waitForURL(/\/register\/password/);
  await page.fill('input[name="password"]', PASSWORD);
  await page.fill('input[name="password2"]', PASSWORD);
  await shot(page, "password");
  await page.locator('form[action="/register/password"] button[type="submit"]').click();
  await page.waitForURL(/\/account/);
  await shot(page, "registered");
  await signOut(page);

  console.log("2. sign in with the password");
  await page.goto(BASE + "/login");
  await page.fill('input[name="login"]', "8" + PHONE_DIGITS);
  await page.fill('input[name="password"]', PASSWORD);
  await shot(page, "login");
  await page.locator('form[action="/login"] button[type="submit"]').click();
  await page.waitForURL(BASE + "/account");

  console.log("3. add a passkey");
  await page.goto(BASE + "/account/passkeys");
  await page.fill("#passkey-name", "Chromium");
  await shot(page, "passkeys");
  await page.click("#passkey-add");
  await page.waitForURL(/done=added/);
  const added = await page.textContent("main");
  if (!added.includes("Ключ доступа добавлен.") || !added.includes("Chromium")) {
    fail("passkey not listed after enrolment: " + added);
  }
  await shot(page, "passkey-added");
  const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
  if (credentials.length !== 1 || !credentials[0].isResidentCredential) {
    fail("expected one discoverable credential on the authenticator, got " + JSON.stringify(credentials));
  }
  await signOut(page);

  console.log("4. sign in to the demo portal with the passkey");
  await page.goto(BASE + "/demo");
  await shot(page, "demo");
  await page.click('a[href="/demo/start"]');
  await page.waitForURL(/\/login\?tx=/);
  await shot(page, "login-with-tx");
  await page.click("#passkey-signin");
  await page.waitForURL(/\/(consent|demo\/callback|authorize\/continue)/);
  await page.waitForLoadState();
  if (await page.locator('button[name="decision"][value="allow"]').count()) {
    await shot(page, "consent");
    await page.click('button[name="decision"][value="allow"]');
  }
  await page.waitForSelector("#id-token-claims", { state: "attached" });
  await shot(page, "demo-signed-in");
  const claims = JSON.parse(await page.textContent("#id-token-claims"));
  console.log("  ID token acr=" + claims.acr + " amr=" + JSON.stringify(claims.amr));
  if (claims.acr !== "urn:vhod:acr:substantial") fail("acr is " + claims.acr);
  if (!Array.isArray(claims.amr) || !claims.amr.includes("hwk") || !claims.amr.includes("user")) {
    fail("amr is " + JSON.stringify(claims.amr));
  }
  const after = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
  if (after.credentials[0].signCount < 1) fail("the authenticator was not used to sign in");
  ok = true;
  console.log("browser passkey test passed");
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
process.exit(ok ? 0 : 1);
