// Prints the gzipped size of the JavaScript the first screen loads: the entry chunk and every chunk
// it imports statically (from dist/.vite/manifest.json), plus the incident list's lazy chunk, which
// a signed-in user's first screen loads at once. Exits 1 above the 300 KB budget.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const dist = new URL('../dist/', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('.vite/manifest.json', dist), 'utf8'));
const BUDGET = 300 * 1024;

const gz = (file) => gzipSync(readFileSync(new URL(file, dist)), { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

function closure(keys) {
  const seen = new Set();
  const visit = (k) => {
    if (seen.has(k)) return;
    seen.add(k);
    for (const i of manifest[k]?.imports ?? []) visit(i);
  };
  keys.forEach(visit);
  return seen;
}

const entryKey = Object.keys(manifest).find((k) => manifest[k].isEntry && k.endsWith('.html')) ?? Object.keys(manifest).find((k) => manifest[k].isEntry);
// The list's own chunk, or the `incidents` chunk group (vite.config.ts) that holds it and all it needs.
const listKey = Object.keys(manifest).find((k) => k.endsWith('src/pages/incidents.tsx')) ?? Object.keys(manifest).find((k) => manifest[k].name === 'incidents' && !manifest[k].src);
const entry = closure([entryKey]);
const firstScreen = closure([entryKey, ...(listKey ? [listKey] : [])]);

const total = (set) =>
  [...set]
    .map((k) => manifest[k].file)
    .filter((f) => f.endsWith('.js'))
    .reduce((sum, f) => sum + gz(f), 0);
for (const k of firstScreen) console.log(`  ${manifest[k].file.padEnd(48)} ${kb(gz(manifest[k].file)).padStart(10)}${entry.has(k) ? '' : '  (incident list, lazy)'}`);
const e = total(entry);
const f = total(firstScreen);
console.log(`entry chunk and its static imports: ${kb(e)} gzipped`);
console.log(`first screen (entry + incident list): ${kb(f)} gzipped (budget ${kb(BUDGET)})`);
if (f > BUDGET) {
  console.error('Over budget.');
  process.exit(1);
}
