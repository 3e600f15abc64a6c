/**
 * Statements (and, on PostgreSQL, network round trips) per event, on both databases (issue 19):
 * counted by klaxon_db_statements_total, which counts every statement Kysely sends, BEGIN and
 * COMMIT included; on PostgreSQL each is one round trip (node-postgres does not pipeline).
 *
 * One responder with an e-mail and an SMS rule on a one-level policy; events through the PagerDuty
 * Events API (`/v2/enqueue`). Each figure is counted from the first event until the engine has
 * recorded the last page (the cycles the events' wakes ran, and one more), over
 * BENCH_STATEMENTS_EVENTS (50) events:
 *   - a new incident paged (ingest, escalation, notification, the e-mail and SMS sent and recorded),
 *     events sent one at a time (each its own commit);
 *   - the same with the events sent all at once (group commit and the engine's batches share transactions);
 *   - a repeated event (same dedup key, the incident already open);
 *   - and, alone, a full engine cycle with nothing due (every module's poll).
 * Baseline for each PostgreSQL figure: the same on SQLite, where a statement is a function call,
 * not a round trip.
 *
 *   node --import tsx bench/statements.ts     (PostgreSQL when KLAXON_TEST_DATABASE_URL or KLAXON_BENCH_DATABASE_URL is set)
 */
import { addResponder, startTestKlaxon, type TestKlaxon } from '../apps/server/test/harness.js';
import { dbStatements } from '../apps/server/src/lib/metrics.js';
import type { DialectName } from '../apps/server/src/lib/db/index.js';
import { report, type Row } from './lib.js';

const EVENTS = Number(process.env.BENCH_STATEMENTS_EVENTS ?? 50);

const counted = async (dialect: DialectName) => (await dbStatements.get()).values.find((v) => v.labels.dialect === dialect)?.value ?? 0;

interface Figures {
  newAlone: number;
  newTogether: number;
  repeated: number;
  idleCycle: number;
}

async function measure(dialect: DialectName): Promise<Figures> {
  const t: TestKlaxon = await startTestKlaxon(dialect, { pageLimits: {}, pageBundling: false });
  try {
    const pat = await addResponder(t, {
      name: 'Pat',
      email: 'pat@example.com',
      phone: '+15550100001',
      rules: [
        { type: 'email', delayMinutes: 0 },
        { type: 'sms', delayMinutes: 0 },
      ],
    });
    const policy = await t.api('POST', '/api/v1/escalation-policies', { name: 'Payments', levels: [{ delayMinutes: 30, targets: [{ type: 'user', id: pat.id }] }] });
    const svc = await t.api('POST', '/api/v1/services', { name: 'payments', escalationPolicyId: policy.body.escalationPolicy.id });
    const integ = await t.api('POST', `/api/v1/services/${svc.body.service.id}/integrations`, { name: 'pd', kind: 'pagerduty' });
    const key = integ.body.integration.key as string;
    const send = async (dedup: string) => {
      const res = await fetch(`${t.url}/v2/enqueue`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ routing_key: key, event_action: 'trigger', dedup_key: dedup, payload: { summary: `disk full ${dedup}`, source: 'db-1', severity: 'critical' } }),
      });
      if (res.status !== 202) throw new Error(`enqueue answered ${res.status}: ${await res.text()}`);
    };
    // Statements from the first event to the last page's delivery recorded (the engine cycles the
    // events' wakes ran, and a final one), per event.
    const per = async (run: () => Promise<void>, events = EVENTS) => {
      await t.cycle();
      const before = await counted(dialect);
      await run();
      await t.cycle();
      return ((await counted(dialect)) - before) / events;
    };
    // Warm-up: caches, prepared statements, the first page of each kind.
    for (let i = 0; i < 10; i++) await send(`warm-${i}`);
    await t.cycle();
    const smsBefore = t.twilio.messages.length;

    const newAlone = await per(async () => {
      for (let i = 0; i < EVENTS; i++) await send(`alone-${i}`);
    });
    const newTogether = await per(async () => {
      await Promise.all(Array.from({ length: EVENTS }, (_, i) => send(`together-${i}`)));
    });
    const repeated = await per(async () => {
      for (let i = 0; i < EVENTS; i++) await send('alone-0');
    });
    // A full cycle with nothing due (every module polls once), counted alone.
    const before = await counted(dialect);
    await t.cycle();
    const idleCycle = (await counted(dialect)) - before;
    const paged = t.twilio.messages.length - smsBefore;
    if (paged !== 2 * EVENTS) throw new Error(`expected ${2 * EVENTS} SMS pages, saw ${paged}`);
    return { newAlone, newTogether, repeated, idleCycle };
  } finally {
    await t.stop();
  }
}

export async function benchStatements(): Promise<void> {
  const pgUrl = process.env.KLAXON_BENCH_DATABASE_URL ?? process.env.KLAXON_TEST_DATABASE_URL;
  if (pgUrl && !process.env.KLAXON_TEST_DATABASE_URL) process.env.KLAXON_TEST_DATABASE_URL = pgUrl;
  const sqlite = await measure('sqlite');
  const pg = pgUrl ? await measure('postgres') : null;
  const rows: Row[] = [];
  const names: [keyof Figures, string][] = [
    ['newAlone', 'new incident paged, events one at a time'],
    ['newTogether', `new incident paged, ${EVENTS} events at once`],
    ['repeated', 'repeated event (incident open)'],
    ['idleCycle', 'full engine cycle, nothing due'],
  ];
  for (const [k, label] of names) {
    rows.push({ figure: `sqlite: statements, ${label}`, value: sqlite[k], unit: 'stmts' });
    if (pg) rows.push({ figure: `postgres: statements (round trips), ${label}`, value: pg[k], unit: 'stmts', baseline: { name: 'SQLite', value: sqlite[k] } });
  }
  report('statements', rows, { events: EVENTS, postgres: Boolean(pg) });
}

if (import.meta.url === `file://${process.argv[1]}`) await benchStatements();
