// Shared by the specs: finding a product that can be bought, and reading the links the
// store emails (from its outbox table, as a mail server would receive them).
import { expect, type Page } from "@playwright/test";
import pg from "pg";

// Opens the n-th product in a category whose preselected variant has plenty of stock.
export async function openWellStockedProduct(page: Page, category: string, skip = 0) {
  await page.goto(`/category/${category}`);
  const links = await page.locator(".product-card-link").evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).pathname));
  let found = 0;
  for (const href of links) {
    await page.goto(href);
    if ((await page.getByTestId("availability").textContent())?.trim() === "In stock") {
      if (found === skip) return href;
      found += 1;
    }
  }
  throw new Error(`no well-stocked product in ${category}`);
}

// The checkout's contact and shipping fields, filled as a shopper in the US would.
export async function fillShippingAddress(page: Page, email: string) {
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Full name").fill("Ada Lovelace");
  await page.getByLabel("Address", { exact: true }).fill("12 Analytical Row");
  await page.getByLabel("City").fill("Springfield");
  await page.getByLabel("Postal code").fill("94105");
  await page.getByLabel("Country").selectOption("US");
}

export async function waitForHydration(page: Page, javaScriptEnabled = true) {
  if (javaScriptEnabled) await page.locator('body[data-hydrated="true"]').waitFor({ state: "attached" });
}

// The text of the newest email of `kind` sent to `recipient`.
export async function newestEmail(recipient: string, kind: string): Promise<string> {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    const result = await client.query(
      "SELECT body_text FROM outbox_emails WHERE recipient = $1 AND kind = $2 ORDER BY id DESC LIMIT 1",
      [recipient, kind],
    );
    expect(result.rows.length, `an email of kind ${kind} to ${recipient}`).toBe(1);
    return result.rows[0].body_text as string;
  } finally {
    await client.end();
  }
}

// The path of the link in the newest email of `kind` sent to `recipient`.
export async function emailedLink(recipient: string, kind: string): Promise<string> {
  const match = (await newestEmail(recipient, kind)).match(/https?:\/\/[^/\s]+(\/account\/\S+)/);
  expect(match, "the email carries a link").not.toBeNull();
  return match![1];
}

// A fresh address per test run, so runs never collide.
export function uniqueEmail(name: string): string {
  return `${name}+${Date.now()}${Math.floor(Math.random() * 1000)}@example.com`;
}

// Every journey registers from 127.0.0.1, and the store limits the emails one client can
// trigger (10 per 15 minutes, tested over HTTP); journeys start with that count at zero.
async function forgetEmailRequestsFromThisMachine() {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    await client.query("DELETE FROM failed_attempts WHERE scope = 'account_email_client'");
  } finally {
    await client.end();
  }
}

// Registers through the form and follows the emailed link: the page ends logged in.
export async function registerAndConfirm(page: Page, email: string, password: string, javaScriptEnabled = true) {
  await forgetEmailRequestsFromThisMachine();
  await page.goto("/account/register");
  await waitForHydration(page, javaScriptEnabled);
  await page.getByLabel("Name").fill("Ada Lovelace");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByTestId("registration-sent")).toBeVisible();
  await page.goto(await emailedLink(email, "verify_email"));
  await waitForHydration(page, javaScriptEnabled);
  await page.getByRole("button", { name: "Confirm my email and log in" }).click();
  await expect(page).toHaveURL(/\/account\?welcome=1$/);
  await expect(page.getByTestId("account-name")).toHaveText("Ada Lovelace");
}

export async function logIn(page: Page, email: string, password: string, javaScriptEnabled = true) {
  await page.goto("/account/login");
  await waitForHydration(page, javaScriptEnabled);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page).toHaveURL(/\/account$/);
}
