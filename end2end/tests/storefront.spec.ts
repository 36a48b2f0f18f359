import { expect, test, type Page } from "@playwright/test";

// Marks the current document; the mark survives client-side navigation but not a reload.
async function markDocument(page: Page) {
  await page.evaluate(() => ((window as unknown as { stoaMark: number }).stoaMark = 42));
}
async function documentWasKept(page: Page) {
  return page.evaluate(() => (window as unknown as { stoaMark?: number }).stoaMark === 42);
}

test("home → category → search with a facet → product → change variant, hydrated", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveTitle(/Stoa/);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Welcome to");
  await expect(page.locator('meta[name="description"]')).toHaveAttribute("content", /clothing/i);
  await expect(page.locator('link[rel="canonical"]')).toHaveAttribute("href", /\/$/);

  // Wait for hydration (the app marks <body> once its WASM has taken over the page).
  await page.locator('body[data-hydrated="true"]').waitFor({ state: "attached" });
  await markDocument(page);

  // Category via the department navigation: a client-side navigation, not a reload.
  await page.getByRole("navigation", { name: "Departments" }).getByRole("link", { name: "Clothing" }).click();
  await expect(page).toHaveURL(/\/category\/clothing$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Clothing");
  await expect(page.locator(".product-grid > li")).toHaveCount(24);
  await expect(page).toHaveTitle("Clothing · Stoa");
  expect(await documentWasKept(page)).toBe(true);

  // Sorting by price puts the cheapest first.
  await page.getByRole("link", { name: "Price: low to high" }).click();
  await expect(page).toHaveURL(/sort=price_asc/);
  const prices = await page.locator(".product-card-price").allTextContents();
  const amounts = prices.map((p) => Number(p.replace(/[^0-9.]/g, "")));
  expect(amounts).toEqual([...amounts].sort((a, b) => a - b));

  // Search from the header, then narrow by a category facet whose count we read first.
  await page.getByLabel("Search products").fill("shirt");
  await page.getByLabel("Search products").press("Enter");
  await expect(page).toHaveURL(/\/search\?q=shirt/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Search results for “shirt”");
  const filters = page.getByRole("complementary", { name: "Filters" });
  const facet = filters.locator("section").first().locator("a.facet-link").first();
  const facetName = (await facet.locator("span").first().textContent())!.trim();
  const facetCount = Number((await facet.locator(".count").textContent())!.trim());
  expect(facetCount).toBeGreaterThan(0);
  await facet.click();
  await expect(page).toHaveURL(/category=/);
  await expect(page.getByTestId("result-count")).toHaveText(`${facetCount} product${facetCount === 1 ? "" : "s"}`);
  await expect(filters.locator('a.facet-link[aria-current="true"]').first()).toContainText(facetName);
  expect(await documentWasKept(page)).toBe(true);

  // Product page: choosing another option value updates SKU (and price) in place.
  await page.locator(".product-card-link").first().click();
  await expect(page).toHaveURL(/\/product\//);
  await expect(page.locator('form.variant-picker[data-hydrated="true"]')).toBeVisible();
  const productUrl = page.url();
  const skuBefore = await page.getByTestId("sku").textContent();
  const unchecked = page.locator(".option-values input[type=radio]:not(:checked)").first();
  const label = page.locator(`label[for="${await unchecked.getAttribute("id")}"]`);
  await label.click();
  await expect(page.getByTestId("sku")).not.toHaveText(skuBefore!);
  await expect(page.getByTestId("price")).toHaveText(/^\$\d/);
  await expect(page.getByTestId("availability")).toHaveText(/In stock|Only \d+ left|Out of stock|not available/);
  await expect(page.getByRole("button", { name: "Show price and availability" })).toBeHidden();
  expect(page.url()).toBe(productUrl);
  expect(await documentWasKept(page)).toBe(true);
});

test("an unknown address shows the 404 page with status 404", async ({ page }) => {
  const response = await page.goto("/no-such-page");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Page not found");
  const product = await page.goto("/product/no-such-product");
  expect(product?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Page not found");
});

test("malformed parameters give a normal page with clear notices and inert HTML", async ({ page }) => {
  let dialogs = 0;
  page.on("dialog", (dialog) => {
    dialogs += 1;
    void dialog.dismiss();
  });
  const q = encodeURIComponent("<img src=x onerror=alert(1)> shirt' OR 1=1 --");
  const response = await page.goto(`/search?q=${q}&page=abc&price_min=xyz&sort=bogus`);
  expect(response?.status()).toBe(200);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("<img src=x onerror=alert(1)>");
  const notices = page.getByRole("status").filter({ hasText: "ignored" });
  await expect(notices).toContainText("not a page number");
  await expect(notices).toContainText("lowest price was ignored");
  await expect(page.locator("img[src=x]")).toHaveCount(0);
  expect(dialogs).toBe(0);

  const pastTheEnd = await page.goto("/category/tops?page=9999");
  expect(pastTheEnd?.status()).toBe(200);
  await expect(page.getByText(/There is no page 9999/)).toBeVisible();
});

test.describe("with JavaScript disabled", () => {
  test.use({ javaScriptEnabled: false });

  test("home, listing, search and product pages work as plain HTML", async ({ page }) => {
    await page.goto("/");
    await expect(page.getByRole("heading", { level: 1 })).toContainText("Welcome to");
    await expect(page.locator(".product-grid > li").first()).toBeVisible();
    await page.getByRole("navigation", { name: "Departments" }).getByRole("link", { name: "Footwear" }).click();
    await expect(page).toHaveURL(/\/category\/footwear$/);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Footwear");
    await expect(page.locator(".product-grid > li")).toHaveCount(24);
    await page.getByRole("link", { name: "Page 2" }).first().click();
    await expect(page).toHaveURL(/page=2/);
    await expect(page.locator(".pagination .current")).toHaveText("2");

    await page.goto("/search?q=boot");
    const count = page.getByTestId("result-count");
    await expect(count).toHaveText(/\d+ products?/);
    const stock = page.getByRole("link", { name: /In stock only/ });
    const inStock = Number((await stock.locator(".count").textContent())!.trim());
    await stock.click();
    await expect(page).toHaveURL(/in_stock=1/);
    await expect(count).toHaveText(`${inStock} product${inStock === 1 ? "" : "s"}`);

    await page.locator(".product-card-link").first().click();
    await expect(page).toHaveURL(/\/product\//);
    const submit = page.getByRole("button", { name: "Show price and availability" });
    await expect(submit).toBeVisible();
    const skuBefore = await page.getByTestId("sku").textContent();
    const unchecked = page.locator(".option-values input[type=radio]:not(:checked)").first();
    await page.locator(`label[for="${await unchecked.getAttribute("id")}"]`).click();
    await submit.click();
    await expect(page).toHaveURL(/\?o0=/);
    await expect(page.getByTestId("sku")).not.toHaveText(skuBefore!);
  });
});
