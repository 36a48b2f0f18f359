// The integration API's stock budget: one POST /api/v1/stock setting 1,000 SKUs, timed
// from the client, five times (each a new Idempotency-Key and new counts, so every run
// writes 1,000 rows and 1,000 ledger rows). Prints a Markdown table row; exits 1 when the
// slowest run is over the budget.
//
//   node bench/api-stock.mjs BASE_URL API_KEY [budget_ms]
const [base, key, budgetArg] = process.argv.slice(2);
const BUDGET_MS = Number(budgetArg ?? 1000);
const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };

const skus = [];
let cursor = "";
while (skus.length < 1000) {
  const page = await (await fetch(`${base}/api/v1/products?limit=200${cursor}`, { headers })).json();
  for (const product of page.products) for (const variant of product.variants) skus.push(variant.sku);
  if (!page.has_more) break;
  cursor = `&cursor=${encodeURIComponent(page.next_cursor)}`;
}
if (skus.length < 1000) throw new Error(`only ${skus.length} SKUs in the store`);
const batchSkus = skus.slice(0, 1000);

const times = [];
for (let run = 0; run < 5; run++) {
  const changes = batchSkus.map((sku, i) => ({ sku, set: 100 + ((i + run) % 37), reason: "import" }));
  const started = performance.now();
  const response = await fetch(`${base}/api/v1/stock`, {
    method: "POST",
    headers: { ...headers, "idempotency-key": `bench-${Date.now()}-${run}` },
    body: JSON.stringify({ changes }),
  });
  const answer = await response.json();
  times.push(performance.now() - started);
  if (response.status !== 200 || answer.changed.length !== 1000) {
    throw new Error(`run ${run}: ${response.status} ${JSON.stringify(answer).slice(0, 300)}`);
  }
}
times.sort((a, b) => a - b);
const slowest = times[times.length - 1];
const verdict = slowest <= BUDGET_MS ? "within" : "OVER";
console.log(`| \`POST /api/v1/stock\`, 1,000 SKUs | median ${times[2].toFixed(0)} ms, slowest ${slowest.toFixed(0)} ms of 5 | ≤ ${BUDGET_MS} ms | ${verdict} |`);
process.exit(slowest <= BUDGET_MS ? 0 : 1);
