// The demo B2B portal (/demo/b2b) and the permissions page's organisation section in a real
// browser (issue 14), in Russian and English at 360 px, with the walk's checks on every page
// (axe-core, no horizontal scrolling, no console error, no foreign request; walk_kit.mjs):
//   1. a person registers by phone; an organisation is made for them straight in the SQLite
//      database (creating one needs a qualified signature, walked elsewhere);
//   2. the ESIA half: «Войти через vhod по протоколу ЕСИА» → organisation choice → consent → the
//      card read over REST (/roles, /rs/orgs/…, /ctts, /addrs, /emps for the chief);
//   3. the OpenID half: «Войти через vhod как представитель организации» → choice → consent → card;
//   4. /account/permissions lists both portals for the organisation; one is withdrawn there.
//
// Environment: VHOD_URL (the server, dev mode), VHOD_DB (its SQLite file), ARTIFACTS.
import { execFileSync } from "node:child_process";
import {
  BASE,
  PASSWORD,
  browser,
  check,
  findings,
  fromOutbox,
  go,
  outboxCount,
  passwordForm,
  problem,
  session,
  stamp,
  submit,
  switchTo,
} from "./walk_kit.mjs";

const DB = process.env.VHOD_DB;
if (!DB) throw new Error("VHOD_DB (the server's SQLite file) is required");

function sql(query) {
  return execFileSync("sqlite3", [DB, query], { encoding: "utf8" }).trim();
}

/// An organisation with `phone`'s account as its chief, its card filled in.
function makeOrganisation(phone, n) {
  const account = sql(`SELECT account_id FROM identifiers WHERE value = '${phone}' LIMIT 1`);
  if (!account) throw new Error("no account for " + phone);
  const ogrn = "10277" + stamp + String(n).padStart(2, "0");
  const now = Math.floor(Date.now() / 1000);
  const oid = sql(
    `INSERT INTO orgs (kind, ogrn, inn, kpp, short_name, full_name, legal_address, actual_address, phone, email, created_at, updated_at) ` +
      `VALUES ('LEGAL', '${ogrn}', '77${stamp}${n}1', '770701001', 'ООО «Ромашка ${n}»', 'Общество с ограниченной ответственностью «Ромашка ${n}»', ` +
      `'170100, г. Тверь, ул. Советская, д. 1', 'г. Тверь, ул. Трёхсвятская, д. 5', '+7 4822 12-34-56', 'office@example.org', ${now}, ${now}) RETURNING oid`,
  );
  sql(`INSERT INTO org_members (org_oid, account_id, role, joined_at) VALUES (${oid}, '${account}', 'chief', ${now})`);
  return oid;
}

async function register(s, phone) {
  await go(s, "/register", "register", { revisit: false });
  await s.page.fill('input[name="surname"]', s.lang === "en" ? "Smith" : "Петрова");
  await s.page.fill('input[name="name"]', s.lang === "en" ? "Anna" : "Анна");
  await s.page.fill('input[name="contact"]', phone);
  const before = await outboxCount(phone);
  await submit(s, 'form[action="/register"]');
  await s.page.fill('input[name="code"]', await fromOutbox(phone, /(\d{6})/, before));
  await submit(s, 'form[action="/register/confirm"]');
  await passwordForm(s, 'form[action="/register/password"]', PASSWORD);
  await submit(s, 'form[action="/register/password"]');
}

/// From the portal's button through the choice and the consent back to the portal.
async function signInFor(s, button, oid, label) {
  await Promise.all([s.page.waitForURL(/\/org-choice/), s.page.click(button)]);
  await check(s, label + "-choice", { revisit: false });
  await s.page.check(`input[name="org"][value="${oid}"]`);
  await submit(s, 'form[action="/org-choice"]');
  if (await s.page.locator('button[name="decision"][value="allow"]').count()) {
    await check(s, label + "-consent", { revisit: false });
    await Promise.all([s.page.waitForURL(/\/demo\/b2b(\?|$)/), s.page.click('button[name="decision"][value="allow"]')]);
  }
  await check(s, label + "-card", { revisit: false });
}

async function walk(lang, n) {
  console.log(`\n== the B2B portal in ${lang} at 360px`);
  const s = await session(lang, 360);
  const phone = "+79" + stamp.slice(-5) + "55" + n + "0";
  try {
    await go(s, "/", "home", { revisit: false, lang: "ru" });
    if (lang === "en") await switchTo(s, "en");
    await register(s, phone);
    const oid = makeOrganisation(phone, n);
    await go(s, "/demo/b2b", "b2b-landing", { revisit: false });

    await signInFor(s, "#b2b-esia-login", oid, "b2b-esia");
    const esia = (await s.page.textContent("#b2b-esia")) || "";
    for (const shown of ["Ромашка " + n, "770701001", "+7 4822 12-34-56", "Советская", "Трёхсвятская"]) {
      if (!esia.includes(shown)) problem(`${lang}:b2b-esia`, `«${shown}» not on the ESIA card`);
    }
    if (!(await s.page.locator("#b2b-esia-emps").count())) problem(`${lang}:b2b-esia`, "the chief sees no employees");

    await signInFor(s, "#b2b-login", oid, "b2b-oidc");
    if (!(await s.page.locator("#b2b-org").count())) problem(`${lang}:b2b-oidc`, "no OpenID card");
    if (!(await s.page.locator("#b2b-esia-org").count())) problem(`${lang}:b2b-oidc`, "the ESIA card is gone");

    await go(s, "/account/permissions", "permissions-orgs", { revisit: false });
    const rows = await s.page.locator("#org-permissions tr.org-permission").count();
    if (rows !== 2) problem(`${lang}:permissions`, `${rows} organisation permissions listed, 2 expected`);
    await submit(s, "#org-permissions tr.org-permission form");
    await check(s, "permissions-withdrawn", { revisit: false });
    const left = await s.page.locator("#org-permissions tr.org-permission").count();
    if (left !== 1) problem(`${lang}:permissions`, `${left} left after withdrawing one, 1 expected`);

    // The portal whose permission was withdrawn loses access at its next view.
    await go(s, "/demo/b2b", "b2b-after-withdrawal", { revisit: false });
    if (!(await s.page.locator("#b2b-notice").count())) problem(`${lang}:b2b`, "the OpenID half does not say access ended");
    // And the other one: the ESIA half is refused too, and says so.
    await go(s, "/account/permissions", "permissions-one-left", { revisit: false });
    await submit(s, "#org-permissions tr.org-permission form");
    await go(s, "/demo/b2b", "b2b-esia-ended", { revisit: false });
    if (!(await s.page.locator("#b2b-esia-notice").count())) problem(`${lang}:b2b-esia`, "the ESIA half does not say access ended");
  } finally {
    await s.context.close();
  }
}

try {
  await walk("ru", 1);
  await walk("en", 2);
} finally {
  await browser.close();
}
console.log(`\n${findings.length} finding(s)`);
for (const f of findings) console.log(`  ${f.where}: ${f.what}`);
process.exit(findings.length ? 1 : 0);
