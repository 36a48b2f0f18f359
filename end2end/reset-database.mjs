// Drops the database named in DATABASE_URL (if present) so the next `stoa migrate` creates
// it afresh. With `--drop-matching PATTERN` drops every database whose name is LIKE PATTERN
// instead (used to clean up after test runs).
import pg from "pg";

const url = new URL(process.env.DATABASE_URL ?? "");
const target = decodeURIComponent(url.pathname.replace(/^\//, ""));
url.pathname = "/postgres";
const client = new pg.Client({ connectionString: url.toString() });
await client.connect();
try {
  const pattern = process.argv[2] === "--drop-matching" ? process.argv[3] : null;
  const names = pattern
    ? (await client.query("SELECT datname FROM pg_database WHERE datname LIKE $1", [pattern])).rows.map((r) => r.datname)
    : [target];
  for (const name of names) {
    if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`refusing unusual database name ${name}`);
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
} finally {
  await client.end();
}
