/*
 * `klaxon report ...`: the report endpoints of a running server (KLAXON_URL, KLAXON_TOKEN), so the
 * CLI gives exactly the numbers of the API: as JSON (default), CSV, or a plain table.
 */
import type { Command } from 'commander';
import { KlaxonClient } from './client.js';

const KINDS: Record<string, { path: string; main: string }> = {
  sla: { path: '/api/v1/reports/sla', main: 'periods' },
  aggregates: { path: '/api/v1/reports/aggregates', main: 'rows' },
  noise: { path: '/api/v1/reports/noise', main: 'topServices' },
  shifts: { path: '/api/v1/reports/shifts', main: 'pagesByResponder' },
  trends: { path: '/api/v1/reports/trends', main: 'weeks' },
  'weekly-summary': { path: '/api/v1/reports/weekly-summary', main: 'onCall' },
};

/** Registers `klaxon report <kind>` and `klaxon report incident <id>`. */
export function registerReportCommands(program: Command): void {
  const report = program.command('report').description('Reports from a running server: sla, aggregates, noise, shifts, trends, weekly-summary, incident <id>');
  for (const [kind, k] of Object.entries(KINDS)) {
    report
      .command(kind)
      .description(`The ${kind} report (GET ${k.path})`)
      .option('--from <time>', 'start: epoch ms or ISO date-time with offset (default: 30 days ago)')
      .option('--to <time>', 'end (default: now)')
      .option('--team <team>', 'team id or name')
      .option('--service <service>', 'service id or name')
      .option('--severity <severity>', 'severity level or alert severity')
      .option('--by <by>', 'aggregates: team, service, severity, responder, schedule, day, week, month')
      .option('--period <period>', 'sla: day, week or month')
      .option('--weeks <n>', 'trends: how many weeks')
      .option('--week <time>', 'weekly-summary: the week start (default: last week)')
      .option('--tz <zone>', 'IANA zone for periods')
      .option('--drills', 'include drills')
      .option('--format <format>', 'json, csv or table', 'json')
      .option('--table <name>', `which table for csv/table (default ${k.main})`)
      .action(async (o: Record<string, string | boolean | undefined>) => {
        const client = KlaxonClient.fromEnv();
        const qs = new URLSearchParams();
        for (const key of ['from', 'to', 'team', 'service', 'severity', 'by', 'period', 'weeks', 'week', 'tz', 'table']) if (typeof o[key] === 'string') qs.set(key, o[key] as string);
        if (o.drills) qs.set('drills', 'true');
        if (o.format === 'csv') {
          qs.set('format', 'csv');
          const res = await fetch(`${client.baseUrl}${k.path}?${qs}`, { headers: { authorization: `Bearer ${process.env.KLAXON_TOKEN ?? ''}`, 'x-klaxon-client': 'cli' } });
          const text = await res.text();
          if (!res.ok) throw new Error(`${res.status}: ${text}`);
          process.stdout.write(text);
          return;
        }
        const body = await client.request<Record<string, unknown>>('GET', `${k.path}?${qs}`);
        if (o.format === 'table') {
          const rows = body[(o.table as string | undefined) ?? k.main];
          if (Array.isArray(rows)) console.table(rows);
          else process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
          return;
        }
        process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
      });
  }
  report
    .command('incident <id>')
    .description('Measures of one incident: time to acknowledge, resolve, engage; escalations; pages per channel')
    .action(async (id: string) => {
      const body = await KlaxonClient.fromEnv().request<unknown>('GET', `/api/v1/reports/incidents/${encodeURIComponent(id)}/measures`);
      process.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
    });
}
