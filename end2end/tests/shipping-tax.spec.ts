// An admin adds a shipping method on the staff area's shipping and tax page, a shopper is
// offered it at checkout, and the admin turns it off again; a wrong rate is refused next
// to its field. Screenshots for the README.
import { expect, test, type Page } from "@playwright/test";
import { logIn, openWellStockedProduct, waitForHydration } from "./support";

const SHOTS = "../docs/screenshots";

async function shotsAtBothSizes(page: Page, name: string) {
  for (const [size, viewport] of [["phone", { width: 390, height: 844 }], ["desktop", { width: 1440, height: 900 }]] as const) {
    await page.setViewportSize(viewport);
    await page.screenshot({ path: `${SHOTS}/${name}-${size}.png`, fullPage: true });
  }
}

test("an admin adds a shipping method, a shopper is offered it, and the admin turns it off", async ({ page, browser }) => {
  await logIn(page, "owner@shop.example", "e2e owner password");
  await page.goto("/admin/shipping-tax");
  await page.locator('nav[data-ready="true"]').waitFor({ state: "attached" });
  await waitForHydration(page);
  const name = `Pick up in store ${Date.now()}`;
  const form = page.getByTestId("add-method-form");
  await form.getByLabel("Name shoppers see").fill(name);
  await form.getByLabel("Price").fill("0");
  await form.getByRole("button", { name: "Add method" }).click();
  const row = page.getByTestId("shipping-methods").locator("tr", { hasText: name });
  await expect(row).toContainText("Offered");
  await expect(row).toContainText("0.00");

  // A rate that cannot be is refused next to its field; nothing changes.
  const tax = page.getByTestId("tax-form");
  const before = await tax.getByLabel(/Tax rate where a category has none/).inputValue();
  await tax.getByLabel(/Tax rate where a category has none/).fill("120");
  await tax.getByRole("button", { name: "Save tax settings" }).click();
  await expect(tax.getByText("Enter a rate from 0 to 100 %")).toBeVisible();
  await page.reload();
  await expect(page.getByTestId("tax-form").getByLabel(/Tax rate where a category has none/)).toHaveValue(before);
  await shotsAtBothSizes(page, "admin-shipping-tax");

  const shopper = await browser.newPage();
  await openWellStockedProduct(shopper, "tops");
  await waitForHydration(shopper);
  await shopper.getByRole("button", { name: "Add to cart" }).click();
  await expect(shopper.getByTestId("cart-count")).toHaveText("1");
  await shopper.goto("/checkout");
  await expect(shopper.getByLabel(new RegExp(name))).toBeVisible();
  await shopper.close();

  await page.setViewportSize({ width: 1440, height: 900 });
  await waitForHydration(page);
  const editRow = page.getByTestId("shipping-methods").locator("tr", { hasText: name });
  await editRow.getByText("Edit").click();
  await editRow.getByLabel("Offer it at checkout").uncheck();
  await editRow.getByRole("button", { name: "Save" }).click();
  await expect(page.getByTestId("shipping-methods").locator("tr", { hasText: name })).toContainText("Off");
});
