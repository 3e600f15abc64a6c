/**
 * Fake Grafana OnCall (OSS) public API for tests: a real HTTP server on 127.0.0.1 speaking the
 * documented `/api/v1/` shapes.
 *
 *   Authorization: <token>   (no scheme; a wrong or missing one answers 401 {"detail": "Invalid token."})
 *   GET /api/v1/{users,personal_notification_rules,teams,user_groups,schedules,on_call_shifts,
 *                escalation_chains,escalation_policies,integrations,routes}/
 *        pages of {count, next, previous, results, page_size, current_page_number, total_pages};
 *        `perpage` (default 50, at most 100) and `page`; `next`/`previous` are absolute URLs
 *   GET /api/v1/schedules/{id}/final_shifts/?start_date=YYYY-MM-DD[THH:MM]&end_date=...
 *        {count, next: null, previous: null, results: [{user_pk, user_email, user_username,
 *        shift_start, shift_end}], ...}, computed by semantics.ts (Grafana's rules, not Klaxon's);
 *        400 for a missing or bad date or a span over 365 days; 404 {"detail": "Not found."}
 *
 * Failure switch: `fail(pathPrefix, kind, times = 1)`: the next `times` requests whose path starts with
 * the prefix answer 401, 404, 500, malformed JSON, a truncated page (count larger than the pages
 * hold), or 429 with Retry-After: 1. `requests` records every path asked for (the fake refuses any
 * method but GET with 405, and counts such attempts in `writes`).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeServer, listenLocal, sendJson } from '../util.js';
import { resolveFinal, shiftEvents, type SemShift } from './semantics.js';
import { must } from '../../../src/lib/must.js';

export interface GrafanaData {
  users: Record<string, unknown>[];
  personal_notification_rules: Record<string, unknown>[];
  teams: Record<string, unknown>[];
  user_groups: Record<string, unknown>[];
  schedules: Record<string, unknown>[];
  on_call_shifts: Record<string, unknown>[];
  escalation_chains: Record<string, unknown>[];
  escalation_policies: Record<string, unknown>[];
  integrations: Record<string, unknown>[];
  routes: Record<string, unknown>[];
}

export type FailKind = 401 | 404 | 500 | 'malformed' | 'truncated' | 429;

export class FakeGrafanaOnCall {
  url = '';
  requests: string[] = [];
  writes = 0;
  private server: Server | null = null;
  private failures: { prefix: string; kind: FailKind; left: number }[] = [];

  constructor(
    public data: GrafanaData,
    readonly token = 'grafana-oncall-test-token',
  ) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => this.handle(req, res));
    this.url = await listenLocal(this.server);
    return this;
  }

  async stop(): Promise<void> {
    await closeServer(this.server);
  }

  fail(prefix: string, kind: FailKind, times = 1): void {
    this.failures.push({ prefix, kind, left: times });
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const u = new URL(req.url ?? '/', this.url);
    this.requests.push(u.pathname + u.search);
    if (req.method !== 'GET') {
      this.writes++;
      return sendJson(res, 405, { detail: `Method "${req.method}" not allowed.` });
    }
    if (req.headers.authorization !== this.token) return sendJson(res, 401, { detail: 'Invalid token.' });
    const f = this.failures.find((x) => x.left > 0 && u.pathname.startsWith(x.prefix));
    let truncated = false;
    if (f) {
      f.left--;
      if (f.kind === 401) return sendJson(res, 401, { detail: 'Invalid token.' });
      if (f.kind === 404) return sendJson(res, 404, { detail: 'Not found.' });
      // Retry-After: 0 only keeps the tests from waiting through the client's backoff.
      if (f.kind === 500) return sendJson(res, 500, { detail: 'Internal server error' }, { 'Retry-After': '0' });
      if (f.kind === 429) return sendJson(res, 429, { detail: 'Request was throttled. Expected available in 1 second.' }, { 'Retry-After': '1' });
      if (f.kind === 'malformed') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        return void res.end('{"count": 3, "next": null, "results": [{"id": "U1", "email": "a');
      }
      truncated = true;
    }
    const parts = u.pathname.replace(/\/+$/, '').split('/').slice(1); // api, v1, resource, [id, action]
    if (parts[0] !== 'api' || parts[1] !== 'v1') return sendJson(res, 404, { detail: 'Not found.' });
    const resource = parts[2] as keyof GrafanaData;
    if (parts.length === 5 && resource === 'schedules' && parts[4] === 'final_shifts') return this.finalShifts(res, must(parts[3], 'parts[3]'), u);
    if (parts.length !== 3 || !(resource in this.data)) return sendJson(res, 404, { detail: 'Not found.' });
    const all = this.data[resource];
    const perpage = Math.min(100, Math.max(1, Number(u.searchParams.get('perpage')) || 50));
    const page = Math.max(1, Number(u.searchParams.get('page')) || 1);
    const pages = Math.max(1, Math.ceil(all.length / perpage));
    if (page > pages) return sendJson(res, 404, { detail: 'Invalid page.' });
    const link = (p: number) => {
      const x = new URL(u.toString());
      x.searchParams.set('page', String(p));
      return x.toString();
    };
    sendJson(res, 200, {
      count: all.length + (truncated ? 1 : 0),
      next: page < pages ? link(page + 1) : null,
      previous: page > 1 ? link(page - 1) : null,
      results: all.slice((page - 1) * perpage, page * perpage),
      page_size: perpage,
      current_page_number: page,
      total_pages: pages,
    });
  }

  private finalShifts(res: ServerResponse, id: string, u: URL): void {
    const schedule = this.data.schedules.find((s) => s.id === id);
    if (!schedule) return sendJson(res, 404, { detail: 'Not found.' });
    const parse = (v: string | null) => (v && /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2})?$/.test(v) ? Date.parse(`${v.length === 10 ? `${v}T00:00` : v}:00Z`) : NaN);
    const from = parse(u.searchParams.get('start_date'));
    const to = parse(u.searchParams.get('end_date'));
    if (Number.isNaN(from) || Number.isNaN(to)) return sendJson(res, 400, { start_date: ['Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm, YYYY-MM-DD.'] });
    if (from > to) return sendJson(res, 400, { non_field_errors: ['start_date must be less than or equal to end_date'] });
    if (to - from > 365 * 86_400_000) return sendJson(res, 400, { non_field_errors: ['The difference between start_date and end_date must be less than one year (365 days)'] });
    const listed = new Set((schedule.shifts as string[] | undefined) ?? []);
    const shifts = this.data.on_call_shifts.filter((s) => s.schedule === id || listed.has(s.id as string)) as unknown as SemShift[];
    const events = shifts.flatMap((s) => shiftEvents(s, (schedule.time_zone as string | null) ?? null, to));
    const users = new Map(this.data.users.map((x) => [x.id as string, x]));
    const iso = (t: number) => new Date(t).toISOString().replace('.000Z', 'Z');
    const results = resolveFinal(events, from, to).map((r) => ({
      user_pk: r.user,
      user_email: (users.get(r.user)?.email as string) ?? '',
      user_username: (users.get(r.user)?.username as string) ?? '',
      shift_start: iso(r.start),
      shift_end: iso(r.end),
    }));
    sendJson(res, 200, { count: results.length, next: null, previous: null, results, current_page_number: 1, page_size: 50, total_pages: 1 });
  }
}
