// An admin sets up a zone on the staff area's shipping and tax page (a wrong country is
// refused next to its field), gives it a tax rate and a shipping method priced by weight;
// a shopper choosing a country of that zone is offered that method and not the others,
// with JavaScript (the options change with the country) and without (placing the order
// with a method of another zone says which ones deliver there, and the page then offers
// them). The admin then turns the method off. Screenshots for the README.
import { expect, test, type Page } from "@playwright/test";
import { logIn, openWellStockedProduct, waitForHydration } from "./support";

const SHOTS = "../docs/screenshots";

async function shotsAtBothSizes(page: Page, name: string) {
  for (const [size, viewport] of [["phone", { width: 390, height: 844 }], ["desktop", { width: 1440, height: 900 }]] as const) {
    await page.setViewportSize(viewport);
    await page.screenshot({ path: `${SHOTS}/${name}-${size}.png`, fullPage: true });
  }
}

async function fillSwedishAddress(page: Page) {
  await page.getByLabel("Email").fill("sven@example.com");
  await page.getByLabel("Full name").fill("Sven Svensson");
  await page.getByLabel("Address", { exact: true }).fill("Drottninggatan 1");
  await page.getByLabel("City").fill("Stockholm");
  await page.getByLabel("Postal code").fill("111 51");
  await page.getByLabel("Country").selectOption("SE");
}

test("an admin sets up a zone with its tax and a method by weight, and shoppers there are offered it", async ({ page, browser }) => {
  await logIn(page, "owner@shop.example", "e2e owner password");
  await page.goto("/admin/shipping-tax");
  await page.locator('nav[data-ready="true"]').waitFor({ state: "attached" });
  await waitForHydration(page);

  const addZone = page.getByTestId("add-zone-form");
  await page.getByText("Add a zone").click();
  await addZone.getByLabel("Name").fill("Nordics");
  await addZone.getByLabel(/^Countries/).fill("SE, XX");
  await addZone.getByRole("button", { name: "Add zone" }).click();
  await expect(addZone.getByText("“XX” is not a country code we know")).toBeVisible();
  await addZone.getByLabel(/^Countries/).fill("se, no");
  await addZone.getByLabel(/Tax shipping here/).check();
  await addZone.getByRole("button", { name: "Add zone" }).click();
  const zoneRow = page.getByTestId("zones").locator("tr", { hasText: "Nordics" });
  await expect(zoneRow).toContainText("NO, SE");
  await expect(zoneRow).toContainText("Yes");

  const rates = page.getByRole("form", { name: "Tax rates in Nordics" });
  await rates.getByLabel("Standard (default) %").fill("25");
  await rates.getByRole("button", { name: "Save rates in Nordics" }).click();
  await expect(page.getByText("Tax rates saved.")).toBeVisible();
  await expect(page.getByRole("form", { name: "Tax rates in Nordics" }).getByLabel("Standard (default) %")).toHaveValue("25");

  const addMethod = page.getByTestId("add-method-form");
  await page.getByText("Add a method").click();
  await addMethod.getByLabel("Name shoppers see").fill("Nordic post");
  await addMethod.getByLabel("Delivers to zone").selectOption({ label: "Nordics" });
  await addMethod.getByLabel("Price", { exact: true }).selectOption("weight");
  await addMethod.getByLabel(/^Bands/).fill("0 9.00\n2 kg 15.00");
  await addMethod.getByRole("button", { name: "Add method" }).click();
  await expect(addMethod.getByText(/Write one band per line, from grams and price/)).toBeVisible();
  await addMethod.getByLabel(/^Bands/).fill("0 9.00\n2000 15.00");
  await addMethod.getByRole("button", { name: "Add method" }).click();
  const methodRow = page.getByTestId("shipping-methods").locator("tr", { hasText: "Nordic post" });
  await expect(methodRow).toContainText("from 9.00 by weight");
  await expect(methodRow).toContainText("Nordics");
  await shotsAtBothSizes(page, "admin-shipping-tax");

  // With JavaScript the methods follow the country as the shopper picks it.
  const shopper = await browser.newPage();
  await openWellStockedProduct(shopper, "tops");
  await waitForHydration(shopper);
  await shopper.getByRole("button", { name: "Add to cart" }).click();
  await expect(shopper.getByTestId("cart-count")).toHaveText("1");
  await shopper.goto("/checkout");
  await shopper.locator('form.checkout-form[data-hydrated="true"]').waitFor({ state: "attached" });
  const methods = shopper.getByTestId("shipping-methods");
  await expect(methods).toContainText("Standard delivery");
  await shopper.getByLabel("Country").selectOption("SE");
  // Up to 2 kg 9.00, from 2 kg 15.00: the demo products weigh 250 g to 2 kg.
  await expect(methods).toContainText(/Nordic post — \$?(9|15)\.00/);
  await expect(methods).not.toContainText("Standard delivery");
  await expect(methods).toContainText("To Sweden");
  await shopper.getByLabel("Country").selectOption("US");
  await expect(methods).toContainText("Standard delivery");
  await expect(methods).not.toContainText("Nordic post");
  await shopper.close();

  // Without JavaScript, placing with a method of another zone names the ones that
  // deliver there, and the page comes back offering them.
  const plain = await browser.newPage({ javaScriptEnabled: false });
  await openWellStockedProduct(plain, "tops");
  await plain.getByRole("button", { name: "Add to cart" }).click();
  await plain.goto("/checkout");
  await expect(plain.getByTestId("shipping-methods")).toContainText("Standard delivery");
  await fillSwedishAddress(plain);
  await plain.getByLabel(/Bank transfer or cash on delivery/).check();
  await plain.getByRole("button", { name: "Place order" }).click();
  await expect(plain.getByRole("alert").first()).toContainText("does not deliver to this address (Nordics). Choose Nordic post");
  await expect(plain.getByTestId("shipping-methods")).toContainText("Nordic post");
  await fillSwedishAddress(plain);
  await plain.getByLabel(/Nordic post/).check();
  await plain.getByLabel(/Bank transfer or cash on delivery/).check();
  await plain.getByRole("button", { name: "Place order" }).click();
  await expect(plain).toHaveURL(/\/order\/ST-\d+$/);
  await expect(plain.locator("body")).toContainText("Nordic post");
  await plain.close();

  await page.setViewportSize({ width: 1440, height: 900 });
  await waitForHydration(page);
  const editRow = page.getByTestId("shipping-methods").locator("tr", { hasText: "Nordic post" });
  await editRow.getByText("Edit").click();
  await editRow.getByLabel("Offer it at checkout").uncheck();
  await editRow.getByRole("button", { name: "Save" }).click();
  await expect(page.getByTestId("shipping-methods").locator("tr", { hasText: "Nordic post" })).toContainText("Off");
});
