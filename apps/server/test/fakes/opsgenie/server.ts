/**
 * Fake Opsgenie REST API for tests: a real HTTP server on 127.0.0.1 (random port) speaking the
 * documented shapes of the endpoints an import reads (docs.opsgenie.com):
 *
 *   Authorization: GenieKey <key>          anything else: 401 {message: "Could not authenticate", took, requestId}
 *   GET /v2/users, /v2/teams, /v2/schedules?expand=rotation, /v2/escalations, /v1/services,
 *       /v2/integrations, /v1/maintenance   lists: offset/limit (limit 1-100, default 20), answered
 *                                          {data, paging: {next?, first, last}, totalCount, took, requestId};
 *                                          the fake serves at most `pageSize` items a page (default 2)
 *                                          so paging is always exercised
 *   GET /v2/users/{id}/contacts, /v2/users/{id}/notification-rules[/{ruleId}], /v2/teams/{id},
 *       /v2/teams/{id}/routing-rules, /v2/schedules/{id}/overrides, /v2/heartbeats,
 *       /v1/maintenance/{id} (with its rules: [{state, entity: {id, type: integration|policy}}])
 *   GET /v2/schedules/{id}/timeline?date&interval&intervalUnit   finalTimeline.rotations[].periods
 *   GET /v2/schedules/{id}/on-calls?flat=true&date               onCallRecipients (usernames)
 *   GET /v2/schedules/{id}/next-on-calls?flat=true&date          exactNextOnCallRecipients
 *   On-call answers come from semantics.ts (Opsgenie's rules, not Klaxon's); flat=true expands a team
 *   to its members and an escalation to the users of its rules of the smallest delay.
 *   Anything but GET: 405 (recorded in `writes`: an import must never write).
 *
 * Switches: `fail(match, mode)` makes matching requests answer 401, 404, 500, malformed JSON or a
 * truncated page (a list whose totalCount promises more than its pages hold); `rateLimit(match, n,
 * retryAfterSeconds)` answers the next n matching requests 429 with Retry-After.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeServer, listenLocal, sendJson } from '../util.js';
import { opsgenieFixture, type OgFixture } from './fixture.js';
import { scheduleAt, timeline, boundaries, type Participant } from './semantics.js';
import { must } from '../../../src/lib/must.js';

export type FailMode = 401 | 404 | 500 | 'malformed' | 'truncated';

export class FakeOpsgenie {
  url = '';
  readonly key: string;
  fixture: OgFixture;
  pageSize: number;
  /** Every request: method and path with query. */
  readonly requests: { method: string; path: string; at: number }[] = [];
  /** Requests that were not GET. */
  readonly writes: string[] = [];
  private server: Server | null = null;
  private fails: { match: RegExp; mode: FailMode }[] = [];
  private limits: { match: RegExp; left: number; retryAfter: number }[] = [];

  constructor(o: { key?: string; fixture?: OgFixture; pageSize?: number } = {}) {
    this.key = o.key ?? 'og-test-key-0123456789';
    this.fixture = o.fixture ?? opsgenieFixture();
    this.pageSize = o.pageSize ?? 2;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => this.handle(req, res));
    this.url = await listenLocal(this.server);
    return this.url;
  }

  close(): Promise<void> {
    return closeServer(this.server);
  }

  fail(match: RegExp, mode: FailMode): void {
    this.fails.push({ match, mode });
  }

  rateLimit(match: RegExp, times: number, retryAfterSeconds: number): void {
    this.limits.push({ match, left: times, retryAfter: retryAfterSeconds });
  }

  reset(): void {
    this.fails = [];
    this.limits = [];
  }

  private error(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
    sendJson(res, status, { message, took: 0.001, requestId: `req-${this.requests.length}` }, headers);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const u = new URL(req.url ?? '/', this.url);
    const path = u.pathname;
    this.requests.push({ method: req.method ?? '', path: path + u.search, at: Date.now() });
    if (req.method !== 'GET') {
      this.writes.push(`${req.method} ${path}`);
      return this.error(res, 405, 'Method not allowed by the fake (an import must only read)');
    }
    if (req.headers.authorization !== `GenieKey ${this.key}`) return this.error(res, 401, 'Could not authenticate');
    const limit = this.limits.find((l) => l.left > 0 && l.match.test(path));
    if (limit) {
      limit.left--;
      return this.error(res, 429, 'You are making too many requests! To avoid errors, we recommend you limit requests.', { 'retry-after': String(limit.retryAfter) });
    }
    const fail = this.fails.find((f) => f.match.test(path));
    if (fail && fail.mode !== 'truncated') {
      if (fail.mode === 'malformed') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"data": [{"id": "x", "username": ');
        return;
      }
      return this.error(res, fail.mode, fail.mode === 404 ? 'Not found' : fail.mode === 401 ? 'Could not authenticate' : 'Internal Server Error');
    }
    try {
      const body = this.route(path, u.searchParams, Boolean(fail));
      if (body === undefined) return this.error(res, 404, `No such resource: ${path}`);
      sendJson(res, 200, { ...body, took: 0.002, requestId: `req-${this.requests.length}` });
    } catch (e) {
      this.error(res, 422, (e as Error).message);
    }
  }

  private page(items: unknown[], q: URLSearchParams, path: string, truncated: boolean): Record<string, unknown> {
    const offset = Number(q.get('offset') ?? 0);
    const limit = Number(q.get('limit') ?? 20);
    if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(limit) || limit < 1 || limit > 100) throw new Error('offset must be >= 0 and limit 1 to 100');
    const size = Math.min(limit, this.pageSize);
    const data = items.slice(offset, offset + size);
    const link = (o: number) => {
      const n = new URL(path, this.url);
      for (const [k, v] of q) n.searchParams.set(k, v);
      n.searchParams.set('offset', String(o));
      n.searchParams.set('limit', String(limit));
      return n.toString();
    };
    const paging: Record<string, string> = { first: link(0), last: link(Math.max(0, items.length - size)) };
    // A truncated answer: the last page is missing, but totalCount still counts it.
    const end = truncated ? items.length - 1 : items.length;
    if (offset + size < end) paging.next = link(offset + size);
    return { data: truncated && offset + size >= end ? data.slice(0, Math.max(0, end - offset)) : data, paging, totalCount: items.length };
  }

  private users(): Map<string, OgFixture['users'][number]> {
    return new Map(this.fixture.users.map((u) => [u.id, u]));
  }

  /** flat=true: a recipient as usernames (a team: its members; an escalation: the users of its rules of the smallest delay). */
  private flat(p: Participant): string[] {
    if (p.type === 'user') return [p.username ?? this.users().get(p.id ?? '')?.username ?? ''];
    if (p.type === 'team') return this.fixture.teams.find((t) => t.id === p.id)?.members.map((m) => m.user.username) ?? [];
    if (p.type === 'escalation') {
      const e = this.fixture.escalations.find((x) => x.id === p.id) as { rules: { delay: { timeAmount: number }; recipient: { type: string; username?: string } }[] } | undefined;
      if (!e) return [];
      const first = Math.min(...e.rules.map((r) => r.delay.timeAmount));
      return e.rules.filter((r) => r.delay.timeAmount === first && r.recipient.type === 'user').map((r) => must(r.recipient.username, 'r.recipient.username'));
    }
    return [];
  }

  private onCallAt(id: string, t: number): string[] {
    const s = must(
      this.fixture.schedules.find((x) => x.id === id),
      'this.fixture.schedules entry where x.id === id',
    );
    const set = new Set<string>();
    for (const x of scheduleAt(s, this.fixture.overrides[id] ?? [], t).values()) for (const e of this.flat(x.recipient)) set.add(e);
    return [...set].sort();
  }

  private route(path: string, q: URLSearchParams, truncated: boolean): Record<string, unknown> | undefined {
    const f = this.fixture;
    const seg = path.split('/').filter(Boolean).map(decodeURIComponent);
    const dateOf = (name: string) => {
      const v = q.get(name);
      const t = v ? Date.parse(v) : Date.now();
      if (Number.isNaN(t)) throw new Error(`${name} is not a date`);
      return t;
    };
    if (seg[0] === 'v2' && seg[1] === 'users') {
      if (seg.length === 2) return this.page(f.users, q, path, truncated);
      const id = must(seg[2], 'seg[2]');
      if (!this.users().has(id)) return undefined;
      if (seg[3] === 'contacts' && seg.length === 4) return { data: f.contacts[id] ?? [] };
      if (seg[3] === 'notification-rules') {
        const rules = f.rules[id] ?? [];
        if (seg.length === 4)
          return { data: rules.map(({ id: rid, name, actionType, order, enabled, notificationTime }) => ({ _parent: { id }, id: rid, name, actionType, order, enabled, notificationTime })) };
        const r = rules.find((x) => x.id === seg[4]);
        return r ? { data: r } : undefined;
      }
      return undefined;
    }
    if (seg[0] === 'v2' && seg[1] === 'teams') {
      if (seg.length === 2)
        return this.page(
          f.teams.map(({ id, name, description }) => ({ id, name, description })),
          q,
          path,
          truncated,
        );
      const t = f.teams.find((x) => x.id === seg[2] || x.name === seg[2]);
      if (!t) return undefined;
      if (seg.length === 3) return { data: t };
      if (seg[3] === 'routing-rules') return { data: f.routing[t.id] ?? [] };
      return undefined;
    }
    if (seg[0] === 'v2' && seg[1] === 'schedules') {
      if (seg.length === 2) {
        const expand = q.get('expand') === 'rotation';
        return this.page(
          f.schedules.map((s) => ({ id: s.id, name: s.name, description: s.description, timezone: s.timezone, enabled: s.enabled, ownerTeam: s.ownerTeam, ...(expand && { rotations: s.rotations }) })),
          q,
          path,
          truncated,
        );
      }
      const s = f.schedules.find((x) => x.id === seg[2]);
      if (!s) return undefined;
      const parent = { id: s.id, name: s.name, enabled: s.enabled };
      if (seg[3] === 'overrides') return { data: (f.overrides[s.id] ?? []).map((o) => ({ ...o, _parent: parent })) };
      if (seg[3] === 'on-calls') return { data: { _parent: parent, onCallRecipients: this.onCallAt(s.id, dateOf('date')) } };
      if (seg[3] === 'next-on-calls') {
        const from = dateOf('date');
        const now = this.onCallAt(s.id, from).join();
        for (const t of boundaries(s, f.overrides[s.id] ?? [], from, from + 400 * 86_400_000)) {
          if (t <= from) continue;
          const set = this.onCallAt(s.id, t);
          if (set.length && set.join() !== now) return { data: { _parent: parent, exactNextOnCallRecipients: set, nextOnCallRecipients: set } };
        }
        return { data: { _parent: parent, exactNextOnCallRecipients: [], nextOnCallRecipients: [] } };
      }
      if (seg[3] === 'timeline') {
        const from = dateOf('date');
        const interval = Number(q.get('interval') ?? 1);
        const unit = q.get('intervalUnit') ?? 'weeks';
        const days = unit === 'days' ? 1 : unit === 'weeks' ? 7 : unit === 'months' ? 31 : NaN;
        if (!Number.isInteger(interval) || interval < 1 || Number.isNaN(days)) throw new Error('interval must be a positive integer and intervalUnit days, weeks or months');
        const to = from + interval * days * 86_400_000;
        const rotations = timeline(s, f.overrides[s.id] ?? [], from, to).map((r) => ({
          ...r,
          periods: r.periods.map((p) => ({ startDate: new Date(p.startDate).toISOString(), endDate: new Date(p.endDate).toISOString(), type: p.type, recipient: p.recipient })),
        }));
        return { data: { _parent: parent, startDate: new Date(from).toISOString(), endDate: new Date(to).toISOString(), finalTimeline: { rotations } } };
      }
      return undefined;
    }
    if (seg[0] === 'v2' && seg[1] === 'escalations' && seg.length === 2) return this.page(f.escalations, q, path, truncated);
    if (seg[0] === 'v1' && seg[1] === 'services' && seg.length === 2) return this.page(f.services, q, path, truncated);
    if (seg[0] === 'v2' && seg[1] === 'integrations' && seg.length === 2) return this.page(f.integrations, q, path, truncated);
    if (seg[0] === 'v2' && seg[1] === 'heartbeats' && seg.length === 2) return { data: { heartbeats: f.heartbeats } };
    // List Maintenance answers id, status, description and time; the rules come only with Get Maintenance.
    if (seg[0] === 'v1' && seg[1] === 'maintenance' && seg.length === 2)
      return this.page(
        f.maintenance.map(({ rules: _rules, ...m }) => m),
        q,
        path,
        truncated,
      );
    if (seg[0] === 'v1' && seg[1] === 'maintenance' && seg.length === 3) {
      const m = f.maintenance.find((x) => x['id'] === seg[2]);
      return m ? { data: m } : undefined;
    }
    return undefined;
  }
}
