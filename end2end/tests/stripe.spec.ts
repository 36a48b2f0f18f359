// Card payments through Stripe, as a shopper makes them: the card typed into Stripe's
// field (localstripe's stand-in for Stripe.js, served by the Stripe test server), a bank's
// check (3-D Secure), a declined card, and a card saved for next time. scripts/e2e starts
// a second store process configured for Stripe (STOA_E2E_STRIPE_BASE_URL).
import { expect, test, type Page } from "@playwright/test";
import { openWellStockedProduct, registerAndConfirm, uniqueEmail, waitForHydration } from "./support";

const SHOTS = "../docs/screenshots";

test.use({ baseURL: process.env.STOA_E2E_STRIPE_BASE_URL ?? "http://127.0.0.1:3101" });

// Content-Security-Policy violations the page reports: Stripe's origins are allowed on
// the checkout page, so there must be none.
function watchPolicyViolations(page: Page): string[] {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error" && /Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  return violations;
}

async function cartToCheckout(page: Page) {
  await openWellStockedProduct(page, "tops");
  await waitForHydration(page);
  await page.getByRole("button", { name: "Add to cart" }).click();
  await expect(page.getByTestId("cart-count")).not.toHaveText("0");
  await page.goto("/checkout");
  await waitForHydration(page);
  // Stripe's field is mounted by its script.
  await expect(page.locator("#stripe-card-element input").first()).toBeVisible();
}

async function fillAddress(page: Page, email: string) {
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Full name").fill("Ada Lovelace");
  await page.getByLabel("Address", { exact: true }).fill("12 Analytical Row");
  await page.getByLabel("City").fill("Springfield");
  await page.getByLabel("Postal code").fill("94105");
  await page.getByLabel("Country").selectOption("US");
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
  const violations = watchPolicyViolations(page);
  await cartToCheckout(page);
  await fillAddress(page, "stripe-shopper@example.com");
  await expect(page.getByText("this store never sees them")).toBeVisible();

  await typeCard(page, "4000000000000341");
  await page.getByRole("button", { name: "Place order" }).click();
  await expect(page.getByTestId("checkout-error")).toContainText("declined");
  await expect(page).toHaveURL(/\/checkout$/);

  // The bank asks for a check; the shopper fails it, and nothing is placed.
  await typeCard(page, "4000002500003155");
  await page.getByRole("button", { name: "Place order" }).click();
  await page.getByRole("button", { name: "Fail authentication" }).click();
  await expect(page.locator("#stripe-card-errors")).not.toBeEmpty();
  await expect(page).toHaveURL(/\/checkout$/);

  // The second time the shopper completes it and the same checkout places the order.
  await page.getByRole("button", { name: "Place order" }).click();
  await page.getByRole("button", { name: "Complete authentication" }).click();
  await expect(page).toHaveURL(/\/order\/ST-\d+$/);
  await expect(page.getByTestId("order-status")).toHaveText("Paid");
  await expect(page.getByText("Visa ending in 3155")).toBeVisible();
  expect(violations).toEqual([]);
});

test("a customer saves a card, pays with it next time, and removes it", async ({ page }) => {
  const violations = watchPolicyViolations(page);
  await registerAndConfirm(page, uniqueEmail("cards"), "correct horse battery");
  await cartToCheckout(page);
  await fillAddress(page, "ada-cards@example.com");
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
  await fillAddress(page, "ada-cards@example.com");
  for (const [name, viewport] of [["mobile", { width: 390, height: 844 }], ["desktop", { width: 1440, height: 900 }]] as const) {
    await page.setViewportSize(viewport);
    await page.getByTestId("saved-cards").scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/checkout-saved-card-${name}.png` });
  }
  await page.getByRole("button", { name: "Place order" }).click();
  await expect(page).toHaveURL(/\/order\/ST-\d+$/);
  await expect(page.getByTestId("order-status")).toHaveText("Paid");
  await expect(page.getByText("Visa ending in 4242")).toBeVisible();

  await page.goto("/account");
  await waitForHydration(page);
  const list = page.getByTestId("saved-card-list");
  await expect(list).toContainText("Visa ending in 4242");
  for (const [name, viewport] of [["mobile", { width: 390, height: 844 }], ["desktop", { width: 1440, height: 900 }]] as const) {
    await page.setViewportSize(viewport);
    await list.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/account-saved-cards-${name}.png` });
  }
  await list.getByRole("button", { name: "Remove Visa ending in 4242" }).click();
  await expect(page.getByText("The card was removed")).toBeVisible();
  await expect(page.getByTestId("saved-card-list")).toHaveCount(0);
  expect(violations).toEqual([]);
});
