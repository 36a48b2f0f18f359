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
  await expect(row).toContainText("stock:write, orders:read");
  await expect(page.getByTestId("api-keys")).not.toContainText(key.slice(14));
  await shotsAtBothSizes(page, "admin-integrations");
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
