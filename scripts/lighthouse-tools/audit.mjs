// Lighthouse's mobile audit (its default: a mid-range phone on a slow 4G link, simulated)
// of the storefront's main pages in Debian's Chromium, as a table: Performance score,
// FCP, LCP, TBT, CLS and Speed Index. Run by scripts/lighthouse.
//
//   node scripts/lighthouse-tools/audit.mjs http://127.0.0.1:3200
import lighthouse from "lighthouse";
import * as chromeLauncher from "chrome-launcher";

const base = (process.argv[2] ?? "http://127.0.0.1:3000").replace(/\/$/, "");
const minimum = Number(process.env.STOA_LIGHTHOUSE_MIN ?? 95);

async function firstLink(path, pattern) {
  const html = await (await fetch(base + path)).text();
  const match = html.match(pattern);
  if (!match) throw new Error(`no link matching ${pattern} on ${path}`);
  return match[1];
}

const category = await firstLink("/", /href="(\/category\/[^"]+)"/);
const product = await firstLink(category, /href="(\/product\/[^"]+)"/);
const pages = [
  ["home", "/"],
  ["category", category],
  ["search", "/search?q=shirt"],
  ["product", product],
  ["cart", "/cart"],
];

const chrome = await chromeLauncher.launch({
  chromePath: "/usr/bin/chromium",
  chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu"],
});
const rows = [];
let below = false;
for (const [name, path] of pages) {
  const result = await lighthouse(base + path, { port: chrome.port, onlyCategories: ["performance"], output: "json", logLevel: "error" });
  const lhr = result.lhr;
  const audit = (id) => lhr.audits[id]?.displayValue ?? "–";
  const score = Math.round((lhr.categories.performance.score ?? 0) * 100);
  if (score < minimum) below = true;
  rows.push(`| ${name} (${path}) | ${score} | ${audit("first-contentful-paint")} | ${audit("largest-contentful-paint")} | ${audit("total-blocking-time")} | ${audit("cumulative-layout-shift")} | ${audit("speed-index")} |`);
}
await chrome.kill();

console.log(`Lighthouse ${(await import("lighthouse/package.json", { with: { type: "json" } })).default.version}, mobile (simulated slow 4G, 4x CPU slowdown), Chromium at /usr/bin/chromium`);
console.log("| page | Performance | FCP | LCP | TBT | CLS | Speed Index |");
console.log("|---|---:|---:|---:|---:|---:|---:|");
for (const row of rows) console.log(row);
if (below) {
  console.error(`a page scored below ${minimum}`);
  process.exit(1);
}
