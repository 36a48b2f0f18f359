// Removes the custom sections (function names, producers, target features) from every
// WASM file in a directory. They only help debuggers, and in the main module of a split
// build they are most of its size: that module cannot go through wasm-opt, which strips
// them otherwise (see scripts/bin/wasm-opt). Custom sections never change what a module
// does, so this is safe on any module.
//
//   node scripts/strip-wasm-names.mjs target/site/pkg
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

function readLeb(bytes, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[at++];
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return [value, at];
    shift += 7;
  }
}

function withoutCustomSections(bytes) {
  const magic = [0x00, 0x61, 0x73, 0x6d];
  if (!magic.every((b, i) => bytes[i] === b)) throw new Error("not a WASM module");
  const kept = [bytes.subarray(0, 8)];
  let at = 8;
  while (at < bytes.length) {
    const start = at;
    const id = bytes[at++];
    const [size, contents] = readLeb(bytes, at);
    at = contents + size;
    if (id !== 0) kept.push(bytes.subarray(start, at));
  }
  return Buffer.concat(kept);
}

const dir = process.argv[2];
let before = 0;
let after = 0;
for (const name of readdirSync(dir)) {
  if (!name.endsWith(".wasm")) continue;
  const path = join(dir, name);
  const bytes = readFileSync(path);
  const stripped = withoutCustomSections(bytes);
  before += bytes.length;
  after += stripped.length;
  if (stripped.length !== bytes.length) writeFileSync(path, stripped);
}
console.log(`WASM custom sections stripped: ${(before / 1024).toFixed(0)} KiB -> ${(after / 1024).toFixed(0)} KiB`);
