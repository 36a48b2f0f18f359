// The staff area, as a staff member uses it: a product with a variant made in the
// editor and seen in the store, stock adjusted, an order taken through payment,
// shipment and a partial refund, every step in the audit log. Screenshots for the
// README's staff guide are taken on the way (docs/screenshots).
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { logIn, newestEmail, waitForHydration } from "./support";

const SHOTS = "../docs/screenshots";
// A 2×2 PNG; the server recognises it by its content, whatever the file is called.
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGM4IScHRAwQCgAfJgQRoo8irwAAAABJRU5ErkJggg==";

async function shot(page: Page, name: string) {
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

// The staff area's navigation is interactive (the page has hydrated inside the layout).
async function waitForStaffArea(page: Page) {
  await page.locator('nav[data-ready="true"]').waitFor({ state: "attached" });
}

async function expectToast(page: Page, text: string) {
  await expect(page.getByTestId("toasts")).toContainText(text);
}

async function noSeriousAxeViolations(page: Page, what: string) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id);
  expect(serious, `axe on ${what}`).toEqual([]);
}

test("a staff member creates a product, adjusts stock, ships and part-refunds an order, and audits it all", async ({ page, browser }) => {
  test.setTimeout(120_000);
  const stamp = Date.now();
  const name = `Staff Tee ${stamp}`;
  const sku = `TEE-${stamp}`;

  await logIn(page, "owner@shop.example", "e2e owner password");
  await page.goto("/admin");
  await waitForStaffArea(page);
  await expect(page.getByTestId("staff-role")).toHaveText("owner");
  await expect(page.getByTestId("revenue-chart")).toBeVisible();

  // The catalog: a new product with one variant, published. Client-side navigation.
  await page.getByRole("navigation", { name: "Staff area" }).getByRole("link", { name: "Products" }).click();
  await expect(page).toHaveURL(/\/admin\/products$/);
  await page.getByRole("link", { name: "New product" }).click();
  await expect(page.getByTestId("product-form")).toBeVisible();
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Category", { exact: true }).selectOption({ index: 1 });
  await page.getByLabel("Description").fill("Made in the staff area.");
  await page.getByLabel(/^Option names/).fill("Size");
  await page.getByLabel("SKU of variant 1").fill(sku);
  await page.getByLabel("Option values of variant 1").fill("M");
  await page.getByLabel("Price of variant 1").fill("abc");
  await page.getByLabel("Opening stock of variant 1").fill("3");
  await page.getByLabel("Published (visible in the store)").check();
  await page.getByRole("button", { name: "Save product" }).click();
  // A bad price is named next to its field, and nothing is saved.
  await expect(page.getByTestId("field-error")).toContainText("is not an amount");
  await expect(page).toHaveURL(/\/admin\/products\/new$/);
  await page.getByLabel("Price of variant 1").fill("19.99");
  await page.getByRole("button", { name: "Save product" }).click();
  await expectToast(page, "Product saved.");
  await expect(page).toHaveURL(/\/admin\/products\/\d+$/);
  await expect(page.getByTestId("product-state")).toContainText("Published");
  // An image, made into a thumbnail by the server.
  await page.getByLabel("Image (PNG, JPEG or WebP, up to 5 MB)").setInputFiles({ name: "tee.bin", mimeType: "application/octet-stream", buffer: Buffer.from(PNG, "base64") });
  await page.getByLabel("Alt text (what the image shows)").fill("A plain tee, folded");
  await page.getByRole("button", { name: "Upload image" }).click();
  await expect(page.getByTestId("image-result")).toHaveText("Image added.");
  await waitForStaffArea(page);
  await expect(page.getByRole("img", { name: "A plain tee, folded" })).toBeVisible();
  await noSeriousAxeViolations(page, "the product editor");
  await shot(page, "admin-product-editor");

  // Unsaved changes are not lost by following a link without being asked.
  await page.getByLabel("Description").fill("An edit not yet saved.");
  page.once("dialog", (dialog) => dialog.dismiss());
  await page.getByRole("link", { name: "← All products" }).click();
  await expect(page).toHaveURL(/\/admin\/products\/\d+\?image=added$/);
  await page.getByLabel("Description").fill("Made in the staff area.");

  const storeLink = await page.getByRole("link", { name: "View in the store" }).getAttribute("href");
  const shopper = await browser.newPage();
  await shopper.goto(storeLink!);
  await expect(shopper.getByRole("heading", { level: 1 })).toHaveText(name);
  await expect(shopper.getByText("$19.99").first()).toBeVisible();
  await expect(shopper.getByRole("img", { name: "A plain tee, folded" }).first()).toBeVisible();

  // Stock: 3 received makes 6; the ledger shows why.
  page.once("dialog", (dialog) => dialog.accept());
  await page.getByRole("navigation", { name: "Staff area" }).getByRole("link", { name: "Stock" }).click();
  await page.getByLabel("Product words or exact SKU").fill(sku);
  await page.getByRole("button", { name: "Find" }).click();
  await page.getByTestId("stock-table").getByRole("link", { name: sku }).click();
  await expect(page.getByTestId("variant-stock")).toHaveText("3");
  await page.getByLabel("Reason").selectOption("received");
  await page.getByLabel("Change (e.g. 12 or -3)").fill("3");
  await page.getByLabel("Note (optional)").fill("delivery from the mill");
  await page.getByRole("button", { name: "Apply" }).click();
  await expectToast(page, "Stock adjusted.");
  await expect(page.getByTestId("variant-stock")).toHaveText("6");
  await expect(page.getByTestId("movements")).toContainText("delivery from the mill");
  await shot(page, "admin-stock");

  // A shopper orders two, paying by bank transfer: the order waits for payment.
  await shopper.reload();
  await waitForHydration(shopper);
  await shopper.getByLabel("Quantity").fill("2");
  await shopper.getByRole("button", { name: "Add to cart" }).click();
  await expect(shopper.getByTestId("cart-count")).toHaveText("2");
  await shopper.goto("/checkout");
  await waitForHydration(shopper);
  await shopper.getByLabel("Email").fill("grace@example.com");
  await shopper.getByLabel("Full name").fill("Grace Hopper");
  await shopper.getByLabel("Address", { exact: true }).fill("1 Compiler Way");
  await shopper.getByLabel("City").fill("Arlington");
  await shopper.getByLabel("Postal code").fill("22201");
  await shopper.getByLabel("Country").selectOption("US");
  await shopper.getByLabel(/^Bank transfer or cash on delivery/).check();
  await shopper.getByRole("button", { name: "Place order" }).click();
  await expect(shopper).toHaveURL(/\/order\/ST-\d+$/);
  const number = (await shopper.getByTestId("order-number").textContent())!.trim();
  await shopper.close();

  // The order: paid, shipped with tracking, then refunded in part.
  await page.getByRole("navigation", { name: "Staff area" }).getByRole("link", { name: "Orders" }).click();
  await page.getByLabel("Customer or number").fill(number);
  await page.getByRole("button", { name: "Filter" }).click();
  await page.getByTestId("order-table").getByRole("link", { name: number }).click();
  await expect(page.getByTestId("order-status")).toHaveText("Awaiting payment");
  await page.getByRole("button", { name: "Mark paid" }).click();
  await expectToast(page, "Marked paid.");
  await expect(page.getByTestId("order-status")).toHaveText("Paid");
  await page.getByLabel("Carrier").fill("UPS");
  // Any form that saves asks before its typed changes are left behind (and, once saved,
  // no longer asks: the later navigation would be stopped by an unexpected dialog).
  let asked = "";
  page.once("dialog", (dialog) => {
    asked = dialog.message();
    void dialog.dismiss();
  });
  await page.getByRole("navigation", { name: "Staff area" }).getByRole("link", { name: "Orders" }).click();
  await expect.poll(() => asked).toContain("unsaved changes");
  await expect(page).toHaveURL(new RegExp(`/admin/orders/${number}$`));
  await page.getByLabel("Tracking number").fill("1Z999AA10123456784");
  await page.getByRole("button", { name: "Mark shipped" }).click();
  await expect(page.getByTestId("order-status")).toHaveText("Shipped");
  const shippedEmail = await newestEmail("grace@example.com", "order_shipped");
  for (const told of [number, "UPS", "1Z999AA10123456784"]) expect(shippedEmail).toContain(told);
  await page.getByLabel("Amount").fill("100000");
  await page.getByLabel("Reason").fill("one shirt arrived torn");
  await page.getByLabel("I confirm this refund").check();
  await page.getByRole("button", { name: "Refund" }).click();
  await expect(page.getByTestId("field-error")).toContainText("At most");
  await page.getByLabel("Amount").fill("19.99");
  await page.getByRole("button", { name: "Refund" }).click();
  await expectToast(page, "Refund recorded.");
  await expect(page.getByTestId("order-refunded")).toHaveText("$19.99");
  expect(await newestEmail("grace@example.com", "order_refunded")).toContain("We have refunded $19.99");
  await expect(page.getByTestId("order-status")).toHaveText("Shipped");
  const timeline = page.getByTestId("order-timeline");
  for (const step of ["Placed", "Paid", "Shipped", "Refunded $19.99"]) await expect(timeline).toContainText(step);
  await noSeriousAxeViolations(page, "the order page");
  await shot(page, "admin-order");

  // The audit log names each step, who did it and from where.
  await page.getByRole("navigation", { name: "Staff area" }).getByRole("link", { name: "Audit log" }).click();
  const log = page.getByTestId("audit-table");
  for (const action of ["product.create", "stock.adjust", "order.mark_paid", "order.fulfil", "order.refund"]) {
    await expect(log).toContainText(action);
  }
  await expect(log).toContainText("owner@shop.example");
  await expect(log).toContainText("127.0.0.1");
  await shot(page, "admin-audit-log");

  await page.getByRole("navigation", { name: "Staff area" }).getByRole("link", { name: "Dashboard" }).click();
  await expect(page.getByTestId("funnel")).toContainText("Checkouts started");
  await noSeriousAxeViolations(page, "the dashboard");
  await shot(page, "admin-dashboard");
});

test("the staff area works without JavaScript: find a product, read the orders, import a CSV", async ({ browser }) => {
  const page = await browser.newPage({ javaScriptEnabled: false });
  await logIn(page, "owner@shop.example", "e2e owner password", false);
  const response = await page.goto("/admin/products?search=shirt");
  expect(response?.status()).toBe(200);
  await expect(page.getByTestId("product-table")).toContainText(/shirt/i);
  await page.goto("/admin");
  await expect(page.getByTestId("revenue-chart").locator("svg rect").first()).toBeAttached();
  await page.goto("/admin/orders");
  await expect(page.getByRole("heading", { name: "Orders" })).toBeVisible();

  // The category tree, and a customer's page with their orders.
  await page.goto("/admin/categories");
  await expect(page.getByTestId("category-tree")).toContainText("Clothing");
  await page.locator("#category-name").fill("Scarves");
  await page.locator("#category-parent").selectOption({ label: "Clothing" });
  await page.getByRole("button", { name: "Add category" }).click();
  await expect(page.getByTestId("category-tree")).toContainText("/category/scarves");

  // A CSV with a wrong row imports nothing and names the row.
  await page.goto("/admin/import");
  const stamp = Date.now();
  const csv = `sku,product_slug,product_name,category_slug,price,stock,option_names,option_values\nCSV-${stamp}-1,csv-tee-${stamp},CSV Tee,tops,9.99,5,Size,S\nCSV-${stamp}-2,csv-tee-${stamp},CSV Tee,tops,nine,5,Size,M\n`;
  await page.getByLabel("CSV file (up to 10 MB)").setInputFiles({ name: "catalog.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
  await page.getByRole("button", { name: "Import" }).click();
  await expect(page.getByTestId("import-result")).toContainText("Nothing was imported");
  await expect(page.getByTestId("import-result")).toContainText("price");
  const fixed = csv.replace("nine", "9.99");
  await page.getByLabel("CSV file (up to 10 MB)").setInputFiles({ name: "catalog.csv", mimeType: "text/csv", buffer: Buffer.from(fixed) });
  await page.getByRole("button", { name: "Import" }).click();
  await expect(page.getByTestId("import-result")).toContainText("Imported 2 rows");
  const exported = await page.request.get("/admin/catalog/export.csv");
  expect(exported.status()).toBe(200);
  expect(await exported.text()).toContain(`CSV-${stamp}-2,csv-tee-${stamp},CSV Tee,tops,9.99,5,Size,M`);
  await page.close();
});
