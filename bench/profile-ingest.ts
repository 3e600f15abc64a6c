/**
 * One phase of bench/peer.ts on its own, for profiling: Klaxon on SQLite under the figure-1 load
 * (PagerDuty events, 50 connections, 1,000 dedup keys, paging on), printing events/s.
 *
 *   KLAXON_BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" node --import tsx bench/profile-ingest.ts [paging|nopaging|storm|latency]
 *   BENCH_PG=postgres://... runs the paging/nopaging figure on a fresh PostgreSQL database instead.
 */
import { latencyRun, postgresDatabase, Receiver, sqliteDatabase, stormKlaxon, throughputKlaxon } from './peer.js';

const what = process.argv[2] ?? 'paging';
const receiver = new Receiver();
await receiver.start();
try {
  if (what === 'storm') {
    const s = await stormKlaxon(receiver);
    console.log(JSON.stringify({ perSec: s.accepted / s.requestSeconds, ...s }, null, 1));
  } else if (what === 'latency') {
    console.log(JSON.stringify(await latencyRun('klaxon', receiver, Number(process.argv[3] ?? 1000)), null, 1));
  } else {
    const db = process.env.BENCH_PG ? await postgresDatabase(process.env.BENCH_PG) : sqliteDatabase();
    try {
      const t = await throughputKlaxon(db, receiver, what !== 'nopaging');
      console.log(
        JSON.stringify(
          {
            perSec: t.perSec,
            eventsPerCpuSecond: t.ok / (t.cpuSeconds ?? NaN),
            cpuSeconds: t.cpuSeconds,
            eventsPerCommit: t.ok / (t.engine?.sqlite.commits ?? NaN),
            eventsPerSync: t.ok / (t.engine?.sqlite.syncs ?? NaN),
            p50: t.p50,
            p99: t.p99,
            paging: t.paging,
            engine: t.engine,
          },
          null,
          1,
        ),
      );
    } finally {
      await db.drop();
    }
  }
} finally {
  await receiver.close();
}
