// Runs docs/erp-example.mjs as an ERP would, each command as its own process, against a
// running store with a demo catalog and some orders, and checks what it did:
// 1,000 SKUs created from the item file, their stock set from a count file in batches,
// paid orders shipped once with tracking numbers, and the event feed read after
// "downtime" with every event once, in order. Run by scripts/api-check.
//
//   STOA_URL=… STOA_API_KEY=… node end2end/erp-check.mjs DATABASE_URL WORK_DIR
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { promisify } from "node:util";
const require = createRequire(import.meta.url);
const pg = require("pg");

const [databaseUrl, work] = process.argv.slice(2);
const example = new URL("../docs/erp-example.mjs", import.meta.url).pathname;
const env = { ...process.env, ERP_STATE_FILE: `${work}/erp-state.json` };
let failures = 0;

async function erp(...args) {
  const { stdout } = await promisify(execFile)("node", [example, ...args], { env, maxBuffer: 64 << 20 });
  return JSON.parse(stdout);
}

function check(what, ok, detail = "") {
  console.log(`  ${ok ? "ok" : "FAILED"}: ${what}${ok ? "" : ` ${detail}`}`);
  if (!ok) failures++;
}

const db = new pg.Client({ connectionString: databaseUrl });
await db.connect();
const stamp = Date.now().toString(36);

// The item master: 10 products of 100 sizes each.
const items = Array.from({ length: 10 }, (_, p) => ({
  slug: `erp-${stamp}-item-${p}`,
  name: `ERP item ${p}`,
  category: "tops",
  option_names: ["Size"],
  published: true,
  variants: Array.from({ length: 100 }, (_, v) => ({
    sku: `ERP-${stamp}-${p}-${v}`.toUpperCase(),
    options: [`${v + 1}`],
    price_minor: 1000 + v,
  })),
}));
await writeFile(`${work}/items.json`, JSON.stringify(items));
const created = await erp("items", `${work}/items.json`);
check("10 products with 1,000 SKUs created", created.created === 10, JSON.stringify(created));
const again = await erp("items", `${work}/items.json`);
check("sending the items again updates, creates nothing", again.created === 0 && again.updated === 10, JSON.stringify(again));

const skus = items.flatMap((item) => item.variants.map((variant) => variant.sku));
const countOf = (index) => (index * 7) % 50;
await writeFile(`${work}/counts.csv`, `sku,count\n${skus.map((sku, i) => `${sku},${countOf(i)}`).join("\n")}\n`);
const stock = await erp("stock", `${work}/counts.csv`);
check("a 1,000-SKU count pushed in 4 batches", stock.changed === 1000 && stock.batches === 4, JSON.stringify(stock));
console.log(`    (1,000 SKUs in ${stock.ms} ms)`);
const { rows: levels } = await db.query("SELECT sku, stock FROM product_variants WHERE sku = ANY($1)", [skus]);
const wrong = levels.filter((row) => row.stock !== countOf(skus.indexOf(row.sku)));
check("every SKU holds the ERP's count", levels.length === 1000 && wrong.length === 0, JSON.stringify(wrong.slice(0, 3)));
const { rows: [ledger] } = await db.query(
  "SELECT count(*)::int AS n FROM stock_movements m JOIN product_variants v ON v.id = m.variant_id WHERE v.sku = ANY($1) AND m.reason = 'import' AND m.note = 'ERP stock count'",
  [skus],
);
check("each change is in the stock ledger", ledger.n === levels.filter((row) => row.stock !== 0).length, JSON.stringify(ledger));

// The ERP reads the feed once, then is "down" while orders are paid and shipped.
const first = await erp("events");
check("the feed is read from the start", first.read > 0 && first.lastSeq > 0, JSON.stringify(first).slice(0, 200));

// Bank transfers arrive for three orders (as staff would mark them paid).
const { rows: paid } = await db.query(
  "UPDATE orders SET status = 'paid' WHERE id IN (SELECT id FROM orders WHERE status = 'pending_payment' ORDER BY id LIMIT 3) RETURNING number",
);
const { rows: [{ n: paidBefore }] } = await db.query("SELECT count(*)::int AS n FROM orders WHERE status = 'paid'");
check("three orders to ship", paid.length === 3, JSON.stringify(paid));
let shipped = { shipped: [] };
const deadline = Date.now() + 60_000;
// Orders show up once every older transaction has finished; a second run picks up the rest.
while (shipped.shipped.length < paidBefore && Date.now() < deadline) {
  const run = await erp("ship");
  shipped = { shipped: [...shipped.shipped, ...run.shipped] };
  if (shipped.shipped.length < paidBefore) await new Promise((resolve) => setTimeout(resolve, 200));
}
check("every paid order shipped once", shipped.shipped.length === paidBefore && new Set(shipped.shipped).size === paidBefore, JSON.stringify(shipped));
const { rows: tracked } = await db.query(
  "SELECT number, status::text, tracking_number FROM orders WHERE number = ANY($1)",
  [paid.map((row) => row.number)],
);
check(
  "each carries its tracking number",
  tracked.every((row) => row.status === "fulfilled" && row.tracking_number === `ERP${row.number.replace(/\W/g, "")}`),
  JSON.stringify(tracked),
);
const nothingNew = await erp("ship");
check("a second run ships nothing", nothingNew.shipped.length === 0, JSON.stringify(nothingNew));

// Back up: the events of the downtime, each once, in order, after the last one read.
let caughtUp = { events: [] };
const feedDeadline = Date.now() + 60_000;
const fulfilledNumbers = () => new Set(caughtUp.events.filter((e) => e.type === "order.fulfilled").map((e) => e.seq));
while (fulfilledNumbers().size < paidBefore && Date.now() < feedDeadline) {
  const run = await erp("events");
  caughtUp = { events: [...caughtUp.events, ...run.events] };
  if (fulfilledNumbers().size < paidBefore) await new Promise((resolve) => setTimeout(resolve, 200));
}
const seqs = caughtUp.events.map((event) => event.seq);
check("the shipments are in the feed", fulfilledNumbers().size === paidBefore, JSON.stringify(caughtUp.events.slice(-5)));
check("after the last event read, in order, none twice",
  seqs.length > 0 && seqs[0] > first.lastSeq && seqs.every((seq, i) => i === 0 || seq > seqs[i - 1]),
  JSON.stringify(seqs.slice(0, 10)));
await db.end();

console.log(failures === 0 ? "  1 passed (erp-example: docs/erp-example.mjs did its job)" : "  1 failed (erp-example)");
process.exit(failures === 0 ? 0 : 1);
