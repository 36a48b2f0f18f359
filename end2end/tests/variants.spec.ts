// The shopper gets exactly the variant they picked: options and "Add to cart" are one
// form and the server resolves the variant from the chosen options, with JavaScript,
// without it, and when options are tapped before the page has hydrated.
import { expect, test, type Page } from "@playwright/test";
import pg from "pg";

type Target = { slug: string; values: string[]; sku: string };

// A product with two options, and an in-stock variant that differs in both options from
// the one the page preselects (the first variant in stock).
async function variantOtherThanPreselected(): Promise<Target> {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    const result = await client.query(
      `WITH preselected AS (
         SELECT DISTINCT ON (product_id) product_id, option_values
         FROM product_variants WHERE stock > 0 ORDER BY product_id, position, id)
       SELECT p.slug, v.option_values AS values, v.sku
       FROM products p
       JOIN product_variants v ON v.product_id = p.id
       JOIN preselected s ON s.product_id = p.id
       WHERE p.is_published AND cardinality(p.option_names) = 2 AND v.stock > 5
         AND v.option_values[1] <> s.option_values[1] AND v.option_values[2] <> s.option_values[2]
       ORDER BY p.id, v.position LIMIT 1`,
    );
    expect(result.rows.length, "the demo catalog has a product with two options").toBe(1);
    return result.rows[0] as Target;
  } finally {
    await client.end();
  }
}

async function pick(page: Page, target: Target) {
  for (const [index, value] of target.values.entries()) {
    const radio = page.locator(`input[name="o${index}"][value="${value}"]`);
    await page.locator(`label[for="${await radio.getAttribute("id")}"]`).click();
    await expect(radio).toBeChecked();
  }
}

async function expectCartHoldsOnly(page: Page, sku: string) {
  await page.goto("/cart");
  const skus = await page.locator(".cart-line .sku").allTextContents();
  expect(skus.map((s) => s.replace("SKU", "").trim())).toEqual([sku]);
}

for (const javaScriptEnabled of [true, false]) {
  test.describe(javaScriptEnabled ? "with JavaScript" : "with JavaScript disabled", () => {
    test.use({ javaScriptEnabled });

    test("the cart gets the size and colour the shopper picked, not the preselected ones", async ({ page }) => {
      const target = await variantOtherThanPreselected();
      await page.goto(`/product/${target.slug}`);
      if (javaScriptEnabled) await page.locator('body[data-hydrated="true"]').waitFor({ state: "attached" });
      await expect(page.getByTestId("sku")).not.toHaveText(target.sku);
      await pick(page, target);
      if (javaScriptEnabled) await expect(page.getByTestId("sku")).toHaveText(target.sku);
      await page.getByRole("button", { name: "Add to cart" }).click();
      if (javaScriptEnabled) await expect(page.getByTestId("added")).toBeVisible();
      else await expect(page).toHaveURL(new RegExp(`/product/${target.slug}`));
      await expectCartHoldsOnly(page, target.sku);
    });

    test("a combination that does not exist is refused next to the options", async ({ page }) => {
      const target = await variantOtherThanPreselected();
      await page.goto(`/product/${target.slug}`);
      // The buy form hydrates from the options the page shows as chosen: tamper only after
      // that, or the form starts from the tampered choice and rightly offers nothing to add.
      if (javaScriptEnabled) await page.locator('.buy-form[data-hydrated="true"]').waitFor({ state: "attached" });
      // Tamper with a radio's value, as a stale page or a crafted form would send it.
      await page.locator('input[name="o0"]:checked').evaluate((input) => input.setAttribute("value", "No such size"));
      await page.locator('input[name="o0"]:checked').evaluate((input) => ((input as HTMLInputElement).value = "No such size"));
      await page.getByRole("button", { name: "Add to cart" }).click();
      if (javaScriptEnabled) {
        await expect(page.getByTestId("options-error")).toHaveText(/not available/);
      } else {
        await expect(page.locator(".notice.error, [role=alert]").first()).toContainText(/not available/);
      }
      await page.goto("/cart");
      await expect(page.locator(".cart-line")).toHaveCount(0);
    });
  });
}

test("options tapped on a slow link before the page hydrates are the ones added", async ({ page }) => {
  const target = await variantOtherThanPreselected();
  const network = await page.context().newCDPSession(page);
  await network.send("Network.enable");
  // A slow phone link, about 100 KB/s with 300 ms latency: the page's HTML arrives in
  // well under a second, the WASM chunks it needs (a few hundred KB) take seconds, long
  // enough to tap before they run.
  await network.send("Network.emulateNetworkConditions", {
    offline: false,
    latency: 300,
    downloadThroughput: 100 * 1024,
    uploadThroughput: 50 * 1024,
  });
  await page.goto(`/product/${target.slug}`, { waitUntil: "domcontentloaded" });
  await pick(page, target);
  expect(await page.locator('body[data-hydrated="true"]').count(), "tapped before hydration").toBe(0);
  await page.locator('body[data-hydrated="true"]').waitFor({ state: "attached", timeout: 120_000 });
  await network.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  for (const [index, value] of target.values.entries()) {
    await expect(page.locator(`input[name="o${index}"][value="${value}"]`)).toBeChecked();
  }
  await expect(page.getByTestId("sku")).toHaveText(target.sku);
  await page.getByRole("button", { name: "Add to cart" }).click();
  await expect(page.getByTestId("added")).toBeVisible();
  await expectCartHoldsOnly(page, target.sku);
});

test("the buy form reads top to bottom: options, then quantity and Add to cart, on a phone and a laptop", async ({ page }) => {
  const target = await variantOtherThanPreselected();
  for (const [name, viewport] of [
    ["phone", { width: 390, height: 844 }],
    ["laptop", { width: 1440, height: 900 }],
  ] as const) {
    await page.setViewportSize(viewport);
    await page.goto(`/product/${target.slug}`);
    await page.locator('body[data-hydrated="true"]').waitFor({ state: "attached" });
    const form = page.locator("form.variant-picker");
    const top = async (selector: string) => (await form.locator(selector).first().boundingBox())!.y;
    expect(await top("fieldset.option-group")).toBeLessThan(await top("#add-quantity"));
    expect(await top("#add-quantity")).toBeLessThanOrEqual(await top('button:has-text("Add to cart")'));
    await page.screenshot({ path: `../docs/screenshots/product-${name}.png`, fullPage: false });
  }
});
