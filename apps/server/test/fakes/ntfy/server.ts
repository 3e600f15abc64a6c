/**
 * A local fake ntfy server (https://docs.ntfy.sh/publish/), on http://127.0.0.1:<random port>. It
 * speaks the documented JSON publish protocol:
 *   POST /  with a JSON body `{topic, message, title, priority, tags, click, actions, ...}`;
 *           `topic` is required and must match ntfy's topic names; `priority` 1..5; at most three
 *           `actions`, each `view` (label, url), `http` (label, url, method default POST, headers,
 *           body) or `broadcast`; answers 200 with the message
 *           `{id, time, expires, event: "message", topic, title, message, priority, tags, click, actions}`.
 *   Access control: a topic made protected with `protect(topic, token)` needs
 *           `Authorization: Bearer <token>` (or Basic with an empty user and the token as password):
 *           missing or wrong is 403 `{code: 40301, http: 403, error: "forbidden"}`.
 *   Errors: `{code, http, error, link}`, e.g. 400 `{code: 40024, error: "invalid request: ..."}`.
 * `failNext(status)` makes the next publish fail with that status. `press(message, label)` does what
 * the ntfy app does when a person taps an action button: for an `http` action it sends the request
 * (method, headers, body) to the action's URL and returns the answer.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeServer, listenLocal, readBody, RecordLog, sendJson } from '../util.js';
import { must } from '../../../src/lib/must.js';

/** An action button as the fake stored it (defaults filled in as ntfy does). */
export interface NtfyActionRecord {
  action: 'view' | 'http' | 'broadcast';
  label: string;
  url?: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  clear?: boolean;
}

/** One published message. */
export interface NtfyMessageRecord {
  id: string;
  time: number;
  event: 'message';
  topic: string;
  title?: string;
  message: string;
  priority: number;
  tags?: string[];
  click?: string;
  actions?: NtfyActionRecord[];
  /** The Authorization header the publisher sent (null when none). */
  authorization: string | null;
}

const TOPIC = /^[-_A-Za-z0-9]{1,64}$/;

/** The fake ntfy server. */
export class FakeNtfy {
  /** Messages published, in order. */
  readonly messages = new RecordLog<NtfyMessageRecord>('ntfy messages');
  /** Publishes refused, with the status and error. */
  readonly refused = new RecordLog<{ status: number; error: string; topic: string | null }>('ntfy refused');
  private server: Server | null = null;
  private readonly tokens = new Map<string, string>();
  private fail: number[] = [];
  private seq = 0;
  url = '';

  /** Starts listening; resolves with the base URL. */
  async start(): Promise<{ url: string }> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.url = await listenLocal(this.server);
    return { url: this.url };
  }

  /** Stops the server. */
  close(): Promise<void> {
    return closeServer(this.server);
  }

  /** Makes `topic` writable only with `token` (ntfy's access control with an access token). */
  protect(topic: string, token: string): void {
    this.tokens.set(topic, token);
  }

  /** The next publishes answer these statuses, one each. */
  failNext(...statuses: number[]): void {
    this.fail.push(...statuses);
  }

  /** Taps the action labelled `label` of a message, as the app does; returns the HTTP status the target answered. */
  async press(m: NtfyMessageRecord, label: string): Promise<{ status: number; text: string }> {
    const a = m.actions?.find((x) => x.label === label);
    if (!a) throw new Error(`ntfy message ${m.id} has no action "${label}" (has ${(m.actions ?? []).map((x) => x.label).join(', ')})`);
    if (a.action !== 'http') throw new Error(`action "${label}" is a ${a.action} action, not http`);
    const res = await fetch(must(a.url, 'a.url'), { method: a.method ?? 'POST', headers: a.headers ?? {}, ...(a.body !== undefined && a.body !== '' && { body: a.body }) });
    return { status: res.status, text: await res.text() };
  }

  private error(res: ServerResponse, status: number, code: number, error: string, topic: string | null): void {
    this.refused.push({ status, error, topic });
    sendJson(res, status, { code, http: status, error, link: 'https://ntfy.sh/docs/publish/' });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = (await readBody(req)).toString('utf8');
    if (req.method !== 'POST' && req.method !== 'PUT') return this.error(res, 405, 40500, 'method not allowed', null);
    if (req.url !== '/' && req.url !== '') return this.error(res, 404, 40401, 'this fake takes JSON publishes at the root URL only', null);
    let body: Record<string, unknown>;
    try {
      const v = JSON.parse(raw) as unknown;
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
      body = v as Record<string, unknown>;
    } catch {
      return this.error(res, 400, 40024, 'invalid request: request body must be message JSON', null);
    }
    const topic = typeof body.topic === 'string' ? body.topic : null;
    if (!topic || !TOPIC.test(topic)) return this.error(res, 400, 40009, 'invalid request: topic invalid', topic);
    const need = this.tokens.get(topic);
    const auth = typeof req.headers.authorization === 'string' ? req.headers.authorization : null;
    if (need) {
      const basic = auth?.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString('utf8') : null;
      if (auth !== `Bearer ${need}` && basic !== `:${need}`) return this.error(res, 403, 40301, 'forbidden', topic);
    }
    const failing = this.fail.shift();
    if (failing) return this.error(res, failing, failing * 100 + 1, 'failure injected by the test', topic);
    const priority = body.priority === undefined ? 3 : body.priority;
    if (typeof priority !== 'number' || !Number.isInteger(priority) || priority < 1 || priority > 5) return this.error(res, 400, 40007, 'invalid request: priority invalid', topic);
    for (const f of ['title', 'message', 'click'] as const)
      if (body[f] !== undefined && typeof body[f] !== 'string') return this.error(res, 400, 40024, `invalid request: ${f} must be a string`, topic);
    if (body.tags !== undefined && (!Array.isArray(body.tags) || body.tags.some((t) => typeof t !== 'string'))) return this.error(res, 400, 40024, 'invalid request: tags must be strings', topic);
    let actions: NtfyActionRecord[] | undefined;
    if (body.actions !== undefined) {
      if (!Array.isArray(body.actions) || body.actions.length > 3) return this.error(res, 400, 40018, 'invalid request: actions invalid: at most 3 actions', topic);
      actions = [];
      for (const x of body.actions as Record<string, unknown>[]) {
        const kind = x?.action;
        if ((kind !== 'view' && kind !== 'http' && kind !== 'broadcast') || typeof x.label !== 'string' || !x.label)
          return this.error(res, 400, 40018, 'invalid request: actions invalid: action and label required', topic);
        if (kind !== 'broadcast' && (typeof x.url !== 'string' || !/^https?:\/\//.test(x.url)))
          return this.error(res, 400, 40018, `invalid request: actions invalid: ${kind} action requires an http(s) url`, topic);
        actions.push({
          action: kind,
          label: x.label,
          ...(typeof x.url === 'string' && { url: x.url }),
          ...(kind === 'http' && { method: typeof x.method === 'string' && x.method ? x.method : 'POST' }),
          ...(x.headers !== undefined && { headers: x.headers as Record<string, string> }),
          ...(typeof x.body === 'string' && { body: x.body }),
          clear: x.clear === true,
        });
      }
    }
    const m: NtfyMessageRecord = {
      id: `ntfy${(++this.seq).toString(36).padStart(8, '0')}`,
      time: Math.floor(Date.now() / 1000),
      event: 'message',
      topic,
      ...(typeof body.title === 'string' && { title: body.title }),
      message: typeof body.message === 'string' && body.message ? body.message : 'triggered',
      priority,
      ...(body.tags !== undefined && { tags: body.tags as string[] }),
      ...(typeof body.click === 'string' && { click: body.click }),
      ...(actions && { actions }),
      authorization: auth,
    };
    this.messages.push(m);
    const { authorization: _a, ...answer } = m;
    sendJson(res, 200, { ...answer, expires: m.time + 12 * 3600 });
  }
}
