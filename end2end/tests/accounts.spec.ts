import AxeBuilder from "@axe-core/playwright";
import { expect, test } from "@playwright/test";
import { emailedLink, logIn, openWellStockedProduct, registerAndConfirm, uniqueEmail, waitForHydration } from "./support";

const PASSWORD = "plum orchard lantern";

for (const javaScriptEnabled of [true, false]) {
  test.describe(javaScriptEnabled ? "with JavaScript" : "with JavaScript disabled", () => {
    test.use({ javaScriptEnabled });

    test("register, place an order, log out, log in, and find the order in the history", async ({ page }) => {
      const email = uniqueEmail("ada");
      await registerAndConfirm(page, email, PASSWORD, javaScriptEnabled);
      await expect(page.getByText("No orders yet.")).toBeVisible();

      await openWellStockedProduct(page, "tops");
      await waitForHydration(page, javaScriptEnabled);
      await page.getByRole("button", { name: "Add to cart" }).click();
      await expect(page.getByTestId("cart-count")).toHaveText("1");
      await page.goto("/checkout");
      await waitForHydration(page, javaScriptEnabled);
      await expect(page.getByLabel("Email")).toHaveValue(email);
      await page.getByLabel("Full name").fill("Ada Lovelace");
      await page.getByLabel("Address", { exact: true }).fill("12 Analytical Row");
      await page.getByLabel("City").fill("Springfield");
      await page.getByLabel("Postal code").fill("94105");
      await page.getByLabel("Bank transfer or cash on delivery (the order waits for payment)").check();
      await page.getByRole("button", { name: "Place order" }).click();
      await expect(page).toHaveURL(/\/order\/ST-\d+$/);
      const number = (await page.getByTestId("order-number").textContent())!.trim();

      await page.goto("/account");
      await waitForHydration(page, javaScriptEnabled);
      await page.getByTestId("log-out").click();
      await expect(page).toHaveURL(/\/\?logged_out=1$/);
      const afterLogout = await page.goto("/account");
      expect(afterLogout?.status()).toBe(401);
      await expect(page.getByRole("heading", { name: "Log in to continue" })).toBeVisible();
      expect((await page.goto(`/order/${number}`))?.status(), "a logged-out browser cannot reopen the order").toBe(404);

      await page.goto("/account/login");
      await waitForHydration(page, javaScriptEnabled);
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password").fill("not the password");
      await page.getByRole("button", { name: "Log in" }).click();
      await expect(page.getByTestId("form-error")).toContainText("do not match an account");

      await logIn(page, email, PASSWORD, javaScriptEnabled);
      const history = page.getByTestId("order-history");
      await expect(history).toContainText(number);
      await history.getByRole("link", { name: number }).click();
      await expect(page).toHaveURL(new RegExp(`/order/${number}$`));
      await expect(page.getByTestId("order-number")).toHaveText(number);
    });
  });
}

test("a guest cart filled before logging in is merged into the account's cart", async ({ page }) => {
  const email = uniqueEmail("merge");
  await registerAndConfirm(page, email, PASSWORD);
  await openWellStockedProduct(page, "tops");
  await waitForHydration(page);
  await page.getByRole("button", { name: "Add to cart" }).click();
  await expect(page.getByTestId("cart-count")).toHaveText("1");
  await page.goto("/account");
  await waitForHydration(page);
  await page.getByTestId("log-out").click();
  await expect(page).toHaveURL(/\/\?logged_out=1$/);
  await expect(page.getByTestId("cart-count")).toHaveText("0");

  // As a guest: one more of the same shirt and a product from the kitchen.
  await openWellStockedProduct(page, "tops");
  await waitForHydration(page);
  await page.getByRole("button", { name: "Add to cart" }).click();
  await openWellStockedProduct(page, "kitchen");
  await waitForHydration(page);
  await page.getByRole("button", { name: "Add to cart" }).click();
  await expect(page.getByTestId("cart-count")).toHaveText("2");

  await logIn(page, email, PASSWORD);
  await expect(page.getByTestId("cart-count")).toHaveText("3");
  await page.goto("/cart");
  await expect(page.getByTestId("cart-line")).toHaveCount(2);
});

test("a forgotten password is reset with the emailed link, once", async ({ page }) => {
  const email = uniqueEmail("reset");
  await registerAndConfirm(page, email, PASSWORD);
  await page.goto("/account");
  await waitForHydration(page);
  await page.getByTestId("log-out").click();
  await expect(page).toHaveURL(/\/\?logged_out=1$/);

  await page.goto("/account/forgot");
  await waitForHydration(page);
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Send me a link" }).click();
  await expect(page.getByTestId("reset-sent")).toBeVisible();
  const link = await emailedLink(email, "password_reset");
  await page.goto(link);
  await waitForHydration(page);
  await page.getByLabel("New password").fill("password1");
  await page.getByRole("button", { name: "Save new password" }).click();
  await expect(page.getByTestId("form-error")).toContainText("common");
  await page.getByLabel("New password").fill("violet kettle song");
  await page.getByRole("button", { name: "Save new password" }).click();
  await expect(page).toHaveURL(/\/account\/login\?reset=1$/);
  await logIn(page, email, "violet kettle song");

  await page.goto(link);
  await waitForHydration(page);
  await page.getByLabel("New password").fill("another kettle song");
  await page.getByRole("button", { name: "Save new password" }).click();
  await expect(page.getByTestId("form-error")).toContainText("expired or was already used");
});

test("the address book fills the checkout, and the account's data downloads as JSON", async ({ page }) => {
  const email = uniqueEmail("book");
  await registerAndConfirm(page, email, PASSWORD);
  await page.getByRole("link", { name: "Address book" }).click();
  await expect(page).toHaveURL(/\/account\/addresses$/);
  await waitForHydration(page);
  await page.getByLabel("Full name").fill("Ada at Home");
  await page.getByLabel("Address", { exact: true }).fill("1 Engine Street");
  await page.getByLabel("City").fill("Boston");
  await page.getByLabel("Postal code").fill("02110");
  await page.getByRole("button", { name: "Save address" }).click();
  await expect(page.getByTestId("address-list")).toContainText("Ada at Home");
  await expect(page.getByTestId("address-list")).toContainText("Default address");

  await openWellStockedProduct(page, "kitchen");
  await waitForHydration(page);
  await page.getByRole("button", { name: "Add to cart" }).click();
  await expect(page.getByTestId("cart-count")).toHaveText("1");
  await page.goto("/checkout");
  await expect(page.getByLabel("Full name")).toHaveValue("Ada at Home");
  await expect(page.getByLabel("City")).toHaveValue("Boston");

  await page.goto("/account");
  await waitForHydration(page);
  const downloading = page.waitForEvent("download");
  await page.getByTestId("export-data").click();
  const download = await downloading;
  const path = await download.path();
  const data = JSON.parse(await (await import("node:fs/promises")).readFile(path!, "utf8"));
  expect(data.account.email).toBe(email);
  expect(data.addresses[0].name).toBe("Ada at Home");
  expect(data.cart).toHaveLength(1);
});

test("deleting the account logs out and the login no longer works", async ({ page }) => {
  const email = uniqueEmail("erase");
  await registerAndConfirm(page, email, PASSWORD);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByLabel("I understand that this cannot be undone.").check();
  await page.getByRole("button", { name: "Delete my account" }).click();
  await expect(page).toHaveURL(/\/\?account=deleted$/);
  await page.goto("/account/login");
  await waitForHydration(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByTestId("form-error")).toContainText("do not match an account");
});

test("the staff area refuses customers and shows the owner their role", async ({ page }) => {
  const email = uniqueEmail("customer");
  await registerAndConfirm(page, email, PASSWORD);
  const refused = await page.goto("/admin");
  expect(refused?.status()).toBe(403);
  await expect(page.getByText("Your account is not allowed to do this.")).toBeVisible();
  await page.goto("/account");
  await waitForHydration(page);
  await page.getByTestId("log-out").click();
  await expect(page).toHaveURL(/\/\?logged_out=1$/);

  const anonymous = await page.goto("/admin");
  expect(anonymous?.status()).toBe(401);

  // scripts/e2e creates this owner with `stoa create-staff`.
  await logIn(page, "owner@shop.example", "e2e owner password");
  await page.goto("/admin");
  await page.locator('nav[data-ready="true"]').waitFor({ state: "attached" });
  await expect(page.getByTestId("staff-role")).toHaveText("owner");
  await page.getByRole("navigation", { name: "Staff area" }).getByRole("link", { name: "Customers" }).click();
  await page.getByLabel("Email or name").fill(email);
  await page.getByRole("button", { name: "Find" }).click();
  await expect(page.getByTestId("customer-table")).toContainText(email);
});

test("account pages have no serious accessibility violations", async ({ page }) => {
  for (const path of ["/account/login", "/account/register", "/account/forgot"]) {
    await page.goto(path);
    await waitForHydration(page);
    const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
    const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id);
    expect(serious, `axe on ${path}`).toEqual([]);
  }
  await registerAndConfirm(page, uniqueEmail("axe"), PASSWORD);
  for (const path of ["/account", "/account/addresses"]) {
    await page.goto(path);
    await waitForHydration(page);
    const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
    const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id);
    expect(serious, `axe on ${path}`).toEqual([]);
  }
});
