import type { ApplyResult } from '../config/apply.js';
import type { ImportResult, ReportItem } from './types.js';

const VENDOR: Record<ImportResult['source'], string> = { opsgenie: 'Opsgenie', pagerduty: 'PagerDuty', 'grafana-oncall': 'Grafana OnCall' };

/** A Markdown table cell: one line, pipes escaped. */
function cell(s: string): string {
  return s.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
}

const SEVERITY_HEAD: Record<ReportItem['severity'], string> = {
  'not-imported': 'Not imported',
  changed: 'Imported differently',
  note: 'Notes',
};

/**
 * The migration report (`--report FILE`): what was read, everything that has no exact Klaxon
 * equivalent with the source object's name and id, why and what Klaxon did instead, and the exact
 * change to make in each sender. With an apply result, the change lines and the new integration keys.
 */
export function renderReport(r: ImportResult, opts: { at: number; applied?: ApplyResult; dryRun?: boolean; trustContacts?: boolean }): string {
  const vendor = VENDOR[r.source];
  const out: string[] = [];
  out.push(`# Migration report: ${vendor}`, '');
  out.push(`Read from ${r.url} at ${new Date(opts.at).toISOString()}.`, '');
  out.push('| read from the source | count |', '| --- | ---: |');
  for (const [k, v] of Object.entries(r.counts)) out.push(`| ${cell(k)} | ${v} |`);
  out.push('');
  const c = r.config;
  out.push(
    `Klaxon configuration produced: ${c.users?.length ?? 0} users, ${c.teams?.length ?? 0} teams, ${c.schedules?.length ?? 0} schedules, ` +
      `${c.escalationPolicies?.length ?? 0} escalation policies, ${c.services?.length ?? 0} services, ` +
      `${(c.services ?? []).reduce((n, s) => n + (s.integrations?.length ?? 0), 0)} integrations.`,
    '',
  );
  out.push(
    opts.trustContacts
      ? 'Contact methods: imported as verified (`--trust-contacts`): they were in use at the source. This is recorded on the audit trail.'
      : 'Contact methods: to be verified. Each person receives a verification code on each imported contact method and enters it in Klaxon before it is paged (use `--trust-contacts` to import them as verified).',
    '',
  );
  const bySeverity = (['not-imported', 'changed', 'note'] as const).map((s) => [s, r.items.filter((i) => i.severity === s)] as const);
  if (!r.items.length) out.push('Everything read has an exact Klaxon equivalent.', '');
  for (const [sev, items] of bySeverity) {
    if (!items.length) continue;
    out.push(`## ${SEVERITY_HEAD[sev]} (${items.length})`, '');
    out.push(`| ${vendor} object | name | id | why | what Klaxon did |`, '| --- | --- | --- | --- | --- |');
    for (const i of items) out.push(`| ${cell(i.kind)} | ${cell(i.name)} | ${cell(i.id)} | ${cell(i.why)} | ${cell(i.instead)} |`);
    out.push('');
  }
  out.push('## Senders to move', '');
  if (!r.senders.length) out.push('No integrations were read from the source.', '');
  else {
    out.push('Change each sender only when the comparison (`klaxon compare`) shows no differences. Each integration has a new Klaxon key.', '');
    for (const s of r.senders) {
      if (s.heartbeat !== undefined) {
        const url = opts.applied?.createdHeartbeats?.find((h) => h.service === s.service && h.heartbeat === s.heartbeat)?.checkinUrl;
        const urlText = url
          ? `check-in URL \`${url}\` (shown once: its token is stored hashed)`
          : opts.applied && !opts.dryRun
            ? 'its existing check-in URL (unchanged)'
            : 'the check-in URL printed when this configuration is applied';
        out.push(`- **${cell(s.source.name)}** (${cell(s.source.type)}, id ${cell(s.source.id)}) → service \`${s.service}\`, heartbeat \`${s.heartbeat}\`, ${urlText}: ${s.instruction}`);
        continue;
      }
      const key = opts.applied?.createdKeys.find((k) => k.service === s.service && k.integration === s.integration)?.key;
      const keyText = key
        ? `key \`${key}\` (shown once: it is stored hashed)`
        : opts.applied && !opts.dryRun
          ? 'its existing Klaxon key (unchanged; see the service page)'
          : 'the key printed when this configuration is applied';
      out.push(`- **${cell(s.source.name)}** (${cell(s.source.type)}, id ${cell(s.source.id)}) → service \`${s.service}\`, integration \`${s.integration}\`, ${keyText}: ${s.instruction}`);
    }
    out.push('');
  }
  if (opts.applied) {
    out.push(opts.dryRun ? '## Changes a real apply would make' : '## Changes applied', '');
    if (!opts.applied.changes.length) out.push('No changes: Klaxon already matches the source.');
    else out.push('```', ...opts.applied.changes, '```');
    out.push('');
  }
  return out.join('\n');
}
