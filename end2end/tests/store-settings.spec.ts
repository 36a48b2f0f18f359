// An admin sets the store's name, contact and time zone under Settings; a wrong time zone
// is refused next to its field; the storefront's header and footer show the new name and
// contact. The settings are put back afterwards. Screenshots for the README.
import { expect, test, type Page } from "@playwright/test";
import { logIn } from "./support";

const SHOTS = "../docs/screenshots";

// A press before the form is interactive would post it without JavaScript: it saves, but
// the page reloads without the confirmation the test looks for.
async function formReady(page: Page) {
  await page.locator('[data-testid="store-form"][data-hydrated="true"]').waitFor({ state: "attached" });
}

async function saveStore(page: Page, fields: Record<string, string>) {
  await formReady(page);
  const form = page.getByTestId("store-form");
  for (const [label, value] of Object.entries(fields)) await form.getByLabel(label).fill(value);
  await form.getByRole("button", { name: "Save store settings" }).click();
}

test("an admin names the store and its contact, and shoppers see them", async ({ page, browser }) => {
  await logIn(page, "owner@shop.example", "e2e owner password");
  await page.goto("/admin/settings");
  await formReady(page);
  const form = page.getByTestId("store-form");
  const original = await form.getByLabel("Store name").inputValue();
  await saveStore(page, { "Time zone (times on receipts and order pages)": "Mars/Olympus" });
  await expect(form.getByText("Choose a time zone such as Europe/Berlin")).toBeVisible();

  await saveStore(page, {
    "Store name": "Stoa Outfitters",
    "Contact email shoppers see (optional)": "help@outfitters.example",
    "Address shoppers see (optional)": "1 Market Street\nSpringfield",
    "Time zone (times on receipts and order pages)": "America/New_York",
  });
  await expect(page.getByText("Store settings saved.")).toBeVisible();
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.screenshot({ path: `${SHOTS}/admin-store-settings-desktop.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `${SHOTS}/admin-store-settings-phone.png`, fullPage: true });

  const shopper = await browser.newPage();
  await shopper.goto("/");
  const footer = shopper.getByTestId("site-footer");
  await expect(footer).toContainText("Stoa Outfitters");
  await expect(footer.getByRole("link", { name: "help@outfitters.example" })).toHaveAttribute("href", "mailto:help@outfitters.example");
  await expect(shopper.getByTestId("store-address")).toContainText("1 Market Street");
  await expect(shopper).toHaveTitle(/Stoa Outfitters/);
  await shopper.close();

  await page.goto("/admin/settings");
  await saveStore(page, {
    "Store name": original,
    "Contact email shoppers see (optional)": "",
    "Address shoppers see (optional)": "",
    "Time zone (times on receipts and order pages)": "UTC",
  });
  await expect(page.getByText("Store settings saved.")).toBeVisible();
});
