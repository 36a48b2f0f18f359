// What a shopper's browser downloads to hydrate each storefront page: every JS and WASM
// file the page preloads or loads, followed in Chromium until the page has hydrated and
// the network is quiet, each compressed with brotli at quality 11 (as the release build
// ships them). Prints a table and exits non-zero when a storefront page needs more WASM
// than the budget, or did not hydrate.
//
//   node end2end/weight.mjs http://127.0.0.1:3000
//
// Run by scripts/weight (which builds and starts a release server) and by scripts/e2e.
import { chromium } from "@playwright/test";
import { brotliCompressSync, constants } from "node:zlib";

const base = (process.argv[2] ?? "http://127.0.0.1:3000").replace(/\/$/, "");
const budgetKb = Number(process.env.STOA_WASM_BUDGET_KB ?? 150);
const kb = (bytes) => (bytes / 1024).toFixed(1);

function brotliSize(bytes) {
  return brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
}

const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });

// Each page in a fresh context: an empty cache, as on a shopper's first visit.
async function measure(path) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const assets = new Map();
  page.on("response", (response) => {
    const url = new URL(response.url());
    if (/\.(wasm|js)$/.test(url.pathname) && response.ok()) assets.set(url.pathname, response);
  });
  await page.goto(base + path);
  const hydrated = await page
    .locator('body[data-hydrated="true"]')
    .waitFor({ state: "attached", timeout: 30_000 })
    .then(() => true, () => false);
  await page.waitForLoadState("networkidle");
  const files = [];
  for (const [name, response] of assets) {
    const body = await response.body();
    files.push({ name: name.split("/").pop(), wasm: name.endsWith(".wasm"), raw: body.length, brotli: brotliSize(body) });
  }
  await context.close();
  return { path, hydrated, files };
}

// The category and product pages of the demo catalog: the first of each that the home
// page and that category link to.
async function firstLink(path, selector) {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(base + path);
  const href = await page.locator(selector).first().getAttribute("href");
  await context.close();
  if (!href) throw new Error(`no link matching ${selector} on ${path}`);
  return href;
}

const category = await firstLink("/", 'a[href^="/category/"]');
const product = await firstLink(category, 'a[href^="/product/"]');
const storefront = [
  ["home", "/"],
  ["category", category],
  ["search", "/search?q=a"],
  ["product", product],
  ["cart", "/cart"],
  ["checkout", "/checkout"],
  ["account", "/account/login"],
];

const rows = [];
let failed = false;
for (const [name, path] of [...storefront, ["staff area", "/admin"]]) {
  const result = await measure(path);
  const wasm = result.files.filter((f) => f.wasm);
  const js = result.files.filter((f) => !f.wasm);
  const wasmBrotli = wasm.reduce((sum, f) => sum + f.brotli, 0);
  const jsBrotli = js.reduce((sum, f) => sum + f.brotli, 0);
  const budgeted = name !== "staff area";
  const over = budgeted && wasmBrotli > budgetKb * 1024;
  const problem = !result.hydrated ? "did not hydrate" : over ? `over ${budgetKb} KB` : "ok";
  if (problem !== "ok") failed = true;
  rows.push({ name, path, wasm, wasmBrotli, jsBrotli, problem, budgeted });
}
await browser.close();

console.log(`WASM and JS a browser downloads to hydrate each page (brotli, quality 11), budget ${budgetKb} KB of WASM per storefront page`);
console.log("| page | WASM files | WASM raw KB | WASM brotli KB | JS brotli KB | check |");
console.log("|---|---|---|---|---|---|");
for (const row of rows) {
  const raw = row.wasm.reduce((sum, f) => sum + f.raw, 0);
  const check = row.budgeted ? row.problem : row.problem === "ok" ? "not budgeted" : row.problem;
  console.log(`| ${row.name} (${row.path}) | ${row.wasm.length} | ${kb(raw)} | ${kb(row.wasmBrotli)} | ${kb(row.jsBrotli)} | ${check} |`);
}
if (process.env.STOA_WEIGHT_FILES) {
  for (const row of rows) {
    console.log(`\n${row.name}:`);
    for (const f of row.wasm) console.log(`  ${f.name} ${kb(f.raw)} KB raw, ${kb(f.brotli)} KB brotli`);
  }
}
if (failed) {
  console.error("weight check failed: see the table above");
  process.exit(1);
}
