// Staff two-factor login as people use it: set up from the Security page by scanning (here:
// reading) the key, recovery codes shown once, a second device that needs a code, logins
// listed and ended; and an owner requiring it, so an admin without it sets it up before
// getting in, without JavaScript. Screenshots for the README (docs/screenshots).
import AxeBuilder from "@axe-core/playwright";
import { createHmac } from "node:crypto";
import { expect, test, type Browser, type Page } from "@playwright/test";
import pg from "pg";
import { logIn, waitForHydration } from "./support";

const SHOTS = "../docs/screenshots";
const ADMIN_PASSWORD = "e2e admin password";

// RFC 6238 with the app's defaults (SHA-1, 6 digits, 30 s), as an authenticator app does.
function base32Decode(text: string): Buffer {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0;
  let value = 0;
  const bytes: number[] = [];
  for (const char of text.replace(/\s+/g, "").toUpperCase()) {
    value = (value << 5) | alphabet.indexOf(char);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((value >>> bits) & 0xff);
    }
  }
  return Buffer.from(bytes);
}

function totp(secretText: string, stepOffset = 0): string {
  const step = Math.floor(Date.now() / 1000 / 30) + stepOffset;
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const digest = createHmac("sha1", base32Decode(secretText)).update(counter).digest();
  const offset = digest[digest.length - 1] & 0x0f;
  const code = (digest.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return code.toString().padStart(6, "0");
}

async function shotsAtBothSizes(page: Page, name: string) {
  for (const [size, viewport] of [["phone", { width: 390, height: 844 }], ["desktop", { width: 1440, height: 900 }]] as const) {
    await page.setViewportSize(viewport);
    await page.screenshot({ path: `${SHOTS}/${name}-${size}.png`, fullPage: true });
  }
}

async function noSeriousAxeViolations(page: Page, what: string) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id);
  expect(serious, `axe on ${what}`).toEqual([]);
}

async function logInWithPassword(page: Page, email: string, password: string, javaScriptEnabled = true) {
  await page.goto("/account/login");
  await waitForHydration(page, javaScriptEnabled);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
}

// Sets up two-factor login on the Security page (already open) and returns the key.
async function setUp(page: Page, javaScriptEnabled: boolean, shots?: string): Promise<string> {
  await page.getByTestId("two-factor-start").click();
  await expect(page.getByTestId("two-factor-setup")).toBeVisible();
  await waitForHydration(page, javaScriptEnabled);
  await expect(page.getByRole("img", { name: "QR code of the setup key" })).toBeVisible();
  const secret = (await page.getByTestId("two-factor-secret").textContent()) ?? "";
  expect(secret.replace(/\s+/g, "")).toMatch(/^[A-Z2-7]{32}$/);
  if (shots) await shotsAtBothSizes(page, `${shots}-setup`);
  // A mistyped code is refused with a message, and two-factor stays off.
  await page.getByTestId("confirm-code").fill("000000");
  await page.getByRole("button", { name: "Turn on two-factor login" }).click();
  await expect(page.getByTestId("form-error")).toContainText("does not match");
  await page.getByTestId("confirm-code").fill(totp(secret));
  await page.getByRole("button", { name: "Turn on two-factor login" }).click();
  await expect(page.getByTestId("recovery-codes")).toBeVisible();
  await expect(page.getByTestId("recovery-codes").locator("li")).toHaveCount(10);
  if (shots) await shotsAtBothSizes(page, `${shots}-recovery-codes`);
  return secret;
}

async function newDevice(browser: Browser, javaScriptEnabled = true): Promise<Page> {
  const context = await browser.newContext({ javaScriptEnabled });
  return context.newPage();
}

test("an admin turns on two-factor login, needs a code on another device, and logs that device out", async ({ page, browser }) => {
  test.setTimeout(90_000);
  await logIn(page, "admin@shop.example", ADMIN_PASSWORD);
  await page.getByRole("link", { name: "Security and logins" }).click();
  await expect(page).toHaveURL(/\/account\/security$/);
  await waitForHydration(page);
  await expect(page.getByTestId("two-factor-state")).toContainText("Off");
  await noSeriousAxeViolations(page, "the security page");
  const secret = await setUp(page, true, "security");
  await page.getByTestId("codes-saved").click();
  await expect(page.getByTestId("recovery-codes")).toHaveCount(0);
  await expect(page.getByTestId("two-factor-state")).toContainText("On");
  await expect(page.getByTestId("codes-left")).toHaveText("10 of 10 recovery codes left.");

  // The phone: the password alone is not enough.
  const phone = await newDevice(browser);
  await logInWithPassword(phone, "admin@shop.example", ADMIN_PASSWORD);
  await expect(phone).toHaveURL(/\/account\/login\/code$/);
  await waitForHydration(phone);
  await noSeriousAxeViolations(phone, "the code page");
  await shotsAtBothSizes(phone, "login-code");
  await phone.goto("/admin");
  await expect(phone.getByText("Log in to continue").first()).toBeVisible();
  await phone.goBack();
  await waitForHydration(phone);
  await phone.getByTestId("login-code").fill("123456");
  await phone.getByRole("button", { name: "Log in" }).click();
  await expect(phone.getByTestId("form-error")).toContainText("not right");
  // The code the setup used is spent; the app's next one logs in.
  await phone.getByTestId("login-code").fill(totp(secret, 1));
  await phone.getByRole("button", { name: "Log in" }).click();
  await expect(phone).toHaveURL(/\/account$/);

  // Both logins are listed on the laptop; it logs the phone out.
  await page.reload();
  await waitForHydration(page);
  await expect(page.getByTestId("login-list").locator("li")).toHaveCount(2);
  await expect(page.locator('.login-row[data-current="true"]')).toContainText("This device");
  await shotsAtBothSizes(page, "security-enrolled");
  await page.getByTestId("end-login").click();
  await expect(page.getByRole("status").filter({ hasText: "Logged out there" })).toBeVisible();
  await expect(page.getByTestId("login-list").locator("li")).toHaveCount(1);
  await phone.goto("/account");
  await expect(phone.getByText("Log in to continue").first()).toBeVisible();
  await phone.context().close();
});

test("when the owner requires two-factor login, an admin without it sets it up before getting in, without JavaScript", async ({ page, browser }) => {
  test.setTimeout(90_000);
  try {
    await logIn(page, "owner@shop.example", "e2e owner password");
    await page.goto("/admin/staff");
    await page.locator('nav[data-ready="true"]').waitFor({ state: "attached" });
    await page.getByTestId("toggle-two-factor-requirement").click();
    await expect(page.getByTestId("two-factor-requirement")).toContainText("Required");
    await expect(page.getByTestId("staff-table")).toContainText("admin@shop.example");
    await shotsAtBothSizes(page, "admin-staff-two-factor");

    const desk = await newDevice(browser, false);
    await logInWithPassword(desk, "manager@shop.example", ADMIN_PASSWORD, false);
    await expect(desk).toHaveURL(/\/account\/security\?required=1$/);
    await expect(desk.getByTestId("two-factor-required")).toBeVisible();
    await desk.goto("/admin");
    await expect(desk.getByText("Log in to continue").first()).toBeVisible();
    await desk.goto("/account/security");
    await setUp(desk, false);
    await desk.getByTestId("codes-saved").click();
    // Enrolling finished the login; the codes were the last step before the account.
    await expect(desk).toHaveURL(/\/account$/);
    await expect(desk.getByText("Staff role:")).toBeVisible();
    await desk.context().close();
  } finally {
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    await client.query("UPDATE store_settings SET require_staff_two_factor = false");
    await client.end();
  }
});
