/*
 * Schedule commands against a running server (KLAXON_URL, KLAXON_TOKEN): who is on call, a
 * schedule's final shifts as a table, coverage gaps, and adding an override. Local times on the
 * command line ("2026-03-05T10:00", "2026-03-05") are read in the schedule's time zone when the
 * command names one, else in this machine's (TZ); "now", "+4h", "-2d" are relative to now.
 * Only light modules are imported: client commands start fast.
 */
import type { Command } from 'commander';
// API answers are read with the contract's types.
import type { FinalSchedule as FinalScheduleAnswer, OnCallAnswer, Schedule, ScheduleOverride, ShiftSource, TimeRange } from '@klaxon/contract';
import { isValidZone, localToInstant } from '../schedule/compute/zone.js';
import { formatHours, formatLocal } from '../schedule/format.js';
import { KlaxonClient } from './client.js';
import { must } from '../lib/must.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** `schedule show` fetches long ranges in pieces of this size, reporting progress between them. */
const CHUNK_MS = 31 * DAY;

/** This machine's IANA zone (TZ, else the system's). */
function localZone(): string {
  const tz = process.env.TZ && isValidZone(process.env.TZ) ? process.env.TZ : Intl.DateTimeFormat().resolvedOptions().timeZone;
  return isValidZone(tz) ? tz : 'UTC';
}

/** Reads a command-line time: now, +4h / -2d / +30m, epoch ms, ISO with offset, or a local date-time here. */
export function parseCliTime(s: string, now = Date.now(), zone = localZone()): number {
  const v = s.trim();
  if (v === 'now') return now;
  const rel = /^([+-])(\d+(?:\.\d+)?)([mhdw])$/.exec(v);
  if (rel) {
    const unit = { m: 60_000, h: HOUR, d: DAY, w: 7 * DAY }[rel[3] as 'm' | 'h' | 'd' | 'w'];
    return now + (rel[1] === '-' ? -1 : 1) * Number(rel[2]) * unit;
  }
  if (/^\d{10,16}$/.test(v)) return Number(v);
  if (/^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:?\d{2})$/i.test(v)) {
    const t = Date.parse(v);
    if (!Number.isNaN(t)) return t;
  }
  try {
    return localToInstant(v, zone);
  } catch {
    throw new Error(`Cannot read the time "${s}": use now, +4h, -2d, 2026-03-05T10:00 (local), or an ISO time with offset`);
  }
}

/**
 * A command-line time for a request about one schedule: relative and absolute forms become epoch
 * ms here; a local date-time is passed on as written, for the server to read in the schedule's zone.
 */
export function cliInstant(s: string, now = Date.now()): number | string {
  const v = s.trim();
  if (/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?)?$/.test(v)) return v;
  return parseCliTime(v, now);
}

const enc = encodeURIComponent;

function sourceText(s: ShiftSource | null): string {
  if (!s) return '';
  return s.kind === 'override' ? 'override' : `layer ${s.layerName ?? s.layerIndex + 1}`;
}

/** Left-aligned columns, headers underlined. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(must(widths[i], 'widths[i]'))))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n') + '\n';
}

function onCallRows(list: OnCallAnswer[], zone: string, now: number): string[][] {
  return list.map((o) => [
    o.scheduleName,
    o.users.map((u) => u.name).join(', ') || '(nobody: gap)',
    sourceText(o.source),
    o.until === null ? '' : formatLocal(o.until, zone, now),
    o.next.map((u) => u.name).join(', '),
  ]);
}

/** Merges shifts fetched in pieces where a piece boundary cut one in two. */
function joinChunks(parts: FinalScheduleAnswer[]): FinalScheduleAnswer {
  const first = must(parts[0], 'parts[0]');
  const out: FinalScheduleAnswer = { ...first, to: must(parts.at(-1), 'parts.at(-1)').to, shifts: [], gaps: [], users: {} };
  const same = (a: ShiftSource, b: ShiftSource) => JSON.stringify(a) === JSON.stringify(b);
  for (const p of parts) {
    Object.assign(out.users, p.users);
    for (const s of p.shifts) {
      const last = out.shifts.at(-1);
      if (last && last.end === s.start && same(last.source, s.source) && last.userIds.join() === s.userIds.join()) last.end = s.end;
      else out.shifts.push({ ...s });
    }
    for (const g of p.gaps) {
      const last = out.gaps.at(-1);
      if (last && last.end === g.start) last.end = g.end;
      else out.gaps.push({ ...g });
    }
  }
  return out;
}

/** Registers `oncall`, `schedule show|list|gaps` and `override add` on the program. */
export function registerScheduleCommands(program: Command): void {
  program
    .command('oncall')
    .description('Who is on call now (or at --at), on every schedule or one, on a running server')
    .option('--schedule <name>', 'one schedule (name or id)')
    .option('--at <time>', 'when: now, +4h, 2026-03-05T10:00 (local), or ISO with offset', 'now')
    .option('--json', 'print JSON')
    .action(async (o: { schedule?: string; at: string; json?: boolean }) => {
      const client = KlaxonClient.fromEnv();
      const list = o.schedule
        ? [(await client.request<{ oncall: OnCallAnswer }>('GET', `/api/v1/schedules/${enc(o.schedule)}/oncall?at=${enc(String(cliInstant(o.at)))}`)).oncall]
        : (await client.request<{ oncall: OnCallAnswer[] }>('GET', `/api/v1/oncall?at=${parseCliTime(o.at)}`)).oncall;
      const at = list[0]?.at ?? parseCliTime(o.at);
      if (o.json) return void process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
      if (!list.length) return void process.stdout.write('No schedules yet.\n');
      const zone = localZone();
      process.stdout.write(`On call at ${formatLocal(at, zone)} (${zone}):\n\n`);
      process.stdout.write(table(['SCHEDULE', 'ON CALL', 'FROM', 'UNTIL', 'THEN'], onCallRows(list, zone, at)));
    });

  const schedule = program.command('schedule').description('On-call schedules on a running server');
  schedule
    .command('list')
    .description('Every schedule, with who is on call now')
    .action(async () => {
      const client = KlaxonClient.fromEnv();
      const { schedules } = await client.request<{ schedules: Schedule[] }>('GET', '/api/v1/schedules');
      const { oncall } = await client.request<{ oncall: OnCallAnswer[] }>('GET', '/api/v1/oncall');
      const now = new Map(oncall.map((x) => [x.scheduleId, x]));
      const rows = schedules.map((s) => [
        s.name,
        s.timeZone,
        String(s.layers.length),
        now
          .get(s.id)
          ?.users.map((u) => u.name)
          .join(', ') || '(nobody: gap)',
      ]);
      process.stdout.write(rows.length ? table(['SCHEDULE', 'ZONE', 'LAYERS', 'ON CALL NOW'], rows) : 'No schedules yet.\n');
    });

  schedule
    .command('show <name>')
    .description("A schedule's final shifts over a range, in its time zone (long ranges show progress)")
    .option('--from <time>', 'start (default now)', 'now')
    .option('--to <time>', 'end (default 14 days after --from)')
    .option('--json', 'print JSON')
    .action(async (name: string, o: { from: string; to?: string; json?: boolean }) => {
      const client = KlaxonClient.fromEnv();
      const { schedule: s } = await client.request<{ schedule: Schedule }>('GET', `/api/v1/schedules/${enc(name)}`);
      const from = parseCliTime(o.from, Date.now(), s.timeZone);
      const to = o.to ? parseCliTime(o.to, Date.now(), s.timeZone) : from + 14 * DAY;
      if (to <= from) throw new Error('--to must be after --from');
      const pieces: TimeRange[] = [];
      for (let t = from; t < to; t += CHUNK_MS) pieces.push({ start: t, end: Math.min(to, t + CHUNK_MS) });
      const parts: FinalScheduleAnswer[] = [];
      const progress = pieces.length > 1;
      const tty = process.stderr.isTTY === true;
      for (const [i, p] of pieces.entries()) {
        if (progress) process.stderr.write(`${tty ? '\r' : ''}Rendering ${s.name}: ${formatLocal(p.start, s.timeZone, from)} (${i + 1}/${pieces.length})…${tty ? '' : '\n'}`);
        parts.push(await client.request<FinalScheduleAnswer>('GET', `/api/v1/schedules/${enc(s.id)}/final?from=${p.start}&to=${p.end}`));
      }
      if (progress && tty) process.stderr.write(`\r${' '.repeat(70)}\r`);
      const all = joinChunks(parts);
      if (o.json) return void process.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
      const rows: { start: number; row: string[] }[] = [
        ...all.shifts.map((x) => ({
          start: x.start,
          row: [
            formatLocal(x.start, s.timeZone, from),
            formatLocal(x.end, s.timeZone, from),
            formatHours((x.end - x.start) / HOUR),
            x.userIds.map((u) => all.users[u]?.name ?? u).join(', '),
            sourceText(x.source),
          ],
        })),
        ...all.gaps.map((g) => ({ start: g.start, row: [formatLocal(g.start, s.timeZone, from), formatLocal(g.end, s.timeZone, from), formatHours((g.end - g.start) / HOUR), '(nobody: gap)', ''] })),
      ].sort((a, b) => a.start - b.start);
      process.stdout.write(`${s.name} (${s.timeZone}), ${formatLocal(from, s.timeZone, Date.now())} to ${formatLocal(to, s.timeZone, Date.now())}:\n\n`);
      process.stdout.write(
        table(
          ['FROM', 'TO', 'LENGTH', 'ON CALL', 'SOURCE'],
          rows.map((r) => r.row),
        ),
      );
      const gapHours = all.gaps.reduce((h, g) => h + (g.end - g.start) / HOUR, 0);
      process.stdout.write(`\n${all.shifts.length} shift(s); ${all.gaps.length ? `${all.gaps.length} gap(s), ${formatHours(gapHours)} with nobody on call` : 'no gaps'}.\n`);
    });

  schedule
    .command('gaps [name]')
    .description('Coverage gaps in the next N days, on one schedule or all')
    .option('--days <n>', 'how many days ahead', '14')
    .action(async (name: string | undefined, o: { days: string }) => {
      const client = KlaxonClient.fromEnv();
      const names = name ? [name] : (await client.request<{ schedules: Schedule[] }>('GET', '/api/v1/schedules')).schedules.map((s) => s.id);
      const rows: string[][] = [];
      for (const n of names) {
        const g = await client.request<{ schedule: { name: string; timeZone: string }; gaps: TimeRange[] }>('GET', `/api/v1/schedules/${enc(n)}/gaps?days=${enc(o.days)}`);
        for (const x of g.gaps)
          rows.push([g.schedule.name, formatLocal(x.start, g.schedule.timeZone), formatLocal(x.end, g.schedule.timeZone), formatHours((x.end - x.start) / HOUR), g.schedule.timeZone]);
      }
      process.stdout.write(rows.length ? table(['SCHEDULE', 'FROM', 'TO', 'LENGTH', 'ZONE'], rows) : `No gaps in the next ${o.days} days.\n`);
    });

  const override = program.command('override').description('Schedule overrides on a running server');
  override
    .command('add')
    .description('Put someone on call on a schedule for a span (a sick day, a swap)')
    .requiredOption('--schedule <name>', 'schedule name or id')
    .requiredOption('--user <email...>', 'who is on call instead (email or id; several for a group)')
    .requiredOption('--from <time>', 'start: 2026-03-05T09:00 (local), +1h, now, or ISO with offset')
    .requiredOption('--to <time>', 'end, in the same forms')
    .option('--note <text>', 'why')
    .action(async (o: { schedule: string; user: string[]; from: string; to: string; note?: string }) => {
      const client = KlaxonClient.fromEnv();
      const body = { userIds: o.user, start: cliInstant(o.from), end: cliInstant(o.to), ...(o.note && { note: o.note }) };
      const r = await client.request<{ override: ScheduleOverride }>('POST', `/api/v1/schedules/${enc(o.schedule)}/overrides`, body);
      const zone = localZone();
      process.stdout.write(
        `Override ${r.override.id}: ${o.user.join(', ')} on call for ${o.schedule} from ${formatLocal(r.override.start, zone)} to ${formatLocal(r.override.end, zone)} (${zone}).\n`,
      );
    });
}
