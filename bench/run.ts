/** `npm run bench`: every benchmark in turn; each prints figures beside a baseline from the same run and writes bench/results/*.json. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { benchIngest } from './ingest.js';

await benchIngest();
for (const extra of ['schedules.ts']) {
  if (existsSync(join(import.meta.dirname, extra))) await import(`./${extra}`);
}
await (await import('./peer.js')).benchPeer();
