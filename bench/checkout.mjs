// Checkout load scenarios against a running Stoa (see scripts/bench).
//
//   node bench/checkout.mjs BASE_URL DATABASE_URL [shoppers] [concurrency]
//
// 1. Many distinct shoppers: each adds 2 items (from 200 well-stocked variants), opens the
//    checkout and places the order with the test card. Prints completed orders/s and the
//    p50/p99 latency of the place-order call.
//    Two ways: closed loop (`concurrency` shoppers always busy: the most the store can do,
//    latency is then mostly queueing) and open loop (shoppers arrive at a fixed rate,
//    BENCH_RATE per second for BENCH_RATE_SECONDS, as real traffic does: the latency a
//    shopper sees at that rate).
// 2. The closed loop again with an automatic promotion (10 % off every order) and a code
//    (5.00 off, entered by every shopper in the cart) active: it must keep at least 90 % of
//    the throughput without them. A third run gives the code a usage limit (the lock path).
// 3. Hot-item storm: 200 shoppers race for one variant with stock 50. Prints orders placed
//    and the final stock, which must be 50 and 0.
import { createRequire } from "node:module";
const require = createRequire(new URL("../end2end/package.json", import.meta.url));
const pg = require("pg");

const [base, databaseUrl, shoppersArg, concurrencyArg] = process.argv.slice(2);
const SHOPPERS = Number(shoppersArg ?? 2000);
const CONCURRENCY = Number(concurrencyArg ?? 32);
const db = new pg.Client({ connectionString: databaseUrl });
await db.connect();

class Shopper {
  cookie = "";
  async post(path, body) {
    const response = await fetch(base + path, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json", origin: base, cookie: this.cookie },
      body,
    });
    const setCookie = response.headers.get("set-cookie");
    if (setCookie) this.cookie = setCookie.split(";")[0];
    return { status: response.status, text: await response.text() };
  }
}

function checkoutForm(key) {
  const fields = {
    idempotency_key: key, email: "bench@example.com", name: "Bench Shopper", line1: "1 Load Street", line2: "",
    city: "Springfield", postal_code: "94105", country: "US", shipping_method: "standard",
    payment_method: "test-card", card_number: "4242 4242 4242 4242", card_expiry: "12/39", card_cvc: "123",
  };
  return Object.entries(fields).map(([k, v]) => `form[${k}]=${encodeURIComponent(v)}`).join("&");
}

// One shopper's journey; returns the place-order latency in ms and whether an order resulted.
async function shop(variants, code) {
  const shopper = new Shopper();
  for (const variant of variants) {
    const added = await shopper.post("/api/cart/add", `variant_id=${variant}&quantity=1`);
    if (added.status !== 200) return { ok: false, status: added.status, text: added.text };
  }
  if (code) {
    const applied = await shopper.post("/api/cart/discount-code", `code=${code}`);
    if (applied.status !== 200) return { ok: false, status: applied.status, text: applied.text };
  }
  const page = await shopper.post("/api/checkout/page", "");
  if (page.status !== 200) return { ok: false, status: page.status, text: page.text };
  const key = JSON.parse(page.text).idempotency_key;
  const started = performance.now();
  const placed = await shopper.post("/api/checkout/place-order", checkoutForm(key));
  return { ok: placed.status === 200, status: placed.status, text: placed.text, ms: performance.now() - started };
}

async function runPool(count, concurrency, task) {
  const results = [];
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) {
      const index = next++;
      results[index] = await task(index);
    }
  }));
  return results;
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

// Scenario 1: distinct shoppers over 200 well-stocked variants of distinct products.
const pool = (await db.query(
  `SELECT DISTINCT ON (product_id) id FROM product_variants ORDER BY product_id, id LIMIT 200`,
)).rows.map((r) => Number(r.id));
await db.query("UPDATE product_variants SET stock = 1000000 WHERE id = ANY($1)", [pool]);
const ordersBefore = Number((await db.query("SELECT count(*) FROM orders")).rows[0].count);
const started = performance.now();
const results = await runPool(SHOPPERS, CONCURRENCY, (i) => shop([pool[(i * 7) % pool.length], pool[(i * 13 + 1) % pool.length]]));
const seconds = (performance.now() - started) / 1000;
const completed = results.filter((r) => r.ok);
const failures = results.filter((r) => !r.ok);
const latencies = completed.map((r) => r.ms).sort((a, b) => a - b);
const ordersAfter = Number((await db.query("SELECT count(*) FROM orders")).rows[0].count);
console.log(`| ${CONCURRENCY} shoppers always busy (closed loop) | ${SHOPPERS} | ${CONCURRENCY} | ${(completed.length / seconds).toFixed(0)} orders/s | ${percentile(latencies, 50).toFixed(1)} | ${percentile(latencies, 99).toFixed(1)} | ${failures.length} |`);
if (failures.length) console.error("first failure:", failures[0]);
if (ordersAfter - ordersBefore !== completed.length) {
  console.error(`orders in the database (${ordersAfter - ordersBefore}) differ from completed checkouts (${completed.length})`);
  process.exitCode = 1;
}

// Scenario 2: the same closed loop with promotions active.
const closedRate = completed.length / seconds;
async function withPromotions(label, usageLimit, code) {
  const automatic = await db.query(
    `INSERT INTO promotions (name, kind, value, needs_code, combines) VALUES ('Bench sale', 'percent_off', 1000, false, true) RETURNING id`,
  );
  const coded = await db.query(
    `INSERT INTO promotions (name, kind, value, needs_code, combines, usage_limit) VALUES ('Bench code', 'amount_off', 500, true, true, $1) RETURNING id`,
    [usageLimit],
  );
  await db.query(`INSERT INTO promotion_codes (code, promotion_id) VALUES ($1, $2)`, [code, coded.rows[0].id]);
  const before = Number((await db.query("SELECT count(*) FROM order_discounts")).rows[0].count);
  const promoStarted = performance.now();
  const promoResults = await runPool(SHOPPERS, CONCURRENCY, (i) => shop([pool[(i * 7) % pool.length], pool[(i * 13 + 1) % pool.length]], code.toLowerCase()));
  const promoSeconds = (performance.now() - promoStarted) / 1000;
  const promoCompleted = promoResults.filter((r) => r.ok);
  const promoLatencies = promoCompleted.map((r) => r.ms).sort((a, b) => a - b);
  const discounts = Number((await db.query("SELECT count(*) FROM order_discounts")).rows[0].count) - before;
  const rate = promoCompleted.length / promoSeconds;
  console.log(`| ${label} | ${SHOPPERS} | ${CONCURRENCY} | ${rate.toFixed(0)} orders/s (${((rate / closedRate) * 100).toFixed(0)} %) | ${percentile(promoLatencies, 50).toFixed(1)} | ${percentile(promoLatencies, 99).toFixed(1)} | ${SHOPPERS - promoCompleted.length} |`);
  if (promoCompleted.length < SHOPPERS) console.error("first failure:", promoResults.find((r) => !r.ok));
  if (discounts !== 2 * promoCompleted.length) {
    console.error(`expected two discounts per order, found ${discounts} for ${promoCompleted.length} orders`);
    process.exitCode = 1;
  }
  await db.query("UPDATE promotions SET is_paused = true WHERE id = ANY($1)", [[automatic.rows[0].id, coded.rows[0].id]]);
  return rate;
}
const promoRate = await withPromotions("same, with an automatic promotion and a code (no limit)", null, "BENCH-FREE");
if (promoRate < 0.9 * closedRate) {
  console.error(`with promotions: ${promoRate.toFixed(0)} orders/s, below 90 % of ${closedRate.toFixed(0)}`);
  process.exitCode = 1;
}
await withPromotions("same, the code limited to 1,000,000 uses (taken under a lock)", 1000000, "BENCH-LIMITED");

// Scenario 1b: open loop at a fixed arrival rate.
const RATE = Number(process.env.BENCH_RATE ?? 120);
const RATE_SECONDS = Number(process.env.BENCH_RATE_SECONDS ?? 20);
const arrivals = RATE * RATE_SECONDS;
const openStarted = performance.now();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const openResults = await Promise.all(Array.from({ length: arrivals }, async (_, i) => {
  await sleep(Math.max(0, openStarted + (i * 1000) / RATE - performance.now()));
  return shop([pool[(i * 11) % pool.length], pool[(i * 17 + 3) % pool.length]]);
}));
const openSeconds = (performance.now() - openStarted) / 1000;
const openCompleted = openResults.filter((r) => r.ok);
const openLatencies = openCompleted.map((r) => r.ms).sort((a, b) => a - b);
console.log(`| arriving at ${RATE} shoppers/s for ${RATE_SECONDS} s (open loop) | ${arrivals} | as they arrive | ${(openCompleted.length / openSeconds).toFixed(0)} orders/s | ${percentile(openLatencies, 50).toFixed(1)} | ${percentile(openLatencies, 99).toFixed(1)} | ${arrivals - openCompleted.length} |`);

// Scenario 3: hot-item storm.
const hot = pool[0];
await db.query("UPDATE product_variants SET stock = 50 WHERE id = $1", [hot]);
const stormBefore = Number((await db.query("SELECT count(*) FROM order_lines WHERE variant_id = $1", [hot])).rows[0].count);
const storm = await runPool(200, 200, () => shop([hot]));
const stormPlaced = storm.filter((r) => r.ok).length;
const stormServerErrors = storm.filter((r) => r.status >= 500).length;
const finalStock = Number((await db.query("SELECT stock FROM product_variants WHERE id = $1", [hot])).rows[0].stock);
const stormLines = Number((await db.query("SELECT count(*) FROM order_lines WHERE variant_id = $1", [hot])).rows[0].count) - stormBefore;
console.log(`\nHot-item storm: 200 shoppers, one variant with stock 50 → ${stormPlaced} orders placed, ${stormLines} order lines stored, final stock ${finalStock}, ${stormServerErrors} server errors.`);
if (stormPlaced !== 50 || finalStock !== 0 || stormLines !== 50 || stormServerErrors !== 0) process.exitCode = 1;
await db.end();
