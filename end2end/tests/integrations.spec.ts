// An admin makes an API key for an ERP in the staff area, sees it once, the ERP reads
// orders with it, and the admin revokes it. Screenshots for the README.
import { expect, test, type Page } from "@playwright/test";
import { logIn, waitForHydration } from "./support";

const SHOTS = "../docs/screenshots";

async function shotsAtBothSizes(page: Page, name: string) {
  for (const [size, viewport] of [["phone", { width: 390, height: 844 }], ["desktop", { width: 1440, height: 900 }]] as const) {
    await page.setViewportSize(viewport);
    await page.screenshot({ path: `${SHOTS}/${name}-${size}.png`, fullPage: true });
  }
}

test("an admin makes an API key, the ERP reads orders with it, and the admin revokes it", async ({ page, request }) => {
  await logIn(page, "owner@shop.example", "e2e owner password");
  await page.goto("/admin/integrations");
  await page.locator('nav[data-ready="true"]').waitFor({ state: "attached" });
  await waitForHydration(page);
  await page.getByLabel("What it is for").fill("Warehouse ERP");
  await page.getByLabel(/^orders:read/).check();
  await page.getByLabel(/^stock:write/).check();
  await page.getByLabel(/^catalog:write/).check();
  await page.getByTestId("make-key").click();
  await expect(page.getByTestId("new-key")).toBeVisible();
  const key = ((await page.getByTestId("new-key-text").textContent()) ?? "").trim();
  expect(key).toMatch(/^stoa_[0-9a-f]{8}_[0-9a-f]{64}$/);
  await shotsAtBothSizes(page, "admin-integrations-new-key");

  const orders = await request.get("/api/v1/orders", { headers: { Authorization: `Bearer ${key}` } });
  expect(orders.status()).toBe(200);
  expect(await orders.json()).toHaveProperty("orders");

  await page.getByTestId("key-stored").click();
  await expect(page.getByTestId("new-key")).toHaveCount(0);
  const row = page.getByTestId("api-keys").locator("tr", { hasText: "Warehouse ERP" });
  await expect(row).toContainText(key.slice(0, 13));
  await expect(row).toContainText("catalog:write, stock:write, orders:read");
  await expect(page.getByTestId("api-keys")).not.toContainText(key.slice(14));

  // A webhook endpoint whose receiver is down: the product the ERP writes is an event that
  // fails to arrive; the page shows it failing, and the admin has it tried again now.
  const stamp = Date.now();
  const hook = `http://127.0.0.1:9/stoa-hook-${stamp}`;
  await page.getByLabel("Address (https://…)").fill(hook);
  await page.getByLabel("Shared secret (at least 16 characters)").fill("a shared secret for the e2e hook");
  await page.getByLabel("product.updated").check();
  await page.getByRole("button", { name: "Add endpoint" }).click();
  const endpoint = page.getByTestId("webhook-endpoints").locator("tr", { hasText: hook });
  await expect(endpoint).toContainText("no deliveries");
  const written = await request.put(`/api/v1/products/erp-tee-${stamp}`, {
    headers: { Authorization: `Bearer ${key}` },
    data: { name: "ERP Tee", category: "tops", variants: [{ sku: `ERP-${stamp}`, price_minor: 1900, stock: 4 }] },
  });
  expect(written.status(), await written.text()).toBe(201);
  await expect(async () => {
    await page.reload();
    await expect(endpoint).toContainText("1 failing", { timeout: 1000 });
    await expect(row).toContainText("2 requests, 0 % errors", { timeout: 1000 });
  }).toPass({ timeout: 30_000 });
  await expect(endpoint).toContainText("100 % failed");
  await shotsAtBothSizes(page, "admin-integrations");
  await waitForHydration(page);
  await endpoint.getByTestId("retry-endpoint").click();
  await expect(page.getByText("Trying again now.")).toBeVisible();
  await endpoint.getByRole("button", { name: "Pause" }).click();
  await expect(endpoint).toContainText("Paused");
  await row.getByLabel("Confirm").check();
  await row.getByTestId("revoke-key").click();
  await expect(row).toContainText("Revoked or expired");
  const refused = await request.get("/api/v1/orders", { headers: { Authorization: `Bearer ${key}` } });
  expect(refused.status()).toBe(401);

  // The reference page is there for people.
  await page.goto("/api/v1");
  await expect(page.getByRole("heading", { name: "Stoa integration API" })).toBeVisible();
  await shotsAtBothSizes(page, "api-reference");
});
