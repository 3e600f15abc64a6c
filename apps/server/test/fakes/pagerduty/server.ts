/*
 * A fake PagerDuty REST API v2 on 127.0.0.1, speaking the documented protocol (developer.pagerduty.com:
 * Authentication, Versioning, Pagination, Errors, Rate Limits; the OpenAPI reference for the shapes):
 * `Authorization: Token token=<token>`, classic pagination (offset, limit ≤ 100, more, total=true),
 * errors as {"error": {"message", "code", "errors"}}, 429 with ratelimit-* headers. It serves a
 * PdAccount and computes on-call answers (final_schedule, rendered layer entries, /oncalls) with
 * semantics.ts. Switches: the order GET gives schedule_layers in, and faults per path.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { DateTime } from 'luxon';
import { closeServer, listenLocal, sendJson } from '../util.js';
import type { PdAccount } from './fixture.js';
import { renderFinal, renderLayer, renderOverrides, scheduleAt, type Entry } from './semantics.js';
import { must } from '../../../src/lib/must.js';

export type Fault = '401' | '403' | '404' | '500' | 'malformed' | 'truncated' | '429';

export class FakePagerDuty {
  readonly token = 'u+pd-test-token-0123456789';
  /** Every request: method, path with query, whether it carried the right auth and Accept headers. */
  readonly requests: { method: string; url: string; at: number; auth: boolean; accept: string | undefined }[] = [];
  /**
   * The order GET answers give schedule_layers in: 'put' (the order PUT takes, Layer 1 first, the last
   * wins: after PagerDuty's fix) or 'reversed' (what GET has long answered: the winning layer first).
   */
  layerOrder: 'put' | 'reversed' = 'reversed';
  /** Faults: requests whose path starts with `path` get `fault` (`times` times, default always). */
  faults: { path: string; fault: Fault; times?: number; retryAfter?: number }[] = [];
  private server: Server | null = null;
  url = '';

  constructor(public account: PdAccount) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => this.handle(req, res));
    this.url = await listenLocal(this.server);
    return this.url;
  }

  close(): Promise<void> {
    return closeServer(this.server);
  }

  /** Requests to paths starting with `prefix`. */
  hits(prefix: string): number {
    return this.requests.filter((r) => r.url.startsWith(prefix)).length;
  }

  private error(res: ServerResponse, status: number, message: string, code: number, errors: string[] = [], headers: Record<string, string> = {}): void {
    sendJson(res, status, { error: { message, code, ...(errors.length && { errors }) } }, headers);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const u = new URL(req.url ?? '/', 'http://x');
    const auth = req.headers.authorization === `Token token=${this.token}`;
    this.requests.push({ method: req.method ?? '', url: u.pathname + u.search, at: Date.now(), auth, accept: req.headers.accept });
    if (req.method !== 'GET') return this.error(res, 405, 'Method not allowed', 2000);
    if (!req.headers.authorization) return this.error(res, 401, 'Authentication failed', 2006, ['Missing Authorization header']);
    if (!auth) return this.error(res, 401, 'Authentication failed', 2006);
    const fault = this.faults.find((f) => u.pathname.startsWith(f.path) && (f.times === undefined || f.times > 0));
    if (fault) {
      if (fault.times !== undefined) fault.times--;
      switch (fault.fault) {
        case '401':
          return this.error(res, 401, 'Authentication failed', 2006);
        case '403':
          return this.error(res, 403, 'Access Denied', 2010);
        case '404':
          return this.error(res, 404, 'Not Found', 2100);
        case '500':
          return this.error(res, 500, 'An internal error has occurred. PagerDuty team has been notified.', 2000);
        case '429':
          return this.error(res, 429, 'Rate Limit Exceeded', 2020, [], { 'ratelimit-limit': '960', 'ratelimit-remaining': '0', 'ratelimit-reset': String(fault.retryAfter ?? 1) });
        case 'malformed':
          res.writeHead(200, { 'content-type': 'application/json' });
          return void res.end('<html>Service Unavailable</html>');
        case 'truncated': {
          const text = JSON.stringify(this.route(u) ?? {});
          res.writeHead(200, { 'content-type': 'application/json' });
          return void res.end(text.slice(0, Math.floor(text.length / 2)));
        }
      }
    }
    try {
      const body = this.route(u);
      if (body === undefined) return this.error(res, 404, 'Not Found', 2100);
      sendJson(res, 200, body, { 'ratelimit-limit': '960', 'ratelimit-remaining': '959', 'ratelimit-reset': '60' });
    } catch (e) {
      if (e instanceof BadRequest) return this.error(res, 400, 'Invalid Input Provided', 2001, [e.message]);
      throw e;
    }
  }

  /** The answer for a GET, or undefined for 404. */
  private route(u: URL): unknown {
    const a = this.account;
    const p = u.pathname;
    const q = u.searchParams;
    const tz = q.get('time_zone') ?? 'UTC';
    const iso = (t: number | null | undefined, zone = tz) => (t === null || t === undefined ? null : DateTime.fromMillis(t, { zone }).toISO({ suppressMilliseconds: true }));
    const userRef = (id: string) => {
      const x = must(
        a.users.find((y) => y.id === id),
        'a.users entry where y.id === id',
      );
      return { id, type: 'user_reference', summary: x.name, self: `${this.url}/users/${id}`, html_url: `https://acme.pagerduty.com/users/${id}` };
    };
    const ref = (type: string, id: string, summary: string) => ({ id, type, summary, self: null, html_url: null });
    const teamRef = (id: string) =>
      ref(
        'team_reference',
        id,
        must(
          a.teams.find((x) => x.id === id),
          `team ${id}`,
        ).name,
      );
    const includes = q.getAll('include[]');

    if (p === '/users') {
      return this.page(
        q,
        'users',
        a.users.map((x) => ({
          id: x.id,
          type: 'user',
          summary: x.name,
          name: x.name,
          email: x.email,
          time_zone: x.time_zone,
          role: x.role,
          contact_methods: x.contact_methods.map((c) => (includes.includes('contact_methods') ? { ...c, summary: c.label, self: null } : ref(`${c.type}_reference`, c.id, c.label))),
          notification_rules: x.notification_rules.map((r) => {
            const cm = must(
              x.contact_methods.find((c) => c.id === r.contact_method),
              'x.contact_methods entry where c.id === r.contact_method',
            );
            return includes.includes('notification_rules')
              ? { id: r.id, type: 'assignment_notification_rule', start_delay_in_minutes: r.start_delay_in_minutes, urgency: r.urgency, contact_method: ref(`${cm.type}_reference`, cm.id, cm.label) }
              : ref('assignment_notification_rule_reference', r.id, `${r.start_delay_in_minutes} minutes: channel ${cm.id}`);
          }),
        })),
      );
    }
    if (p === '/teams')
      return this.page(
        q,
        'teams',
        a.teams.map((t) => ({ id: t.id, type: 'team', summary: t.name, name: t.name, description: t.description })),
      );
    const members = /^\/teams\/([^/]+)\/members$/.exec(p);
    if (members) {
      const t = a.teams.find((x) => x.id === members[1]);
      return (
        t &&
        this.page(
          q,
          'members',
          t.members.map((m) => ({ user: userRef(m.user), role: m.role })),
        )
      );
    }
    const scheduleJson = (s: PdAccount['schedules'][number], withRender: boolean) => {
      const sinceParam = q.get('since');
      const untilParam = q.get('until');
      const since = sinceParam ? Date.parse(sinceParam) : NaN;
      const until = untilParam ? Date.parse(untilParam) : NaN;
      const render = withRender && !Number.isNaN(since) && !Number.isNaN(until);
      if (withRender && (sinceParam || untilParam) && !render) throw new BadRequest('Invalid time values in since and/or until parameters');
      const entries = (list: Entry[]) => list.map((e) => ({ start: iso(e.start), end: iso(e.end), user: userRef(e.user) }));
      const layers = s.layers.map((l) => ({
        id: l.id,
        name: l.name,
        start: iso(l.start, s.time_zone),
        end: iso(l.end, s.time_zone),
        rotation_virtual_start: iso(l.rotation_virtual_start, s.time_zone),
        rotation_turn_length_seconds: l.rotation_turn_length_seconds,
        users: l.users.map((x) => ({ user: userRef(x) })),
        restrictions: l.restrictions.map((r) => ({ ...r, ...(r.type === 'daily_restriction' && { start_day_of_week: null }) })),
        ...(render && { rendered_schedule_entries: entries(renderLayer(l, s.time_zone, since, until)), rendered_coverage_percentage: null }),
      }));
      return {
        id: s.id,
        type: 'schedule',
        summary: s.name,
        name: s.name,
        description: s.description,
        time_zone: s.time_zone,
        teams: s.teams.map(teamRef),
        users: [...new Set(s.layers.flatMap((l) => l.users))].map(userRef),
        schedule_layers: this.layerOrder === 'reversed' ? [...layers].reverse() : layers,
        ...(withRender && {
          overrides_subschedule: { name: 'Overrides', rendered_schedule_entries: render ? entries(renderOverrides(s, since, until)) : [], rendered_coverage_percentage: null },
          final_schedule: { name: 'Final Schedule', rendered_schedule_entries: render ? entries(renderFinal(s, since, until)) : [], rendered_coverage_percentage: null },
        }),
      };
    };
    if (p === '/schedules')
      return this.page(
        q,
        'schedules',
        a.schedules.map((s) => ({ ...scheduleJson(s, false), ...(includes.includes('schedule_layers') ? {} : { schedule_layers: undefined }) })),
      );
    const overrides = /^\/schedules\/([^/]+)\/overrides$/.exec(p);
    if (overrides) {
      const s = a.schedules.find((x) => x.id === overrides[1]);
      if (!s) return undefined;
      const since = Date.parse(q.get('since') ?? '');
      const until = Date.parse(q.get('until') ?? '');
      if (Number.isNaN(since) || Number.isNaN(until)) throw new BadRequest('since and until are required');
      return { overrides: s.overrides.filter((o) => o.end > since && o.start < until).map((o) => ({ id: o.id, start: iso(o.start), end: iso(o.end), user: userRef(o.user) })) };
    }
    const schedule = /^\/schedules\/([^/]+)$/.exec(p);
    if (schedule) {
      const s = a.schedules.find((x) => x.id === schedule[1]);
      return s && { schedule: scheduleJson(s, true) };
    }
    if (p === '/escalation_policies') {
      return this.page(
        q,
        'escalation_policies',
        a.escalation_policies.map((e) => ({
          id: e.id,
          type: 'escalation_policy',
          summary: e.name,
          name: e.name,
          description: e.description,
          num_loops: e.num_loops,
          on_call_handoff_notifications: e.on_call_handoff_notifications,
          teams: e.teams.map(teamRef),
          services: a.services.filter((s) => s.escalation_policy === e.id).map((s) => ref('service_reference', s.id, s.name)),
          escalation_rules: e.escalation_rules.map((r) => ({
            id: r.id,
            escalation_delay_in_minutes: r.escalation_delay_in_minutes,
            ...(r.escalation_rule_assignment_strategy && { escalation_rule_assignment_strategy: r.escalation_rule_assignment_strategy }),
            targets: r.targets.map((t) =>
              t.type === 'user_reference'
                ? userRef(t.id)
                : ref(
                    'schedule_reference',
                    t.id,
                    must(
                      a.schedules.find((s) => s.id === t.id),
                      'a.schedules entry where s.id === t.id',
                    ).name,
                  ),
            ),
          })),
        })),
      );
    }
    if (p === '/services') {
      return this.page(
        q,
        'services',
        a.services.map((s) => ({
          id: s.id,
          type: 'service',
          summary: s.name,
          name: s.name,
          description: s.description,
          status: 'active',
          auto_resolve_timeout: s.auto_resolve_timeout,
          acknowledgement_timeout: s.acknowledgement_timeout,
          escalation_policy: ref(
            'escalation_policy_reference',
            s.escalation_policy,
            must(
              a.escalation_policies.find((e) => e.id === s.escalation_policy),
              'a.escalation_policies entry where e.id === s.escalation_policy',
            ).name,
          ),
          teams: s.teams.map(teamRef),
          incident_urgency_rule: s.incident_urgency_rule,
          support_hours: s.support_hours,
          scheduled_actions: s.scheduled_actions,
          integrations: s.integrations.map((i) =>
            includes.includes('integrations')
              ? {
                  id: i.id,
                  type: i.type,
                  summary: i.name,
                  name: i.name,
                  service: ref('service_reference', s.id, s.name),
                  ...(i.vendor && { vendor: ref('vendor_reference', `PV${i.vendor.toUpperCase()}`, i.vendor) }),
                  ...(i.integration_key && { integration_key: i.integration_key }),
                  ...(i.integration_email && { integration_email: i.integration_email }),
                }
              : ref(`${i.type}_reference`, i.id, i.name),
          ),
        })),
      );
    }
    if (p === '/maintenance_windows') {
      const now = Date.now();
      const filter = q.get('filter') ?? 'all';
      const keep = (m: PdAccount['maintenance_windows'][number]) =>
        filter === 'all' ||
        (filter === 'future' && m.start > now) ||
        (filter === 'ongoing' && m.start <= now && m.end > now) ||
        (filter === 'open' && m.end > now) ||
        (filter === 'past' && m.end <= now);
      return this.page(
        q,
        'maintenance_windows',
        a.maintenance_windows.filter(keep).map((m) => ({
          id: m.id,
          type: 'maintenance_window',
          summary: m.description,
          description: m.description,
          start_time: iso(m.start),
          end_time: iso(m.end),
          services: m.services.map((s) =>
            ref(
              'service_reference',
              s,
              must(
                a.services.find((x) => x.id === s),
                'a.services entry where x.id === s',
              ).name,
            ),
          ),
        })),
      );
    }
    if (p === '/oncalls') {
      const sinceParam = q.get('since');
      const untilParam = q.get('until');
      const since = sinceParam ? Date.parse(sinceParam) : Date.now();
      const until = untilParam ? Date.parse(untilParam) : since;
      if (Number.isNaN(since) || Number.isNaN(until) || until < since) throw new BadRequest('Invalid time values in since and/or until parameters');
      const out: unknown[] = [];
      for (const e of a.escalation_policies) {
        for (const [li, r] of e.escalation_rules.entries()) {
          for (const t of r.targets) {
            const base = { escalation_policy: ref('escalation_policy_reference', e.id, e.name), escalation_level: li + 1 };
            if (t.type === 'user_reference') out.push({ ...base, user: userRef(t.id), schedule: null, start: null, end: null });
            else {
              const s = must(
                a.schedules.find((x) => x.id === t.id),
                'a.schedules entry where x.id === t.id',
              );
              // An on-call period overlapping [since, until] (at least the instant `since`).
              const entries = renderFinal(s, since, Math.max(until, since + 1000));
              for (const x of entries) out.push({ ...base, user: userRef(x.user), schedule: ref('schedule_reference', s.id, s.name), start: iso(x.start), end: iso(x.end) });
              if (!entries.length && scheduleAt(s, since)) throw new Error('fake: inconsistent render');
            }
          }
        }
      }
      return this.page(q, 'oncalls', out);
    }
    return undefined;
  }

  /** Classic pagination: offset, limit (default 25, at most 100, offset + limit ≤ 10000), more, total. */
  private page(q: URLSearchParams, key: string, all: unknown[]): unknown {
    const limit = q.has('limit') ? Number(q.get('limit')) : 25;
    const offset = q.has('offset') ? Number(q.get('offset')) : 0;
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new BadRequest('limit must be between 1 and 100');
    if (!Number.isInteger(offset) || offset < 0 || offset + limit > 10_000) throw new BadRequest('offset + limit must not exceed 10000');
    return { [key]: all.slice(offset, offset + limit), limit, offset, more: offset + limit < all.length, total: q.get('total') === 'true' ? all.length : null };
  }
}

class BadRequest extends Error {}
