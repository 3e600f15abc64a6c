/** `npm run bench`: every benchmark in turn; each prints figures beside a baseline from the same run and writes bench/results/*.json. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { benchIngest } from './ingest.js';

await benchIngest();
await (await import('./event-rules.js')).benchEventRules();
for (const extra of ['schedules.ts']) {
  if (existsSync(join(import.meta.dirname, extra))) await import(`./${extra}`);
}
await (await import('./status-page.js')).benchStatusPage();
await (await import('./statements.js')).benchStatements();
await (await import('./web-load.js')).benchWebLoad();
// The organisation at 1× and 10× (a few minutes; BENCH_ORG_100X=1 adds 100×, BENCH_SKIP_ORG=1 leaves it out).
if (!process.env.BENCH_SKIP_ORG) await (await import('./org.js')).benchOrg();
// The year of history (100,000+ incidents) takes a few minutes to generate; set BENCH_SKIP_REPORTS=1 to leave it out.
if (!process.env.BENCH_SKIP_REPORTS) await import('./reports.js');
await (await import('./peer.js')).benchPeer();
await (await import('./delivery.js')).benchDelivery();
await (await import('./storm-paging.js')).benchStormPaging();
