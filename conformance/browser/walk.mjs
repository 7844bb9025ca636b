// The interface walk (issue 12): Debian chromium driven by playwright-core walks every page a
// citizen and an administrator meet, in Russian and English, at 1280 px and 360 px, and at every
// page asserts:
//   * axe-core (npm, injected into the page) reports no violation of impact serious or critical;
//   * at 360 px the document is no wider than the viewport (no horizontal scrolling);
//   * no console error and no uncaught exception;
//   * no request to another origin.
// The kit (configuration, the browser, the checks) is walk_kit.mjs; the flows are walk_flows.mjs.
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
import { rmSync, writeFileSync } from "node:fs";
import {
  ARTIFACTS,
  BASE,
  NEW_PASSWORD,
  PASSWORD,
  SURVEY,
  browser,
  check,
  findings,
  fromOutbox,
  go,
  outboxCount,
  pages,
  passwordForm,
  problem,
  profile,
  ruleCounts,
  session,
  signOut,
  snils,
  stamp,
  submit,
  switchTo,
  totals,
  visited,
} from "./walk_kit.mjs";
import {
  accountPages,
  adminConsole,
  enrolApp,
  recoverWithSecondFactor,
  registerByEmail,
  registerByPhoneThroughDemo,
  secondFactorWithApp,
  signIn,
  standardLevel,
  useRecoveryCode,
} from "./walk_flows.mjs";

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
    // «Просмотр последних действий» now lists security changes beside the sign-ins: the app
    // connected, a recovery code used, the password changed, a new device.
    await go(s, "/account/security", "security-recent-actions", { revisit: false });
    const history = await s.page.textContent("table.history");
    for (const [ru, en] of [
      ["Приложение-аутентификатор подключено", "Authenticator app connected"],
      ["Использован резервный код", "Recovery code used"],
      ["Пароль изменён", "Password changed"],
    ]) {
      if (!history.includes(lang === "en" ? en : ru)) problem(`${lang}-${width}:recent-actions`, `«${lang === "en" ? en : ru}» missing`);
    }
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
