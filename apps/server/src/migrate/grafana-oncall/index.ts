/*
 * Grafana OnCall (OSS) importer: `klaxon import grafana-oncall --token T --url https://oncall.example.com`
 * (docs/migrate.md, "Grafana OnCall"). Reads /api/v1/ with the API key in the Authorization header,
 * never writes; maps the account (map.ts, shifts.ts); answers the parallel run from the source's own
 * final_shifts.
 */
import { pace, SourceClient } from '../source-client.js';
import type { Progress, SourceAdapter, SourceOnCall, SourcePaging } from '../types.js';
import { MigrateError } from '../types.js';
import { listAll, readAccount, type GChain, type GEscalationPolicy, type GFinalShift, type GIntegration, type GSchedule, type GTeam, type GUser } from './api.js';
import { importableSchedules, mapAccount, mapChain, uniqueNames } from './map.js';
import { must } from '../../lib/must.js';

const MINUTE = 60_000;
const DAY = 86_400_000;

/** Grafana's final_shifts takes UTC date-times to the minute, "YYYY-MM-DDTHH:MM", at most 365 days apart. */
const minuteParam = (t: number) => new Date(t).toISOString().slice(0, 16);

function parseTime(resource: string, v: unknown): number {
  const s = String(v ?? '');
  const t = Date.parse(/[zZ]|[+-]\d{2}:?\d{2}$/.test(s) ? s : `${s}Z`);
  if (Number.isNaN(t)) throw new MigrateError(resource, `shift time ${JSON.stringify(v)} is not a date-time`);
  return t;
}

/** The schedule's final shifts over [from, to) as the source computes them, in windows of at most 365 days. */
export async function finalShifts(client: SourceClient, progress: Progress, s: GSchedule, from: number, to: number): Promise<{ start: number; end: number; emails: string[] }[]> {
  const out: { start: number; end: number; emails: string[] }[] = [];
  const lo = Math.floor(from / MINUTE) * MINUTE;
  const hi = Math.ceil(to / MINUTE) * MINUTE;
  for (let a = lo; a < hi; a += 365 * DAY) {
    const b = Math.min(hi, a + 365 * DAY);
    const resource = `schedule '${s.name}' final shifts`;
    const rows = await listAll<GFinalShift>(client, progress, resource, `/api/v1/schedules/${encodeURIComponent(s.id)}/final_shifts/`, { start_date: minuteParam(a), end_date: minuteParam(b) });
    for (const r of rows) {
      const start = parseTime(resource, r.shift_start);
      const end = parseTime(resource, r.shift_end);
      if (end > start && r.user_email) out.push({ start, end, emails: [r.user_email.toLowerCase()] });
    }
  }
  return out;
}

export const grafanaOnCall: SourceAdapter = {
  name: 'grafana-oncall',
  credential: { flag: '--token <token>', env: 'GRAFANA_ONCALL_TOKEN', describe: 'Grafana OnCall API key (OnCall → Settings), created by an OnCall admin' },
  client: ({ url, credential, maxRate, maxTries }) =>
    new SourceClient({
      baseUrl: url,
      auth: { header: 'authorization', value: credential },
      ...pace(maxRate, maxTries),
    }),

  async import(client, progress, opts) {
    const account = await readAccount(client, progress);
    return { ...mapAccount(account, { klaxonUrl: opts.klaxonUrl, now: opts.now }), url: client.baseUrl };
  },

  async onCall(client, progress, span): Promise<SourceOnCall[]> {
    const schedules = importableSchedules(await listAll<GSchedule>(client, progress, 'schedules', '/api/v1/schedules/'));
    const names = uniqueNames(schedules, 200);
    const out: SourceOnCall[] = [];
    for (const s of schedules) {
      out.push({ schedule: must(names.get(s.id), 'names.get(s.id)'), source: { name: s.name, id: s.id }, intervals: await finalShifts(client, progress, s, span.from, span.to) });
    }
    return out;
  },

  async paging(client, progress, at): Promise<SourcePaging[]> {
    const users = await listAll<GUser>(client, progress, 'users', '/api/v1/users/');
    const teams = await listAll<GTeam>(client, progress, 'teams', '/api/v1/teams/');
    const schedules = importableSchedules(await listAll<GSchedule>(client, progress, 'schedules', '/api/v1/schedules/'));
    const chains = await listAll<GChain>(client, progress, 'escalation chains', '/api/v1/escalation_chains/');
    const steps = await listAll<GEscalationPolicy>(client, progress, 'escalation policies', '/api/v1/escalation_policies/');
    const integrations = await listAll<GIntegration>(client, progress, 'integrations', '/api/v1/integrations/');
    const emailOf = new Map(users.filter((u) => u.email).map((u) => [u.id, u.email.trim().toLowerCase()]));
    const scheduleById = new Map(schedules.map((s) => [s.id, s]));
    const onCallNow = new Map<string, string[]>();
    const scheduleNow = async (id: string) => {
      if (!onCallNow.has(id)) {
        const shifts = await finalShifts(client, progress, must(scheduleById.get(id), 'scheduleById.get(id)'), at, at + MINUTE);
        onCallNow.set(id, [...new Set(shifts.filter((x) => x.start <= at && at < x.end).flatMap((x) => x.emails))]);
      }
      return must(onCallNow.get(id), 'onCallNow.get(id)');
    };
    const serviceName = uniqueNames(integrations, 200);
    const out: SourcePaging[] = [];
    for (const i of integrations) {
      const chain = chains.find((c) => c.id === i.default_route?.escalation_chain_id);
      const levels: { emails: string[] }[] = [];
      if (chain) {
        const m = mapChain(
          chain,
          steps.filter((p) => p.escalation_chain_id === chain.id),
          new Set(scheduleById.keys()),
          new Set(emailOf.keys()),
          new Set(teams.map((t) => t.id)),
        );
        for (const l of m.levels) {
          const emails = new Set<string>();
          for (const t of l.targets) {
            if (t.kind === 'user') emails.add(must(emailOf.get(t.id), 'emailOf.get(t.id)'));
            else if (t.kind === 'team') {
              for (const u of users) {
                const email = emailOf.get(u.id);
                if ((u.teams ?? []).includes(t.id) && email !== undefined) emails.add(email);
              }
            } else for (const e of await scheduleNow(t.id)) emails.add(e);
          }
          levels.push({ emails: [...emails].sort() });
        }
      }
      out.push({ service: must(serviceName.get(i.id), 'serviceName.get(i.id)'), source: { name: i.name, id: i.id }, levels });
    }
    return out;
  },
};
