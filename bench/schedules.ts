/**
 * Schedules benchmark: who is on call for 1,000 schedules of 3 layers at one instant, and one
 * schedule rendered for a year, each beside a baseline measured in the same run (the same
 * computation for 1 schedule; the same schedule rendered for 1 day). Measured twice: the pure
 * computation (schedule/compute), and through the service on a real SQLite database (loading the
 * schedule, its overrides and its people's leave).
 *
 *   node --import tsx bench/schedules.ts          (from the repository root)
 *
 * Prints a table and writes bench/results/schedules.json. Figures are medians of repeated runs
 * after a warm-up; "cold" is the first run in a fresh process (time-zone tables not yet cached).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase, sharedSecret } from '../apps/server/src/app/klaxon.js';
import { SYSTEM } from '../apps/server/src/auth/actor.js';
import type { Ctx } from '../apps/server/src/context.js';
import { FakeClock } from '../apps/server/src/lib/clock.js';
import { newId } from '../apps/server/src/lib/ids.js';
import { createLogger } from '../apps/server/src/lib/logger.js';
import { finalSchedule, localToInstant, onCallAt, type LayerSpec, type ScheduleSpec } from '../apps/server/src/schedule/compute/index.js';
import { whoIsOnCall } from '../apps/server/src/schedule/queries.js';
import { getFinalSchedule, getOnCall, listOnCall } from '../apps/server/src/schedule/service.js';
import { seededRandom } from './lib.js';
import { must } from '../apps/server/src/lib/must.js';

const SCHEDULES = 1000;
const USERS = 60;
const ZONES = [
  'Europe/Berlin',
  'America/New_York',
  'Asia/Tokyo',
  'Asia/Kolkata',
  'Australia/Adelaide',
  'Australia/Lord_Howe',
  'America/Sao_Paulo',
  'Europe/London',
  'Pacific/Auckland',
  'Asia/Kathmandu',
  'UTC',
  'America/Los_Angeles',
];
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const AT = Date.parse('2026-07-15T13:37:00Z');
const YEAR = { start: Date.parse('2026-01-01T00:00:00Z'), end: Date.parse('2027-01-01T00:00:00Z') };
const ONE_DAY = { start: Date.parse('2026-07-15T00:00:00Z'), end: Date.parse('2026-07-16T00:00:00Z') };

/** Schedule i: a weekly primary rotation, a business-hours daily layer, and a 12-hour night layer, plus overrides and leave. */
function makeSpec(i: number, userIds: readonly string[]): ScheduleSpec & { name: string } {
  const r = seededRandom(i + 1);
  const pick = <T>(xs: readonly T[]) => must(xs[Math.floor(r() * xs.length)], 'a random pick');
  const people = (n: number) => Array.from({ length: n }, () => pick(userIds)).filter((u, k, a) => a.indexOf(u) === k);
  const zone = pick(ZONES);
  const start = localToInstant(`202${3 + Math.floor(r() * 3)}-0${1 + Math.floor(r() * 9)}-1${Math.floor(r() * 9)}T09:00`, zone);
  const layers: LayerSpec[] = [
    { name: 'primary', participants: people(5), turn: { unit: 'week', count: 1 }, handoffTime: '09:00', start },
    {
      name: 'day',
      participants: people(4),
      turn: { unit: 'day', count: 1 + Math.floor(r() * 3) },
      timeZone: pick(ZONES),
      start,
      restrictions: [{ kind: 'preset', preset: 'business-hours' }],
      priority: 1,
    },
    {
      name: 'nights',
      participants: [people(2), ...people(3)],
      turn: { unit: 'hour', count: 12 },
      start,
      restrictions: [{ kind: 'daily', days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '22:00', end: '06:00' }],
      priority: 2,
    },
  ];
  const overrides = [0, 1].map((k) => {
    const s = AT + Math.floor((r() - 0.5) * 20) * DAY;
    return { id: `o${i}-${k}`, userIds: people(1), start: s, end: s + (1 + Math.floor(r() * 48)) * HOUR };
  });
  const leave = [0, 1].map(() => {
    const s = AT + Math.floor((r() - 0.5) * 40) * DAY;
    return { userId: pick(userIds), start: s, end: s + (1 + Math.floor(r() * 10)) * DAY };
  });
  return { name: `schedule-${String(i).padStart(4, '0')}`, timeZone: zone, layers, overrides, leave };
}

/** Median wall time (ms) of `runs` calls of `fn` after `warm` warm-up calls. */
async function median(fn: () => unknown, runs: number, warm = 2): Promise<number> {
  for (let i = 0; i < warm; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return must(times[Math.floor(times.length / 2)], 'the median');
}

async function once(fn: () => unknown): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

interface Row {
  what: string;
  baselineLabel: string;
  baselineMs: number;
  label: string;
  ms: number;
  ratio: number;
  note: string;
}

const fmt = (ms: number) => (ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : ms < 100 ? `${ms.toFixed(2)} ms` : `${ms.toFixed(0)} ms`);

async function main(): Promise<void> {
  const userIds = Array.from({ length: USERS }, (_, i) => `user-${i}`);
  const specs = Array.from({ length: SCHEDULES }, (_, i) => makeSpec(i, userIds));
  const firstSpec = must(specs[0], 'the first schedule');
  const rows: Row[] = [];

  // ---- pure computation ----
  const coldAll = await once(() => specs.forEach((s) => onCallAt(s, AT)));
  const one = await median(() => onCallAt(firstSpec, AT), 2001);
  const all = await median(() => specs.forEach((s) => onCallAt(s, AT)), 21);
  rows.push({
    what: 'who is on call, compute',
    baselineLabel: '1 schedule',
    baselineMs: one,
    label: `${SCHEDULES} schedules`,
    ms: all,
    ratio: all / one,
    note: `cold first pass ${fmt(coldAll)}; ${fmt(all / SCHEDULES)} per schedule`,
  });

  const dayShifts = finalSchedule(firstSpec, ONE_DAY).length;
  const yearShifts = finalSchedule(firstSpec, YEAR).length;
  const day = await median(() => finalSchedule(firstSpec, ONE_DAY), 501);
  const year = await median(() => finalSchedule(firstSpec, YEAR), 21);
  rows.push({
    what: 'render one schedule, compute',
    baselineLabel: '1 day',
    baselineMs: day,
    label: '1 year',
    ms: year,
    ratio: year / day,
    note: `${dayShifts} shifts in the day, ${yearShifts} in the year`,
  });

  // ---- through the service, on SQLite ----
  const dir = mkdtempSync(join(tmpdir(), 'klaxon-bench-'));
  const db = await openDatabase(join(dir, 'bench.db'));
  try {
    const ctx: Ctx = { db, clock: new FakeClock(AT), log: createLogger('silent'), publicUrl: 'http://bench', linkSecret: await sharedSecret(db, 'link_secret'), wake: () => {}, publish: () => {} };
    const setup = performance.now();
    const ids = new Map<string, string>();
    await db.kysely.transaction().execute(async (trx) => {
      for (const u of userIds) {
        const id = newId();
        ids.set(u, id);
        await trx
          .insertInto('users')
          .values({ id, email: `${u}@bench.test`, name: u, time_zone: 'UTC', role: 'responder', password_hash: null, created_at: AT, updated_at: AT })
          .execute();
      }
      const map = (u: string) => must(ids.get(u), 'ids.get(u)');
      for (const s of specs) {
        const sid = newId();
        const layers = s.layers.map((l) => ({ ...l, participants: l.participants.map((p) => (typeof p === 'string' ? map(p) : p.map(map))) }));
        await trx
          .insertInto('schedules')
          .values({
            id: sid,
            name: s.name,
            description: '',
            team_id: null,
            time_zone: s.timeZone,
            layers: JSON.stringify(layers),
            handoff_notice_minutes: 60,
            gap_notice_days: 14,
            handoff_check_at: 0,
            gap_check_at: 0,
            created_at: AT,
            updated_at: AT,
          })
          .execute();
        for (const o of s.overrides ?? []) {
          await trx
            .insertInto('schedule_overrides')
            .values({
              id: newId(),
              schedule_id: sid,
              user_ids: JSON.stringify(o.userIds.map(map)),
              start_at: o.start,
              end_at: o.end,
              kind: 'manual',
              note: '',
              swap_id: null,
              created_by: null,
              created_at: AT,
            })
            .execute();
        }
        for (const l of s.leave ?? []) {
          await trx
            .insertInto('user_leave')
            .values({ id: newId(), user_id: map(l.userId), start_at: l.start, end_at: l.end, note: '', created_by: null, created_at: AT })
            .execute();
        }
      }
    });
    const setupMs = performance.now() - setup;
    const first = firstSpec.name;
    const kdb = db.kysely;

    const svcOne = await median(() => whoIsOnCall(kdb, first, AT), 501);
    const names = specs.map((s) => s.name);
    const svcAll = await median(
      async () => {
        for (const n of names) await whoIsOnCall(kdb, n, AT);
      },
      5,
      1,
    );
    rows.push({
      what: 'who is on call, SQLite (escalation path)',
      baselineLabel: '1 schedule',
      baselineMs: svcOne,
      label: `${SCHEDULES} schedules`,
      ms: svcAll,
      ratio: svcAll / svcOne,
      note: `${fmt(svcAll / SCHEDULES)} per schedule, loads schedule + overrides + leave`,
    });

    const apiOne = await median(() => getOnCall(ctx, SYSTEM, first, AT), 201);
    const apiAll = await median(() => listOnCall(ctx, SYSTEM, AT), 3, 1);
    rows.push({
      what: 'GET /oncall service verb, SQLite (with until/next)',
      baselineLabel: '1 schedule',
      baselineMs: apiOne,
      label: `${SCHEDULES} schedules`,
      ms: apiAll,
      ratio: apiAll / apiOne,
      note: `${fmt(apiAll / SCHEDULES)} per schedule`,
    });

    const svcDay = await median(() => getFinalSchedule(ctx, SYSTEM, first, { from: ONE_DAY.start, to: ONE_DAY.end }), 201);
    const svcYear = await median(() => getFinalSchedule(ctx, SYSTEM, first, { from: YEAR.start, to: YEAR.end }), 11);
    rows.push({
      what: 'render one schedule, SQLite service verb',
      baselineLabel: '1 day',
      baselineMs: svcDay,
      label: '1 year',
      ms: svcYear,
      ratio: svcYear / svcDay,
      note: `setup of ${SCHEDULES} schedules took ${fmt(setupMs)}`,
    });
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }

  const headers = ['measure', 'baseline', 'figure', 'ratio', 'note'];
  const body = rows.map((r) => [r.what, `${r.baselineLabel}: ${fmt(r.baselineMs)}`, `${r.label}: ${fmt(r.ms)}`, `×${r.ratio.toFixed(0)}`, r.note]);
  const widths = headers.map((h, i) => Math.max(h.length, ...body.map((b) => must(b[i], 'b[i]').length)));
  const line = (c: string[]) =>
    c
      .map((x, i) => x.padEnd(must(widths[i], 'widths[i]')))
      .join('  ')
      .trimEnd();
  process.stdout.write(`\nSchedules benchmark (Node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'})\n\n`);
  process.stdout.write(`${[line(headers), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n')}\n\n`);

  const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'schedules.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    out,
    `${JSON.stringify(
      {
        benchmark: 'schedules',
        date: new Date().toISOString(),
        node: process.version,
        cpu: cpus()[0]?.model ?? null,
        schedules: SCHEDULES,
        layersPerSchedule: 3,
        instant: new Date(AT).toISOString(),
        year: { from: new Date(YEAR.start).toISOString(), to: new Date(YEAR.end).toISOString() },
        results: rows.map((r) => ({ measure: r.what, baseline: { label: r.baselineLabel, ms: r.baselineMs }, figure: { label: r.label, ms: r.ms }, ratio: r.ratio, note: r.note })),
      },
      null,
      2,
    )}\n`,
  );
  process.stdout.write(`Wrote ${out}\n`);
}

await main();
