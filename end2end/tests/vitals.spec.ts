// Page loads measured in a shopper's browser reach the staff dashboard: the hydrated app
// sends the page's Core Web Vitals once, when the shopper leaves the page, and the
// dashboard shows their 75th percentile per page type (written every few seconds).
import { expect, test, type Page } from "@playwright/test";
import { logIn, waitForHydration } from "./support";

const SHOTS = "../docs/screenshots";

// Page loads of search pages counted on the dashboard's 7-day table (0 before any).
async function searchPageLoads(staff: Page): Promise<number> {
  await staff.goto("/admin");
  const row = staff.getByTestId("vitals-7-days").locator('tr[data-page="search"]');
  if ((await row.count()) === 0) return 0;
  return Number(await row.locator("td").last().textContent());
}

test("a shopper's page load is sent once, when they leave or switch tabs, and shows up on the dashboard", async ({ browser }) => {
  test.setTimeout(60_000);
  const staff = await browser.newPage();
  await logIn(staff, "owner@shop.example", "e2e owner password");
  const before = await searchPageLoads(staff);

  // Leaving the page (a full page load of another one) sends its measurements. The
  // browser sends that beacon while the page unloads, after Playwright stops reporting
  // the page's requests: the dashboard below is where it shows.
  const leaving = await browser.newPage();
  await leaving.goto("/search?q=tee");
  await waitForHydration(leaving);
  await leaving.getByRole("searchbox").first().click();
  await leaving.goto("/cart");

  // Switching to another tab sends them too, once, while the page is still there to watch.
  const switching = await browser.newPage();
  const beacons: string[] = [];
  switching.on("request", (request) => {
    if (request.url().endsWith("/api/vitals")) beacons.push(request.postData() ?? "");
  });
  await switching.goto("/search?q=shirt");
  await waitForHydration(switching);
  const answered = switching.waitForResponse((response) => response.url().endsWith("/api/vitals"));
  await switching.evaluate(() => {
    Object.defineProperty(document, "visibilityState", { value: "hidden", configurable: true });
    document.dispatchEvent(new Event("visibilitychange"));
  });
  expect((await answered).status()).toBe(204);
  await switching.evaluate(() => window.dispatchEvent(new Event("pagehide")));
  await switching.waitForTimeout(500);
  expect(beacons).toHaveLength(1);
  const sent = JSON.parse(beacons[0]);
  expect(sent.page).toBe("search");
  expect(sent.lcp).toBeGreaterThan(0);
  expect(sent.ttfb).toBeGreaterThan(0);
  expect(sent.cls).toBeGreaterThanOrEqual(0);

  // Both page loads reach the dashboard (counts are written every 5 seconds).
  await expect.poll(() => searchPageLoads(staff), { timeout: 30_000 }).toBeGreaterThanOrEqual(before + 2);
  const lcp = staff.getByTestId("vitals-7-days").locator('tr[data-page="search"] td[data-metric="lcp"]');
  await expect(lcp.locator(".rating")).toHaveText(/^(Good|Needs improvement|Poor)$/);
  await expect(lcp.locator(".vital-value")).toHaveText(/^\d+(\.\d)? m?s$/);

  const panel = staff.getByTestId("page-loads");
  for (const [name, size] of [["laptop", { width: 1440, height: 900 }], ["phone", { width: 390, height: 844 }]] as const) {
    await staff.setViewportSize(size);
    await panel.scrollIntoViewIfNeeded();
    await panel.screenshot({ path: `${SHOTS}/dashboard-page-loads-${name}.png` });
  }
});

test("a bad beacon is refused with 400 and a reason", async ({ request }) => {
  const origin = process.env.STOA_E2E_BASE_URL ?? "http://127.0.0.1:3100";
  const reply = await request.post("/api/vitals", { data: '{"page":"search","lcp":"slow"}', headers: { "content-type": "text/plain", origin } });
  expect(reply.status()).toBe(400);
  expect(await reply.text()).toContain("lcp");
});
