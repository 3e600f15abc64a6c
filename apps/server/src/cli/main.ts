import { readFileSync, writeFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { Command, Option } from 'commander';
import { configFromEnv, ConfigError } from '../app/config.js';
import type { Incident } from '@klaxon/contract';
import { KlaxonClient } from './client.js';
import { registerReportCommands } from './report.js';
import { registerScheduleCommands } from './schedule.js';
import { registerWarRoomCommands } from './warroom.js';
import { registerStatusCommands } from './status.js';
import { registerMigrateCommands } from './migrate.js';
import { registerMonitorCommand } from './monitor.js';

// Server modules load lazily: client commands (ack, resolve, incidents) start in a fraction of a second.
const server = async () => {
  const [{ localContext, startKlaxon }, { SYSTEM }, { createToken }, { getUser }] = await Promise.all([
    import('../app/klaxon.js'),
    import('../auth/actor.js'),
    import('../auth/tokens.js'),
    import('../user/service.js'),
  ]);
  return { localContext, startKlaxon, SYSTEM, createToken, getUser };
};

const program = new Command();
program.name('klaxon').description('Klaxon incident response. Server commands use KLAXON_* settings; client commands use KLAXON_URL and KLAXON_TOKEN.');

program
  .command('serve')
  .description('Run the Klaxon server (API, web app, engine)')
  .addOption(new Option('--role <role>', 'what this instance runs').choices(['all', 'api', 'engine']).default(undefined))
  .action(async (o: { role?: 'all' | 'api' | 'engine' }) => {
    const config = configFromEnv();
    if (o.role) config.role = o.role;
    const { startKlaxon } = await server();
    const k = await startKlaxon(config);
    const db = k.ctx.db.dialect === 'sqlite' ? `SQLite at ${k.ctx.db.location}` : `PostgreSQL at ${k.ctx.db.location}`;
    const { countUsers } = await import('../user/store.js');
    const users = { n: await countUsers(k.ctx.db.kysely) };
    process.stdout.write(
      [
        `Klaxon is running on ${k.url} (role ${config.role}, ${db}).`,
        `  API:      ${k.url}/api/v1 (OpenAPI at ${k.url}/api/v1/openapi.json)`,
        `  Health:   ${k.url}/healthz  Metrics: ${k.url}/metrics`,
        Number(users.n) === 0
          ? `\nNext: open ${k.url} in a browser to create the first admin.\nOr describe your team in a file and apply it, then create an API token:\n  npx klaxon apply -f examples/klaxon.yaml\n  npx klaxon token create --user alice@example.com`
          : '\nNext: send a test alert, e.g.\n  curl -X POST ' +
            k.url +
            '/v2/enqueue -H "content-type: application/json" -d \'{"routing_key":"<integration key>","event_action":"trigger","payload":{"summary":"test","source":"me","severity":"critical"}}\'',
        '',
      ].join('\n'),
    );
    const stop = async (signal: string) => {
      process.stdout.write(`\n${signal}: stopping…\n`);
      await k.stop();
      process.exit(0);
    };
    process.once('SIGINT', () => void stop('SIGINT'));
    process.once('SIGTERM', () => void stop('SIGTERM'));
  });

program
  .command('apply')
  .description('Make the database match a klaxon.yaml file (works with the server stopped or running)')
  .requiredOption('-f, --file <path>', 'configuration file')
  .option('--dry-run', 'show what would change without changing it')
  .option('--prune', 'also delete users, teams, policies and services that the file does not list (only in sections the file has)')
  .action(async (o: { file: string; dryRun?: boolean; prune?: boolean }) => {
    const { parseConfigFile } = await import('../config/load.js');
    const { applyConfig } = await import('../config/apply.js');
    const { localContext, SYSTEM } = await server();
    const doc = parseConfigFile(o.file, readFileSync(o.file, 'utf8'));
    const { ctx, close } = await localContext(configFromEnv());
    try {
      const result = await applyConfig(ctx, SYSTEM, doc, { dryRun: Boolean(o.dryRun), prune: Boolean(o.prune), file: o.file });
      for (const line of result.changes) process.stdout.write(`  ${line}\n`);
      process.stdout.write(
        result.changes.length ? `${o.dryRun ? 'Would apply' : 'Applied'} ${result.changes.length} change(s) from ${o.file}.\n` : `No changes: the database already matches ${o.file}.\n`,
      );
      for (const k of result.createdKeys) process.stdout.write(`  integration key for ${k.service}/${k.integration}: ${k.key}  (shown once)\n`);
      for (const h of result.createdHeartbeats ?? []) process.stdout.write(`  check-in URL for heartbeat ${h.service}/${h.heartbeat}: ${h.checkinUrl}  (shown once)\n`);
    } finally {
      await close();
    }
  });

program
  .command('export')
  .description('Write the configuration (users, teams, policies, services, integrations) as klaxon.yaml')
  .option('-o, --output <path>', 'file to write (default: standard output)')
  .action(async (o: { output?: string }) => {
    const { exportConfig, stringifyConfig } = await import('../config/export.js');
    const { auditNow } = await import('../audit.js');
    const { localContext, SYSTEM } = await server();
    const { ctx, close } = await localContext(configFromEnv());
    try {
      const doc = await exportConfig(ctx, SYSTEM);
      const text = stringifyConfig(doc);
      if (o.output) writeFileSync(o.output, text);
      else process.stdout.write(text);
      // A sensitive action on the audit trail. The command reads the database directly, with no API
      // token: who is the operating-system user, from where this host, through the CLI.
      await auditNow(
        ctx,
        { type: 'system', name: `klaxon export (${userInfo().username})` },
        'config.export',
        'config',
        { output: o.output ?? 'stdout', users: doc.users?.length ?? 0, services: doc.services?.length ?? 0 },
        { via: 'cli', address: hostname() },
      );
    } finally {
      await close();
    }
  });

const token = program.command('token').description('API tokens');
token
  .command('create')
  .description('Create an API token for a user, on the local database (works with the server stopped)')
  .requiredOption('--user <email>', 'the user the token acts as')
  .option('--name <name>', 'what the token is for', 'cli')
  .option('--read-only', 'the token may only read: every write is refused')
  .option('--team <team>', "limit the token to one team's objects (id or name)")
  .option('--expires-in-days <days>', 'the token stops working after this many days')
  .action(async (o: { user: string; name: string; readOnly?: boolean; team?: string; expiresInDays?: string }) => {
    const { localContext, SYSTEM, createToken, getUser } = await server();
    const { ctx, close } = await localContext(configFromEnv());
    try {
      const user = await getUser(ctx, SYSTEM, o.user);
      const days = o.expiresInDays === undefined ? undefined : Number(o.expiresInDays);
      if (days !== undefined && !Number.isInteger(days)) throw new Error('--expires-in-days: must be a whole number of days');
      const { token: secret, apiToken } = await createToken(ctx, SYSTEM, user.id, {
        name: o.name,
        ...(o.readOnly ? { readOnly: true } : {}),
        ...(o.team ? { teamId: o.team } : {}),
        ...(days !== undefined ? { expiresInDays: days } : {}),
      });
      process.stdout.write(`${secret}\n`);
      const limits = [apiToken.readOnly ? 'read-only' : '', apiToken.teamId ? `team ${apiToken.teamId} only` : '', apiToken.expiresAt ? `expires ${new Date(apiToken.expiresAt).toISOString()}` : '']
        .filter(Boolean)
        .join(', ');
      process.stderr.write(`Token "${o.name}" for ${user.email} (${user.role}${limits ? `; ${limits}` : ''}). It is shown once: store it now, e.g. export KLAXON_TOKEN=${secret}\n`);
    } finally {
      await close();
    }
  });

function line(i: Incident): string {
  const age = Math.round((Date.now() - i.createdAt) / 60_000);
  return `#${String(i.number).padEnd(5)} ${i.status.padEnd(12)} ${i.severity.padEnd(8)} ${i.serviceName.padEnd(20).slice(0, 20)} ${i.title.slice(0, 70)}  (${age} min ago)`;
}

program
  .command('trigger')
  .description('Open an incident by hand on a running server')
  .requiredOption('--service <name>', 'service name or id')
  .requiredOption('--title <text>', 'what is wrong')
  .option('--details <text>', 'more detail')
  .addOption(new Option('--severity <severity>').choices(['critical', 'error', 'warning', 'info']).default('critical'))
  .action(async (o: { service: string; title: string; details?: string; severity: string }) => {
    const r = await KlaxonClient.fromEnv().request<{ incident: Incident }>('POST', '/api/v1/incidents', { service: o.service, title: o.title, details: o.details, severity: o.severity });
    process.stdout.write(`Opened ${line(r.incident)}\n`);
  });

for (const [name, path, word] of [
  ['ack', 'acknowledge', 'Acknowledged'],
  ['resolve', 'resolve', 'Resolved'],
] as const) {
  program
    .command(`${name} <incident>`)
    .description(`${word.replace(/d$/, '')} an incident (number or id) on a running server`)
    .action(async (incident: string) => {
      const r = await KlaxonClient.fromEnv().request<{ incident: Incident; changed: boolean }>('POST', `/api/v1/incidents/${encodeURIComponent(incident.replace(/^#/, ''))}/${path}`);
      process.stdout.write(r.changed ? `${word} ${line(r.incident)}\n` : `Nothing to do: #${r.incident.number} is already ${r.incident.status}\n`);
    });
}

program
  .command('incidents')
  .description('List incidents on a running server')
  .option('--status <status...>', 'triggered, acknowledged, resolved (default: open ones)')
  .option('--limit <n>', 'how many', '50')
  .option('--json', 'print JSON')
  .action(async (o: { status?: string[]; limit: string; json?: boolean }) => {
    const status = o.status ?? ['triggered', 'acknowledged'];
    const q = new URLSearchParams([...status.map((s) => ['status', s] as [string, string]), ['limit', o.limit]]);
    const r = await KlaxonClient.fromEnv().request<{ incidents: Incident[] }>('GET', `/api/v1/incidents?${q}`);
    if (o.json) process.stdout.write(`${JSON.stringify(r.incidents, null, 2)}\n`);
    else process.stdout.write(r.incidents.length ? `${r.incidents.map(line).join('\n')}\n` : 'No incidents.\n');
  });

registerScheduleCommands(program);
registerReportCommands(program);
registerWarRoomCommands(program);
registerStatusCommands(program);
registerMigrateCommands(program);
registerMonitorCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof ConfigError || (e instanceof Error && e.name === 'ConfigFileError')) {
    process.stderr.write(`${e.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`klaxon: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}
