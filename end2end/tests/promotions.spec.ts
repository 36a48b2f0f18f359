// Staff create a 20 % automatic promotion on a category and an amount-off code; a shopper
// sees the sale price, applies the code (a wrong one is refused with the reason), sees
// both discounts in the cart, at checkout and on the receipt, with and without
// JavaScript. Staff generate a batch of codes and export them. Screenshots for the README.
import { expect, test, type Page } from "@playwright/test";
import { fillShippingAddress, logIn, openWellStockedProduct, waitForHydration } from "./support";

const SHOTS = "../docs/screenshots";
const stamp = Date.now().toString(36).toUpperCase();
const SALE = `Camping week ${stamp}`;
const CODE_NAME = `Welcome five ${stamp}`;
const CODE = `WELCOME-${stamp}`;

async function shotsAtBothSizes(page: Page, name: string) {
  for (const [size, viewport] of [["phone", { width: 390, height: 844 }], ["desktop", { width: 1440, height: 900 }]] as const) {
    await page.setViewportSize(viewport);
    await page.screenshot({ path: `${SHOTS}/${name}-${size}.png`, fullPage: true });
  }
}

async function newPromotion(page: Page, fill: (form: ReturnType<Page["getByTestId"]>) => Promise<void>) {
  await page.goto("/admin/promotions/new");
  await waitForHydration(page);
  const form = page.getByTestId("promotion-form");
  await fill(form);
  await form.getByRole("button", { name: "Create promotion" }).click();
  await expect(page).toHaveURL(/\/admin\/promotions\/\d+$/);
  await expect(page.getByTestId("promotion-status")).toHaveText("Active");
}

test.describe.serial("promotions", () => {
  test("staff create a 20 % sale on camping and a code, and generate and export a batch", async ({ page }) => {
    await logIn(page, "owner@shop.example", "e2e owner password");
    // A promotion that ends before it starts is refused next to its end.
    await page.goto("/admin/promotions/new");
    await waitForHydration(page);
    const form = page.getByTestId("promotion-form");
    await form.getByLabel("Name shoppers see").fill("Backwards");
    await form.getByLabel("Percentage off (%)").fill("10");
    await form.getByLabel(/^Starts/).fill("2026-12-10T09:00");
    await form.getByLabel(/^Ends/).fill("2026-12-01T09:00");
    await form.getByRole("button", { name: "Create promotion" }).click();
    await expect(form.getByText("End the promotion after it starts.")).toBeVisible();

    await newPromotion(page, async (form) => {
      await form.getByLabel("Name shoppers see").fill(SALE);
      await form.getByLabel("Kind").selectOption("percent_off");
      await form.getByLabel("Percentage off (%)").fill("20");
      await form.getByLabel(/^Categories/).fill("camping");
      await form.getByLabel("Automatically, whenever the cart qualifies").check();
      await form.getByLabel("Combines with other promotions that combine").check();
    });
    await newPromotion(page, async (form) => {
      await form.getByLabel("Name shoppers see").fill(CODE_NAME);
      await form.getByLabel("Kind").selectOption("amount_off");
      await form.getByLabel("Amount off").fill("5.00");
      await form.getByLabel("With a code (add codes after saving)").check();
      await form.getByLabel("Combines with other promotions that combine").check();
    });
    const addCode = page.getByTestId("add-code-form");
    await addCode.getByLabel("Code", { exact: true }).fill(CODE.toLowerCase());
    await addCode.getByRole("button", { name: "Add code" }).click();
    await expect(page.getByTestId("codes")).toContainText(CODE);
    const generate = page.getByTestId("generate-codes-form");
    await generate.getByLabel(/How many/).fill("100");
    await generate.getByLabel(/Starting with/).fill("mail");
    await generate.getByRole("button", { name: "Generate codes" }).click();
    await expect(page.getByTestId("batches")).toContainText("100 single-use codes");
    const href = await page.getByTestId("export-codes").getAttribute("href");
    const csv = await (await page.request.get(href!)).text();
    const rows = csv.trim().split("\n");
    expect(rows[0]).toBe("code,uses,max_uses,batch");
    expect(rows).toHaveLength(102);
    expect(rows.filter((r) => r.startsWith("MAIL-"))).toHaveLength(100);
    await shotsAtBothSizes(page, "admin-promotion");
    await page.goto("/admin/promotions");
    await expect(page.getByTestId("promotions")).toContainText(SALE);
    await shotsAtBothSizes(page, "admin-promotions");
  });

  for (const javaScriptEnabled of [true, false]) {
    test(`a shopper sees the sale price and both discounts through to the receipt (${javaScriptEnabled ? "with" : "without"} JavaScript)`, async ({ browser }) => {
      const context = await browser.newContext({ javaScriptEnabled });
      const page = await context.newPage();
      await page.goto("/category/camping");
      await expect(page.getByTestId("sale-price").first()).toBeVisible();
      const shotName = javaScriptEnabled ? "" : "-no-js";
      if (javaScriptEnabled) await shotsAtBothSizes(page, "sale-listing");
      await openWellStockedProduct(page, "camping");
      await waitForHydration(page, javaScriptEnabled);
      await expect(page.getByTestId("sale-price")).toBeVisible();
      await page.getByRole("button", { name: "Add to cart" }).click();
      await expect(page.getByTestId("cart-count")).toHaveText("1");

      await page.goto("/cart");
      await waitForHydration(page, javaScriptEnabled);
      await expect(page.getByTestId("discount-name")).toHaveText([SALE]);
      await page.getByLabel("Discount code").fill("NO-SUCH-CODE");
      await page.getByRole("button", { name: "Apply" }).click();
      await expect(page.getByText("There is no discount code NO-SUCH-CODE.")).toBeVisible();
      await page.getByLabel("Discount code").fill(CODE.toLowerCase());
      await page.getByRole("button", { name: "Apply" }).click();
      await expect(page.getByTestId("discount-name")).toHaveText([SALE, `${CODE_NAME} (${CODE})`]);
      if (javaScriptEnabled) await shotsAtBothSizes(page, "cart-discounts");

      await page.getByRole("link", { name: "Check out" }).click();
      await expect(page).toHaveURL(/\/checkout$/);
      await waitForHydration(page, javaScriptEnabled);
      const summary = page.getByRole("complementary", { name: "Order summary" });
      await expect(summary.getByTestId("discount-name")).toHaveText([SALE, `${CODE_NAME} (${CODE})`]);
      await expect(summary).toContainText(`Code ${CODE} applied`);
      if (javaScriptEnabled) await shotsAtBothSizes(page, "checkout-discounts");
      await fillShippingAddress(page, `promo${shotName}-${stamp}@example.com`);
      await page.getByLabel(/Bank transfer/).check();
      await page.getByRole("button", { name: "Place order" }).click();
      await expect(page).toHaveURL(/\/order\/ST-\d+$/);
      await expect(page.getByTestId("discount-name")).toHaveText([SALE, `${CODE_NAME} (${CODE})`]);
      await expect(page.getByTestId("discount-amount").nth(1)).toHaveText("−$5.00");
      await context.close();
    });
  }

  test("staff see the uses and end the sale, and the sale price is gone", async ({ page }) => {
    await logIn(page, "owner@shop.example", "e2e owner password");
    await page.goto("/admin/promotions");
    await waitForHydration(page);
    const row = page.getByTestId("promotions").locator("tr", { hasText: CODE_NAME });
    await expect(row.locator('td[data-label="Uses"]')).toHaveText("2");
    await expect(row.locator('td[data-label="Discounted"]')).toHaveText("$10.00");
    await page.getByTestId("promotions").getByRole("link", { name: SALE }).click();
    await waitForHydration(page);
    await expect(page.getByTestId("promotion-results").locator("dd").first()).toHaveText("2");
    await page.getByRole("button", { name: "End now" }).click();
    await expect(page.getByTestId("promotion-status")).toHaveText("Ended");
    await page.goto("/category/camping");
    await expect(page.getByTestId("sale-price")).toHaveCount(0);
  });
});
