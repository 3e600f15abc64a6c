/*
 * War-room commands against a running server (KLAXON_URL, KLAXON_TOKEN): declare a major incident
 * (or a drill), show a war room, chat, run a chat command, export the timeline as Markdown.
 * Only light modules are imported: client commands start fast.
 */
import type { Command } from 'commander';
import type { WarRoom } from '@klaxon/contract';
import { KlaxonClient } from './client.js';

const out = (s: string) => process.stdout.write(`${s}\n`);

/** Registers `declare`, `war-room`, `chat`, `command` and `timeline-md`. */
export function registerWarRoomCommands(program: Command): void {
  program
    .command('declare')
    .description('Declare a major incident (from an incident, or fresh on a service) and open its war room')
    .option('-i, --incident <number>', 'the incident to declare major')
    .option('-s, --service <service>', 'service of a fresh incident')
    .option('-t, --title <title>', 'title of a fresh incident')
    .option('--sev <level>', 'severity level (default the most severe)')
    .option('--drill', 'declare a drill: real paging, DRILL on every message, no stakeholders told')
    .option('--bridge <url>', 'conference bridge URL for this incident')
    .action(async (o: { incident?: string; service?: string; title?: string; sev?: string; drill?: boolean; bridge?: string }) => {
      const r = await KlaxonClient.fromEnv().request<{ incident: { number: number; sev: string }; warRoom: WarRoom }>('POST', '/api/v1/major-incidents', {
        ...(o.incident && { incident: o.incident }),
        ...(o.service && { service: o.service }),
        ...(o.title && { title: o.title }),
        ...(o.sev && { sev: o.sev }),
        ...(o.drill && { drill: true }),
        ...(o.bridge && { bridgeUrl: o.bridge }),
      });
      out(
        `${o.drill ? 'DRILL ' : ''}#${r.incident.number} declared ${r.incident.sev}; incident manager: ${r.warRoom.incidentManager?.name ?? 'none'}${r.warRoom.bridgeUrl ? `; bridge ${r.warRoom.bridgeUrl}` : ''}`,
      );
    });
  program
    .command('war-room <incident>')
    .description('Show a war room: incident manager, members and roles, bridge, tasks')
    .action(async (incident: string) => {
      const { warRoom: w } = await KlaxonClient.fromEnv().request<{ warRoom: WarRoom }>('GET', `/api/v1/incidents/${encodeURIComponent(incident)}/war-room`);
      out(
        `${w.drill ? 'DRILL ' : ''}#${w.incidentNumber} ${w.sev ?? ''} · IM ${w.incidentManager?.name ?? 'none'}${w.bridgeUrl ? ` · bridge ${w.bridgeUrl}` : ''}${w.slackChannel ? ` · Slack ${w.slackChannel}` : ''}`,
      );
      for (const m of w.members) out(`  ${m.role.padEnd(10)} ${m.name}`);
      for (const t of w.tasks) out(`  task: ${t.text}${t.ownerName ? ` (${t.ownerName})` : ''}`);
    });
  program
    .command('chat <incident> <text>')
    .description('Send a message to a war room (a text starting with / runs a command)')
    .option('--priority', 'a priority message: pages every member')
    .action(async (incident: string, text: string, o: { priority?: boolean }) => {
      const r = await KlaxonClient.fromEnv().request<{ result?: { text: string } }>('POST', `/api/v1/incidents/${encodeURIComponent(incident)}/chat`, { text, ...(o.priority && { priority: true }) });
      out(r.result?.text ?? 'sent');
    });
  program
    .command('command <incident> <text>')
    .description('Run a war-room command without posting it, e.g. klaxon command 42 "/sev 1"')
    .action(async (incident: string, text: string) => {
      const r = await KlaxonClient.fromEnv().request<{ result: { ok: boolean; text: string } }>('POST', `/api/v1/incidents/${encodeURIComponent(incident)}/commands`, { text });
      out(r.result.text);
      if (!r.result.ok) process.exitCode = 1;
    });
  program
    .command('timeline-md <incident>')
    .description('Print an incident timeline as Markdown (a postmortem first draft)')
    .action(async (incident: string) => {
      const c = KlaxonClient.fromEnv();
      const res = await fetch(`${c.baseUrl}/api/v1/incidents/${encodeURIComponent(incident)}/timeline.md`, { headers: { authorization: `Bearer ${process.env.KLAXON_TOKEN ?? ''}` } });
      if (!res.ok) throw new Error(`${res.status}: ${await res.text()}`);
      process.stdout.write(await res.text());
    });
}
