// A small ERP against Stoa's integration API: the worked example of docs/integration.md,
// run by ./scripts/api-check. Node 18 or later, no packages.
//
//   STOA_URL=https://shop.example STOA_API_KEY=stoa_… node docs/erp-example.mjs COMMAND [FILE]
//
//   items FILE.json   create or update products and variants (the ERP is the item master):
//                     [{ "slug", "name", "category", "option_names", "variants": [{ "sku",
//                     "options", "price_minor" }] }]
//   stock FILE.csv    push a stock count ("sku,count" lines) in batches of 250
//   ship              confirm shipment of every paid order, with a tracking number
//   events            read the event feed from where the last run stopped
//
// Each command prints one JSON line with what it did. Where it stopped (the order cursor,
// the last event number) is kept in ERP_STATE_FILE (default erp-state.json), so a run
// after downtime picks up exactly where the last one ended. The key needs the scopes
// catalog:write, stock:write, orders:read and orders:write.
import { randomUUID } from "node:crypto";
import { readFile, rename, writeFile } from "node:fs/promises";

const BASE = (process.env.STOA_URL ?? "http://127.0.0.1:3000").replace(/\/$/, "");
const KEY = process.env.STOA_API_KEY ?? "";
const STATE_FILE = process.env.ERP_STATE_FILE ?? "erp-state.json";
const STOCK_BATCH = 250;

/// One API call. Retries what is worth retrying (a rate limit, a 5xx, a dropped
/// connection) with the same Idempotency-Key, so a retried write is applied once.
export async function api(method, path, { body, idempotencyKey } = {}) {
  for (let attempt = 1; ; attempt++) {
    let response;
    try {
      response = await fetch(`${BASE}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${KEY}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
          ...(idempotencyKey ? { "idempotency-key": idempotencyKey } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      if (attempt >= 5) throw error;
      await pause(attempt * 500);
      continue;
    }
    if ((response.status === 429 || response.status >= 500) && attempt < 5) {
      const wait = Number(response.headers.get("retry-after") ?? attempt) * 1000;
      await pause(wait);
      continue;
    }
    const answer = await response.json();
    if (!response.ok) {
      const fields = (answer.fields ?? []).map((f) => `${f.field}: ${f.message}`).join("; ");
      throw new Error(`${method} ${path}: ${response.status} ${answer.message}${fields ? ` (${fields})` : ""}`);
    }
    return { status: response.status, body: answer };
  }
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export async function loadState() {
  try {
    return JSON.parse(await readFile(STATE_FILE, "utf8"));
  } catch {
    return { orderCursor: null, lastSeq: 0 };
  }
}

/// Written to a temporary file first: a crash mid-write never loses the cursor.
export async function saveState(state) {
  await writeFile(`${STATE_FILE}.tmp`, JSON.stringify(state, null, 2));
  await rename(`${STATE_FILE}.tmp`, STATE_FILE);
}

/// Creates or updates each item; PUT by slug is safe to repeat.
export async function pushItems(items) {
  let created = 0;
  let updated = 0;
  for (const { slug, ...product } of items) {
    const { status } = await api("PUT", `/api/v1/products/${encodeURIComponent(slug)}`, { body: product });
    if (status === 201) created++;
    else updated++;
  }
  return { created, updated };
}

/// Sets the stock of every SKU to the ERP's count, in batches. One key per batch for this
/// push: a batch retried after a lost answer is applied once.
export async function pushStock(counts) {
  const push = randomUUID();
  let changed = 0;
  const started = Date.now();
  for (let start = 0; start < counts.length; start += STOCK_BATCH) {
    const changes = counts.slice(start, start + STOCK_BATCH).map(([sku, count]) => ({
      sku, set: count, reason: "import", note: "ERP stock count",
    }));
    const { body } = await api("POST", "/api/v1/stock", {
      body: { changes },
      idempotencyKey: `${push}-${start / STOCK_BATCH}`,
    });
    changed += body.changed.length;
  }
  return { changed, batches: Math.ceil(counts.length / STOCK_BATCH), ms: Date.now() - started };
}

/// Ships every paid order the ERP has not seen yet. The cursor follows the order in which
/// orders change, so an order paid later comes up in a later run.
export async function shipPaidOrders(state) {
  const shipped = [];
  for (;;) {
    const cursor = state.orderCursor ? `&cursor=${encodeURIComponent(state.orderCursor)}` : "";
    const { body: page } = await api("GET", `/api/v1/orders?status=paid&limit=100${cursor}`);
    for (const order of page.orders) {
      // The warehouse packs order.lines (sku, quantity) here, then the carrier collects.
      await api("POST", `/api/v1/orders/${encodeURIComponent(order.number)}/fulfil`, {
        body: { carrier: "DHL", tracking_number: `ERP${order.number.replace(/\W/g, "")}` },
      });
      shipped.push(order.number);
    }
    if (page.next_cursor) state.orderCursor = page.next_cursor;
    await saveState(state);
    if (!page.has_more) return { shipped };
  }
}

/// Reads every event after the last one handled, in order; the number is saved after
/// each page, so a crash repeats at most one page (receivers drop repeats by `id`).
export async function catchUp(state, handle) {
  let read = 0;
  for (;;) {
    const { body: page } = await api("GET", `/api/v1/events?after=${state.lastSeq}&limit=200`);
    for (const event of page.events) {
      await handle(event);
      read++;
    }
    state.lastSeq = page.last_seq;
    await saveState(state);
    if (!page.has_more) return { read, lastSeq: state.lastSeq };
  }
}

async function main([command, file]) {
  if (!KEY) throw new Error("Set STOA_API_KEY to a key made in the staff area (Integrations).");
  const state = await loadState();
  switch (command) {
    case "items":
      return pushItems(JSON.parse(await readFile(file, "utf8")));
    case "stock": {
      const counts = (await readFile(file, "utf8"))
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => line && !line.startsWith("sku,"))
        .map((line) => {
          const [sku, count] = line.split(",");
          return [sku.trim(), Number(count)];
        });
      return pushStock(counts);
    }
    case "ship":
      return shipPaidOrders(state);
    case "events": {
      const seen = [];
      const summary = await catchUp(state, (event) => seen.push({ seq: event.seq, id: event.id, type: event.type }));
      return { ...summary, events: seen };
    }
    default:
      throw new Error("Commands: items FILE.json, stock FILE.csv, ship, events");
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then(
    (summary) => console.log(JSON.stringify(summary)),
    (error) => {
      console.error(String(error.message ?? error));
      process.exit(1);
    },
  );
}
