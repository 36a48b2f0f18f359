import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { fillShippingAddress, openWellStockedProduct } from "./support";

const APPROVED = "4242 4242 4242 4242";
const DECLINED = "4000 0000 0000 0002";

async function fillCheckout(page: Page, email: string, card: string) {
  await fillShippingAddress(page, email);
  await page.getByLabel("Card number").fill(card);
  await page.getByLabel("Expiry (MM/YY)").fill("12/39");
  await page.getByLabel("Security code").fill("123");
}

for (const javaScriptEnabled of [true, false]) {
  test.describe(javaScriptEnabled ? "with JavaScript" : "with JavaScript disabled", () => {
    test.use({ javaScriptEnabled });

    test("add two products, change a quantity, remove one, get declined, then pay and find the order", async ({ page, browser }) => {
      const hydrated = async () => {
        if (javaScriptEnabled) await page.locator('body[data-hydrated="true"]').waitFor({ state: "attached" });
      };
      await openWellStockedProduct(page, "tops");
      await hydrated();
      await page.getByRole("button", { name: "Add to cart" }).click();
      await expect(page.getByTestId("cart-count")).toHaveText("1");

      await openWellStockedProduct(page, "kitchen");
      await hydrated();
      await page.getByRole("button", { name: "Add to cart" }).click();
      await expect(page.getByTestId("cart-count")).toHaveText("2");

      await page.getByRole("link", { name: /^Cart/ }).click();
      await expect(page).toHaveURL(/\/cart$/);
      await hydrated();
      const lines = page.getByTestId("cart-line");
      await expect(lines).toHaveCount(2);
      const subtotalBefore = await page.getByTestId("cart-subtotal").textContent();
      await lines.first().getByLabel("Quantity").fill("2");
      await lines.first().getByRole("button", { name: "Update" }).click();
      await expect(page.getByTestId("cart-count")).toHaveText("3");
      await expect(page.getByTestId("cart-subtotal")).not.toHaveText(subtotalBefore!);
      await lines.nth(1).getByRole("button", { name: /^Remove/ }).click();
      await expect(page.getByTestId("cart-line")).toHaveCount(1);
      await expect(page.getByTestId("cart-count")).toHaveText("2");

      await page.getByRole("link", { name: "Check out" }).click();
      await expect(page).toHaveURL(/\/checkout$/);
      await hydrated();
      await fillCheckout(page, "ada@example.com", DECLINED);
      await page.getByRole("button", { name: "Place order" }).click();
      await expect(page.getByRole("alert")).toContainText("declined");
      await expect(page).toHaveURL(/\/checkout/);
      await expect(page.getByTestId("cart-count")).toHaveText("2");

      await page.goto("/checkout");
      await hydrated();
      if (javaScriptEnabled) {
        const audit = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
        const serious = audit.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id);
        expect(serious, "axe on the filled cart's checkout page").toEqual([]);
        const html = await (await page.request.get("/cart")).text();
        expect(html).toContain('data-testid="cart-line"');
      }
      await fillCheckout(page, "ada@example.com", APPROVED);
      await page.getByRole("button", { name: "Place order" }).click();
      await expect(page).toHaveURL(/\/order\/ST-\d+$/);
      const number = (await page.getByTestId("order-number").textContent())!.trim();
      expect(number).toMatch(/^ST-\d{5,}$/);
      await expect(page.getByTestId("order-status")).toHaveText("Paid");
      await expect(page.getByText("Visa ending in 4242")).toBeVisible();
      await expect(page.getByTestId("cart-count")).toHaveText("0");

      // Another browser finds the order with its number and email, and only then.
      const other = await browser.newPage({ javaScriptEnabled });
      const response = await other.goto(`/order/${number}`);
      expect(response?.status()).toBe(404);
      await other.goto("/order-status");
      await other.getByLabel("Order number").fill(number);
      await other.getByLabel("Email used for the order").fill("someone-else@example.com");
      await other.getByRole("button", { name: "Find order" }).click();
      await expect(other.getByRole("alert")).toContainText("No order matches");
      await other.getByLabel("Order number").fill(number);
      await other.getByLabel("Email used for the order").fill("ADA@example.com");
      await other.getByRole("button", { name: "Find order" }).click();
      await expect(other).toHaveURL(new RegExp(`/order/${number}$`));
      await expect(other.getByTestId("order-number")).toHaveText(number);
      await other.close();
    });
  });
}
