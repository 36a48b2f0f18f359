// The load of scripts/release-drill: shoppers browsing and checking out, without pause,
// against a store while it is replaced by a new release. Every request opens its own
// connection (as a reverse proxy's retries would hide nothing), so each one is counted.
//
//   node bench/release-drill.mjs BASE_URL DATABASE_URL SECONDS [workers]
//
// Prints one JSON line: requests, failed requests (a network error or any 5xx or
// unexpected status), orders the store confirmed, orders in the database, and the
// requests per second over the run; exits 1 unless failures and lost orders are both 0.
import http from "node:http";
import { createRequire } from "node:module";
const require = createRequire(new URL("../end2end/package.json", import.meta.url));
const pg = require("pg");

const [base, databaseUrl, secondsArg, workersArg] = process.argv.slice(2);
const SECONDS = Number(secondsArg ?? 20);
const WORKERS = Number(workersArg ?? 8);
const EMAIL = `drill-${Date.now()}@example.com`;
const noKeepAlive = new http.Agent({ keepAlive: false });

function request(method, path, { body = "", cookie = "" } = {}) {
  return new Promise((resolve) => {
    const url = new URL(path, base);
    const req = http.request(url, {
      method,
      agent: noKeepAlive,
      headers: method === "POST"
        ? { "content-type": "application/x-www-form-urlencoded", accept: "application/json", origin: base, cookie, "content-length": Buffer.byteLength(body) }
        : { cookie },
      timeout: 30_000,
    }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => { text += chunk; });
      res.on("end", () => resolve({ status: res.statusCode, text, setCookie: res.headers["set-cookie"]?.[0] }));
      res.on("error", (error) => resolve({ status: 0, text: String(error) }));
    });
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", (error) => resolve({ status: 0, text: String(error) }));
    req.end(body);
  });
}

const db = new pg.Client({ connectionString: databaseUrl });
await db.connect();
const products = (await db.query("SELECT slug FROM products WHERE is_published ORDER BY id LIMIT 20")).rows.map((r) => r.slug);
const categories = (await db.query("SELECT slug FROM categories ORDER BY id LIMIT 5")).rows.map((r) => r.slug);
const variants = (await db.query(
  "SELECT DISTINCT ON (v.product_id) v.id FROM product_variants v JOIN products p ON p.id = v.product_id WHERE p.is_published ORDER BY v.product_id, v.id LIMIT 20",
)).rows.map((r) => Number(r.id));
await db.query("UPDATE product_variants SET stock = 100000 WHERE id = ANY($1)", [variants]);

const counts = { requests: 0, failed: 0, confirmed_orders: 0, failures: [] };
const perSecond = [];
const started = Date.now();
function note(what, reply, expected) {
  counts.requests += 1;
  const second = Math.floor((Date.now() - started) / 1000);
  perSecond[second] = (perSecond[second] ?? 0) + 1;
  if (!expected.includes(reply.status)) {
    counts.failed += 1;
    if (counts.failures.length < 10) counts.failures.push(`${what}: ${reply.status} ${reply.text.slice(0, 200)}`);
    return false;
  }
  return true;
}

function checkoutForm(key) {
  const fields = {
    idempotency_key: key, email: EMAIL, name: "Drill Shopper", line1: "1 Release Road", line2: "",
    city: "Springfield", postal_code: "94105", country: "US", shipping_method: "standard", payment_method: "manual",
  };
  return Object.entries(fields).map(([k, v]) => `form[${k}]=${encodeURIComponent(v)}`).join("&");
}

async function worker(index) {
  let round = 0;
  while (Date.now() - started < SECONDS * 1000) {
    round += 1;
    const pick = (list) => list[(index + round) % list.length];
    note("home", await request("GET", "/"), [200]);
    note("category", await request("GET", `/category/${pick(categories)}`), [200]);
    note("product", await request("GET", `/product/${pick(products)}`), [200]);
    if (round % 2 !== 0) continue;
    // A checkout: a new shopper adds an item, opens the checkout and places the order.
    let cookie = "";
    const added = await request("POST", "/api/cart/add", { body: `variant_id=${pick(variants)}&quantity=1` });
    if (!note("add to cart", added, [200])) continue;
    cookie = (added.setCookie ?? "").split(";")[0];
    const page = await request("POST", "/api/checkout/page", { cookie });
    if (!note("checkout page", page, [200])) continue;
    const key = JSON.parse(page.text).idempotency_key;
    const placed = await request("POST", "/api/checkout/place-order", { body: checkoutForm(key), cookie });
    if (note("place order", placed, [200])) counts.confirmed_orders += 1;
  }
}

await Promise.all(Array.from({ length: WORKERS }, (_, index) => worker(index)));
const inDatabase = Number((await db.query("SELECT count(*) FROM orders WHERE email = $1", [EMAIL])).rows[0].count);
await db.end();
const lost = counts.confirmed_orders - inDatabase;
console.log(JSON.stringify({
  seconds: SECONDS,
  requests: counts.requests,
  failed_requests: counts.failed,
  confirmed_orders: counts.confirmed_orders,
  orders_in_database: inDatabase,
  lost_orders: lost,
  requests_per_second: perSecond.map((n) => n ?? 0),
  failures: counts.failures,
}));
process.exit(counts.failed === 0 && lost === 0 && inDatabase === counts.confirmed_orders && counts.confirmed_orders > 0 ? 0 : 1);
