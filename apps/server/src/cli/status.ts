/*
 * Status commands against a running server (KLAXON_URL, KLAXON_TOKEN): post a status update on an
 * incident, and show the internal status (major incidents running now). Only light modules imported.
 */
import type { Command } from 'commander';
import type { InternalIncident, StatusUpdate } from '@klaxon/contract';
import { KlaxonClient } from './client.js';

/** Registers `status update` and `status internal` on the program. */
export function registerStatusCommands(program: Command): void {
  const status = program.command('status').description('Stakeholder status updates and the internal status, on a running server');
  status
    .command('update <incident>')
    .description('Post a status update (internal unless --public)')
    .requiredOption('--phase <phase>', 'investigating | identified | monitoring | resolved')
    .option('-m, --message <text>', 'the update (default: the template for the phase and severity)')
    .option('--impact <text>', 'business impact')
    .option('--next <minutes>', 'minutes until the next update')
    .option('--public', 'show on status pages and send to external subscribers')
    .action(async (incident: string, o: { phase: string; message?: string; impact?: string; next?: string; public?: boolean }) => {
      const client = KlaxonClient.fromEnv();
      const body = {
        phase: o.phase,
        ...(o.message && { message: o.message }),
        ...(o.impact && { businessImpact: o.impact }),
        ...(o.next && { nextUpdateInMinutes: Number(o.next) }),
        public: o.public === true,
      };
      const r = await client.request<{ statusUpdate: StatusUpdate }>('POST', `/api/v1/incidents/${encodeURIComponent(incident)}/status-updates`, body);
      const u = r.statusUpdate;
      process.stdout.write(
        `${u.public ? 'Public' : 'Internal'} update (${u.phase}) posted on incident ${incident}${u.nextUpdateAt ? `; next update by ${new Date(u.nextUpdateAt).toISOString()}` : ''}\n`,
      );
    });
  status
    .command('internal')
    .description('Major incidents running now: severity, incident manager, affected business services, latest update, war room')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const client = KlaxonClient.fromEnv();
      const { incidents } = await client.request<{ incidents: InternalIncident[] }>('GET', '/api/v1/status/internal');
      if (o.json) return void process.stdout.write(`${JSON.stringify(incidents, null, 2)}\n`);
      if (!incidents.length) return void process.stdout.write('No major incidents running.\n');
      for (const i of incidents) {
        process.stdout.write(
          `#${i.number} ${i.sev ?? '-'} ${i.title}\n  IM: ${i.incidentManager?.name ?? '(none)'}   affects: ${i.businessServices.map((b) => b.name).join(', ') || '-'}\n` +
            `  latest: ${i.latestUpdate ? `${i.latestUpdate.phase}: ${i.latestUpdate.message}` : '(no update yet)'}\n  war room: ${i.warRoomUrl}${i.bridgeUrl ? `   bridge: ${i.bridgeUrl}` : ''}\n`,
        );
      }
    });
}
