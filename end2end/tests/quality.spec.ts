import AxeBuilder from "@axe-core/playwright";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { HtmlValidate } from "html-validate";

// The HTML validator's rules, with the exceptions explained.
const validator = new HtmlValidate({
  extends: ["html-validate:recommended"],
  rules: {
    // Leptos writes void elements as <meta ...> and attributes in its own style; both are valid HTML.
    "void-style": "off",
    "attribute-boolean-style": "off",
    "attribute-empty-style": "off",
    // Hydration markers are HTML comments; the hydration bootstrap is an inline module script.
    "no-inline-style": "off",
    "require-sri": "off",
  },
});

async function productPath(request: APIRequestContext): Promise<string> {
  const html = await (await request.get("/category/tops")).text();
  const match = html.match(/href="(\/product\/[a-z0-9-]+)"/);
  expect(match, "the category page links to a product").not.toBeNull();
  return match![1];
}

test("server-rendered pages are valid HTML", async ({ request }) => {
  const pages = ["/", "/category/clothing", "/search?q=shirt&in_stock=1", await productPath(request), "/no-such-page", "/cart", "/checkout", "/order-status", "/account/login", "/account/register", "/account/forgot", "/account/verify?token=x", "/account/reset?token=x", "/account", "/admin"];
  for (const path of pages) {
    // Two Leptos 0.8 quirks are normalised, everything else is validated as served:
    // - hydration boundaries are marked `<!>`, which browsers parse as an empty comment
    //   but the validator cannot tokenize;
    // - HydrationScripts writes the CSP nonce into `crossorigin` on its preload links;
    //   browsers read an unknown value as `anonymous`, the right mode for same-origin assets.
    const html = (await (await request.get(path)).text())
      .replaceAll("<!>", "<!---->")
      .replace(/crossorigin="[^"]*"/g, 'crossorigin="anonymous"');
    const report = await validator.validateString(html);
    const problems = report.results.flatMap((r) => r.messages.map((m) => `${m.ruleId} at ${m.line}:${m.column}: ${m.message}`));
    expect(problems, `validating ${path}`).toEqual([]);
  }
});

test("pages have no serious or critical accessibility violations (WCAG 2.1 AA)", async ({ page, request }) => {
  const pages = ["/", "/category/clothing", "/search?q=shirt", await productPath(request), "/no-such-page", "/cart", "/order-status"];
  for (const path of pages) {
    await page.goto(path);
    await page.locator('body[data-hydrated="true"]').waitFor({ state: "attached" });
    const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
    const serious = results.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join("; ")})`);
    expect(serious, `axe on ${path}`).toEqual([]);
  }
});

test("listings name each product once and keep the heading outline without jumps", async ({ page }) => {
  for (const path of ["/", "/category/clothing", "/search?q=shirt"]) {
    await page.goto(path);
    await page.locator('body[data-hydrated="true"]').waitFor({ state: "attached" });
    const results = await new AxeBuilder({ page }).withRules(["image-redundant-alt", "heading-order"]).analyze();
    const found = results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join("; ")}`);
    expect(found, `axe on ${path}`).toEqual([]);
  }
});

test("product and category pages describe themselves to search engines as JSON-LD", async ({ page, request }) => {
  const structured = async (path: string) => {
    await page.goto(path);
    await page.locator('body[data-hydrated="true"]').waitFor({ state: "attached" });
    const texts = await page.locator('script[type="application/ld+json"]').allTextContents();
    expect(texts.length, path).toBe(1);
    return JSON.parse(texts[0]);
  };
  const product = await structured(await productPath(request));
  const [item, trail] = product["@graph"];
  expect(item["@type"]).toBe("Product");
  expect(item.offers.length).toBeGreaterThan(0);
  expect(item.offers[0].price).toMatch(/^\d+\.\d{2}$/);
  expect(item.offers[0].availability).toMatch(/^https:\/\/schema.org\/(InStock|OutOfStock)$/);
  expect(trail["@type"]).toBe("BreadcrumbList");
  const listing = await structured("/category/clothing");
  expect(listing["@graph"][0]["@type"]).toBe("ItemList");
  expect(listing["@graph"][0].itemListElement.length).toBeGreaterThan(0);
});

test("keyboard users see where focus is", async ({ page }) => {
  await page.goto("/");
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Skip to content" });
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  await page.keyboard.press("Tab");
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
  expect(outline).not.toBe("none");
});

test("the Content-Security-Policy blocks nothing the store itself needs", async ({ page, request }) => {
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(message.text());
  });
  page.on("pageerror", (error) => problems.push(error.message));
  for (const path of ["/", "/category/clothing", "/search?q=shirt", await productPath(request), "/cart"]) {
    await page.goto(path);
    await page.locator('body[data-hydrated="true"]').waitFor({ state: "attached" });
    const header = (await page.request.get(path)).headers()["content-security-policy"];
    expect(header, `CSP header on ${path}`).toContain("frame-ancestors 'none'");
    const policy = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute("content");
    expect(policy, `CSP in the page on ${path}`).toContain("'nonce-");
  }
  // Chromium reports every Content-Security-Policy violation as a console error.
  expect(problems, "console errors").toEqual([]);
});
