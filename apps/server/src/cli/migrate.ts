import { writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { configFromEnv } from '../app/config.js';

// `klaxon import <source>` and `klaxon compare <source>` (docs/migrate.md). Server modules load lazily.
const load = async () => {
  const [{ ADAPTERS }, run, { terminalProgress }, { MigrateError }, { formatCompare }, { localContext }, { SYSTEM }, { stringifyConfig }] = await Promise.all([
    import('../migrate/adapters.js'),
    import('../migrate/run.js'),
    import('../migrate/progress.js'),
    import('../migrate/types.js'),
    import('../migrate/compare.js'),
    import('../app/klaxon.js'),
    import('../auth/actor.js'),
    import('../config/export.js'),
  ]);
  return { ADAPTERS, run, terminalProgress, MigrateError, formatCompare, localContext, SYSTEM, stringifyConfig };
};

/**
 * The sources and how each takes its credential; kept here so --help needs no server modules.
 * `rate` is the default --max-rate, requests a second within what the vendor documents for one key:
 * Opsgenie limits configuration requests per account (10 a second stays under them), PagerDuty
 * allows 960 a minute per token, Grafana OnCall's public API 300 a minute per user.
 */
const SOURCES = [
  { name: 'opsgenie', title: 'Opsgenie', flag: 'api-key', arg: '<key>', env: 'OPSGENIE_API_KEY', url: 'https://api.opsgenie.com', urlHelp: 'API base URL (EU: https://api.eu.opsgenie.com)', rate: 10 },
  { name: 'pagerduty', title: 'PagerDuty', flag: 'token', arg: '<token>', env: 'PAGERDUTY_TOKEN', url: 'https://api.pagerduty.com', urlHelp: 'REST API base URL', rate: 16 },
  {
    name: 'grafana-oncall',
    title: 'Grafana OnCall',
    flag: 'token',
    arg: '<token>',
    env: 'GRAFANA_ONCALL_TOKEN',
    url: undefined,
    urlHelp: 'your Grafana OnCall URL, e.g. https://oncall.example.com',
    rate: 5,
  },
] as const;

/** How many times a request the source answers 429 or 5xx (or that cannot reach it) is tried, by default. */
const MAX_TRIES = 6;

type Source = (typeof SOURCES)[number];

function connection(cmd: Command, s: Source): Command {
  cmd.addOption(new Option(`--${s.flag} ${s.arg}`, `${s.title} credential (or ${s.env})`));
  if (s.url) cmd.option('--url <url>', s.urlHelp, s.url);
  else cmd.requiredOption('--url <url>', s.urlHelp);
  cmd.option('--max-rate <n>', `requests a second to ${s.title} at most (default ${s.rate}, within its documented limit; lower it when other tools share the credential)`);
  cmd.option('--max-tries <n>', `how many times a request ${s.title} answers 429 or 5xx is tried before the command gives up (default ${MAX_TRIES})`);
  return cmd;
}

/** The connection flags, checked before any server module loads: URL, credential, --max-rate and --max-tries. */
function connectionOf(s: Source, o: Record<string, unknown>): { url: string; credential: string; maxRate: number; maxTries: number } {
  const maxRate = o.maxRate === undefined ? s.rate : Number(o.maxRate);
  if (!Number.isFinite(maxRate) || maxRate <= 0 || maxRate > 1000) throw new UsageError('klaxon: --max-rate must be a number of requests a second above 0 and at most 1000');
  const maxTries = o.maxTries === undefined ? MAX_TRIES : Number(o.maxTries);
  if (!Number.isInteger(maxTries) || maxTries < 1 || maxTries > 20) throw new UsageError('klaxon: --max-tries must be a whole number from 1 to 20');
  return { url: String(o.url), credential: credentialOf(s, o), maxRate, maxTries };
}

function credentialOf(s: Source, o: Record<string, unknown>): string {
  const key = s.flag === 'api-key' ? o.apiKey : o.token;
  const v = (typeof key === 'string' && key) || process.env[s.env];
  if (!v) throw new UsageError(`klaxon: give the ${s.title} credential with --${s.flag} or ${s.env}`);
  return v;
}

class UsageError extends Error {}

/** Runs a migration command: exit 2 with the message for a source or usage error, the message alone. */
async function guarded(fn: () => Promise<number>): Promise<never> {
  let code: number;
  try {
    code = await fn();
  } catch (e) {
    const { MigrateError } = await import('../migrate/types.js');
    if (e instanceof UsageError || e instanceof MigrateError || (e instanceof Error && e.name === 'ConfigFileError')) {
      process.stderr.write(`${e instanceof MigrateError ? 'klaxon: ' : ''}${e.message}\n`);
      process.stderr.write('Nothing was applied.\n');
      code = 2;
    } else throw e;
  }
  process.exit(code);
}

export function registerMigrateCommands(program: Command): void {
  const imp = program.command('import').description('Import people, schedules, escalation policies and services from Opsgenie, PagerDuty or Grafana OnCall as klaxon.yaml (docs/migrate.md)');
  const cmp = program
    .command('compare')
    .description('Compare who the source has on call over the next weeks, and who each escalation level would page now, with Klaxon (exit 0: same, 1: differences)');

  for (const s of SOURCES) {
    connection(imp.command(s.name).description(`Read ${s.title} (read-only) and write klaxon.yaml and a migration report`), s)
      .option('-o, --output <file>', 'write the klaxon.yaml here (default: standard output)')
      .option('--report <file>', 'write the migration report (Markdown) here')
      .option('--apply', 'apply the result to the database of KLAXON_DATABASE_URL in one transaction (all or nothing)')
      .option('--dry-run', 'with --apply: show the changes without making them')
      .option('--trust-contacts', 'mark imported contact methods verified (they were in use at the source) instead of sending codes')
      .action((o: Record<string, unknown>) =>
        guarded(async () => {
          const source = connectionOf(s, o);
          const m = await load();
          const adapter = m.ADAPTERS[s.name];
          const config = configFromEnv();
          const client = adapter.client(source);
          const progress = m.terminalProgress();
          let result;
          try {
            result = await m.run.importFromSource(adapter, client, progress, { klaxonUrl: config.publicUrl, trustContacts: Boolean(o.trustContacts), now: Date.now() });
          } finally {
            progress.stop();
          }
          const yaml = m.stringifyConfig(result.config);
          if (typeof o.output === 'string') writeFileSync(o.output, yaml);
          else process.stdout.write(yaml);
          let report: string;
          if (o.apply) {
            const { ctx, close } = await m.localContext(config);
            try {
              const r = await m.run.applyImport(ctx, m.SYSTEM, result, { dryRun: Boolean(o.dryRun), trustContacts: Boolean(o.trustContacts) }).catch((e: unknown) => {
                // Refused or failed inside the one transaction: it was rolled back. Say what stopped it.
                if (e instanceof m.MigrateError || (e instanceof Error && e.name === 'ConfigFileError')) throw e;
                throw new m.MigrateError('applying the import', `${e instanceof Error ? e.message : String(e)}; the transaction was rolled back`);
              });
              report = r.report;
              for (const line of r.applied.changes) process.stderr.write(`  ${line}\n`);
              process.stderr.write(
                r.applied.changes.length ? `${o.dryRun ? 'Would apply' : 'Applied'} ${r.applied.changes.length} change(s) from ${s.title}.\n` : `No changes: Klaxon already matches ${s.title}.\n`,
              );
              for (const k of r.applied.createdKeys) process.stderr.write(`  integration key for ${k.service}/${k.integration}: ${k.key}  (shown once; also in the report)\n`);
              for (const h of r.applied.createdHeartbeats ?? []) process.stderr.write(`  check-in URL for heartbeat ${h.service}/${h.heartbeat}: ${h.checkinUrl}  (shown once; also in the report)\n`);
            } finally {
              await close();
            }
          } else {
            const { renderReport } = await import('../migrate/report.js');
            report = renderReport(result, { at: Date.now(), trustContacts: Boolean(o.trustContacts) });
          }
          if (typeof o.report === 'string') writeFileSync(o.report, report);
          const notExact = result.items.filter((i) => i.severity !== 'note').length;
          process.stderr.write(
            `${s.title}: ${Object.entries(result.counts)
              .map(([k, v]) => `${v} ${k}`)
              .join(', ')} read; ${notExact} item(s) without an exact equivalent${typeof o.report === 'string' ? ` (see ${o.report})` : ' (use --report FILE for the details)'}.\n`,
          );
          return 0;
        }),
      );

    connection(cmp.command(s.name).description(`Compare ${s.title}'s on-call and escalation with Klaxon's for the imported schedules and services`), s)
      .option('--weeks <n>', 'how many weeks ahead to compare', '8')
      .option('--json', 'print the result as JSON')
      .action((o: Record<string, unknown>) =>
        guarded(async () => {
          const weeks = Number(o.weeks);
          if (!Number.isInteger(weeks) || weeks < 1 || weeks > 104) throw new UsageError('klaxon: --weeks must be a whole number from 1 to 104');
          const source = connectionOf(s, o);
          const m = await load();
          const adapter = m.ADAPTERS[s.name];
          const config = configFromEnv();
          const client = adapter.client(source);
          const { ctx, close } = await m.localContext(config);
          const progress = m.terminalProgress();
          try {
            const r = await m.run.compareWithSource(ctx, m.SYSTEM, adapter, client, progress, { weeks });
            progress.stop();
            process.stdout.write(o.json ? `${JSON.stringify(r, null, 2)}\n` : m.formatCompare(r));
            return r.differences ? 1 : 0;
          } finally {
            progress.stop();
            await close();
          }
        }),
      );
  }
}
