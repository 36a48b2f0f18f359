// Card payments through Stripe, as a shopper makes them: the card typed into Stripe's
// field (localstripe's stand-in for Stripe.js, served by the Stripe test server), a bank's
// check (3-D Secure), a declined card, and a card saved for next time. scripts/e2e starts
// a second store process configured for Stripe (STOA_E2E_STRIPE_BASE_URL).
import { expect, test, type Page } from "@playwright/test";
import { createHmac } from "node:crypto";
import pg from "pg";
import { fillShippingAddress, logIn, openWellStockedProduct, registerAndConfirm, uniqueEmail, waitForHydration } from "./support";

const SHOTS = "../docs/screenshots";
// The events secret scripts/e2e gives the Stripe-configured store.
const WEBHOOK_SECRET = "whsec_stoa_e2e";
const VIEWPORTS = [["mobile", { width: 390, height: 844 }], ["desktop", { width: 1440, height: 900 }]] as const;

test.use({ baseURL: process.env.STOA_E2E_STRIPE_BASE_URL ?? "http://127.0.0.1:3101" });

// localstripe's Stripe.js stand-in declares a top-level `class Element`, which shadows the
// browser's `Element` for every script on the page, the WASM glue's `instanceof Element`
// checks included, and so stops the page from hydrating. Real Stripe.js declares no such
// global. The journey therefore loads the stand-in with that one class renamed; nothing
// else in it changes.
test.beforeEach(async ({ page }) => {
  await page.route(/\/js\.stripe\.com\/v3\/$/, async (route) => {
    const response = await route.fetch();
    const body = (await response.text()).replace(/(?<!window\.)\bElement\b/g, "LocalstripeElement");
    await route.fulfill({ response, body });
  });
});

// Content-Security-Policy violations (Stripe's origins are allowed on the checkout page)
// and failed hydration (Stripe's script changes the page while it hydrates) the page
// reports: there must be none.
function watchPageProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error" && /Content Security Policy|panicked|hydration/i.test(message.text())) problems.push(message.text());
  });
  page.on("pageerror", (error) => problems.push(error.message));
  return problems;
}

async function cartToCheckout(page: Page) {
  await openWellStockedProduct(page, "tops");
  await waitForHydration(page);
  await page.getByRole("button", { name: "Add to cart" }).click();
  await expect(page.getByTestId("cart-count")).not.toHaveText("0");
  await page.goto("/checkout");
  await waitForHydration(page);
  // The checkout's own code is loaded lazily: wait for the form itself to be interactive.
  await page.locator('form.checkout-form[data-hydrated="true"]').waitFor({ state: "attached" });
  // Stripe's field is mounted by its script (hidden while a saved card is chosen).
  await expect(page.locator("#stripe-card-element input").first()).toBeAttached();
}

// Types a card into the stand-in's field (number, month, year, code, postal code).
async function typeCard(page: Page, number: string) {
  const field = page.locator("#stripe-card-element");
  await field.getByPlaceholder("number").fill(number);
  await field.getByPlaceholder("exp_month").fill("12");
  await field.getByPlaceholder("exp_year").fill("34");
  await field.getByPlaceholder("cvc").fill("123");
  await field.getByPlaceholder("postal_code").fill("94105");
}

test("a card declined, a bank's check failed and then completed: one paid order", async ({ page }) => {
  const problems = watchPageProblems(page);
  await cartToCheckout(page);
  await fillShippingAddress(page, "stripe-shopper@example.com");
  await expect(page.getByText("this store never sees them")).toBeVisible();

  await typeCard(page, "4000000000000341");
  await page.getByRole("button", { name: "Place order" }).click();
  await expect(page.getByTestId("checkout-error")).toContainText("declined");
  await expect(page).toHaveURL(/\/checkout$/);

  // The bank asks for a check; the shopper fails it, and nothing is placed.
  await typeCard(page, "4000002500003155");
  await page.getByRole("button", { name: "Place order" }).click();
  await page.getByRole("button", { name: "Fail authentication" }).click();
  await expect(page.locator("#stripe-card-errors")).toContainText("did not confirm");
  await expect(page).toHaveURL(/\/checkout$/);

  // The second time the shopper completes it and the same checkout places the order.
  await page.getByRole("button", { name: "Place order" }).click();
  await page.getByRole("button", { name: "Complete authentication" }).click();
  await expect(page).toHaveURL(/\/order\/ST-\d+$/);
  await expect(page.getByTestId("order-status")).toHaveText("Paid");
  await expect(page.getByText("Visa ending in 3155")).toBeVisible();
  expect(problems).toEqual([]);
});

test("a customer saves a card, pays with it next time, and removes it", async ({ page, browser, baseURL }) => {
  // Three checkouts, an account and two browsers: more than the default 30 s on a busy machine.
  test.setTimeout(60_000);
  const problems = watchPageProblems(page);
  const email = uniqueEmail("cards");
  await registerAndConfirm(page, email, "correct horse battery");
  await cartToCheckout(page);
  await fillShippingAddress(page, "ada-cards@example.com");
  await typeCard(page, "4242424242424242");
  await page.getByLabel(/Save this card for my next orders/).check();
  await page.getByRole("button", { name: "Place order" }).click();
  await expect(page).toHaveURL(/\/order\/ST-\d+$/);
  await expect(page.getByTestId("order-status")).toHaveText("Paid");

  // Next time the saved card is chosen already, and the new card's field steps aside.
  await cartToCheckout(page);
  const saved = page.getByLabel(/Visa ending in 4242/);
  await expect(saved).toBeChecked();
  await expect(page.locator("#stripe-card-element")).toBeHidden();
  await fillShippingAddress(page, "ada-cards@example.com");
  for (const [name, viewport] of VIEWPORTS) {
    await page.setViewportSize(viewport);
    await page.getByTestId("saved-cards").scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/checkout-saved-card-${name}.png` });
  }
  await page.getByRole("button", { name: "Place order" }).click();
  await expect(page).toHaveURL(/\/order\/ST-\d+$/);
  await expect(page.getByTestId("order-status")).toHaveText("Paid");
  await expect(page.getByText("Visa ending in 4242")).toBeVisible();

  // Paying with a saved card needs no JavaScript.
  const plain = await browser.newPage({ javaScriptEnabled: false, baseURL });
  await logIn(plain, email, "correct horse battery", false);
  await openWellStockedProduct(plain, "kitchen");
  await plain.getByRole("button", { name: "Add to cart" }).click();
  await plain.goto("/checkout");
  await expect(plain.getByLabel(/Visa ending in 4242/)).toBeChecked();
  // "A new card" says that it needs JavaScript; the saved card does not.
  // (Playwright's text matching skips noscript: the notice is found by its element.)
  const needsScript = plain.locator("noscript.notice");
  expect(await needsScript.innerHTML()).toContain("Paying with a new card needs JavaScript");
  await expect(needsScript).toBeHidden();
  await plain.getByLabel("A new card").check();
  await expect(needsScript).toBeVisible();
  await plain.getByLabel(/Visa ending in 4242/).check();
  await fillShippingAddress(plain, "ada-cards@example.com");
  await plain.getByRole("button", { name: "Place order" }).click();
  await expect(plain).toHaveURL(/\/order\/ST-\d+$/);
  await expect(plain.getByTestId("order-status")).toHaveText("Paid");
  await plain.close();

  await page.goto("/account");
  await waitForHydration(page);
  const list = page.getByTestId("saved-card-list");
  await expect(list).toContainText("Visa ending in 4242");
  for (const [name, viewport] of VIEWPORTS) {
    await page.setViewportSize(viewport);
    await list.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/account-saved-cards-${name}.png` });
  }
  await list.getByRole("button", { name: "Remove Visa ending in 4242" }).click();
  await expect(page.getByText("The card was removed")).toBeVisible();
  await expect(page.getByTestId("saved-card-list")).toHaveCount(0);
  expect(problems).toEqual([]);
});

async function paymentReferenceOf(orderNumber: string): Promise<string> {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    const result = await client.query("SELECT payment_reference FROM orders WHERE number = $1", [orderNumber]);
    return result.rows[0].payment_reference as string;
  } finally {
    await client.end();
  }
}

// An event as Stripe sends it: the JSON body signed with the endpoint's secret.
function signedEvent(event: object): { body: string; signature: string } {
  const body = JSON.stringify(event);
  const timestamp = Math.floor(Date.now() / 1000);
  const v1 = createHmac("sha256", WEBHOOK_SECRET).update(`${timestamp}.${body}`).digest("hex");
  return { body, signature: `t=${timestamp},v1=${v1}` };
}

test("a disputed card payment reaches staff on the dashboard, in the orders filter and on the order", async ({ page }) => {
  await cartToCheckout(page);
  await fillShippingAddress(page, "disputing-shopper@example.com");
  await typeCard(page, "4242424242424242");
  await page.getByRole("button", { name: "Place order" }).click();
  await expect(page).toHaveURL(/\/order\/ST-\d+$/);
  const number = (await page.getByTestId("order-number").textContent())!.trim();

  const intent = await paymentReferenceOf(number);
  const { body, signature } = signedEvent({
    id: `evt_e2e_dispute_${Date.now()}`,
    type: "charge.dispute.created",
    data: { object: { object: "dispute", payment_intent: intent, reason: "fraudulent" } },
  });
  const forged = await page.request.post("/webhooks/stripe", { data: body, headers: { "content-type": "application/json", "stripe-signature": "t=1,v1=00" } });
  expect(forged.status()).toBe(400);
  const delivered = await page.request.post("/webhooks/stripe", { data: body, headers: { "content-type": "application/json", "stripe-signature": signature } });
  expect(delivered.status()).toBe(200);

  await logIn(page, "owner@shop.example", "e2e owner password");
  await page.goto("/admin");
  const alert = page.getByTestId("payment-attention");
  await expect(alert).toContainText(/need(s)? payment attention/);
  for (const [name, viewport] of VIEWPORTS) {
    await page.setViewportSize(viewport);
    await page.screenshot({ path: `${SHOTS}/dashboard-payment-attention-${name}.png` });
  }
  await alert.getByRole("link", { name: "Review these orders" }).click();
  await expect(page).toHaveURL(/\/admin\/orders\?attention=yes/);
  const row = page.getByRole("row").filter({ hasText: number });
  await expect(row.getByTestId("payment-attention")).toHaveText("Payment disputed");
  await row.getByRole("link", { name: number }).click();
  const banner = page.getByTestId("payment-attention");
  await expect(banner).toContainText("Payment disputed");
  await expect(banner).toContainText("fraudulent");
  await expect(banner).toContainText("Answer the dispute in Stripe's dashboard");
  for (const [name, viewport] of VIEWPORTS) {
    await page.setViewportSize(viewport);
    await page.screenshot({ path: `${SHOTS}/order-payment-disputed-${name}.png` });
  }
});
