/**
 * A fake Mattermost server, written from Mattermost's documentation:
 * - REST API v4 (https://api.mattermost.com): `Authorization: Bearer <token>`; GET /api/v4/users/me;
 *   POST /api/v4/channels/direct (a JSON array of two user ids, 201 with the D channel);
 *   POST /api/v4/channels ({team_id, name, display_name, type}, 201; a taken name is 400
 *   `store.sql_channel.save_channel.exists.app_error`); POST /api/v4/posts ({channel_id, message,
 *   props}, 201 with the post). Errors are `{id, message, status_code}`.
 * - Interactive message buttons (developers.mattermost.com, "Interactive messages"): a post's
 *   `props.attachments[].actions[]` with `integration: {url, context}`. When a person presses one,
 *   the Mattermost server (not the browser) POSTs JSON to the integration URL: `{user_id,
 *   user_name, channel_id, channel_name, team_id, team_domain, post_id, trigger_id, type,
 *   data_source, context}`; the answer may carry `ephemeral_text` and `update`. The context is
 *   kept server side: clients never see it. `press()` does what the server does.
 * - Slash commands: a form POST with `token, team_id, team_domain, channel_id, channel_name,
 *   user_id, user_name, command, text, response_url, trigger_id`; the answer `{response_type, text}`.
 * - Outgoing webhooks: a POST (form or JSON) with `token, team_id, team_domain, channel_id,
 *   channel_name, timestamp, user_id, user_name, post_id, text, trigger_word, file_ids` for each
 *   post in the watched public channels; `say()` posts as a person and fires the webhook,
 *   `echo()` fires it for a post already made (a bot's own post coming back).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { closeServer, listenLocal, readBody, RecordLog, sendJson } from '../util.js';

/** A 26-character Mattermost id. */
export function mattermostId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(randomBytes(26), (b) => alphabet[b % 36]).join('');
}

export interface FakeMattermostPost {
  id: string;
  channel_id: string;
  user_id: string;
  message: string;
  props: Record<string, unknown>;
  create_at: number;
  /** The post this one comments on (a reply in its thread), or '' (API v4: `root_id`). */
  root_id: string;
}

export interface FakeMattermostChannel {
  id: string;
  team_id: string;
  name: string;
  display_name: string;
  type: 'O' | 'P' | 'D';
}

export interface FakeMattermostUser {
  id: string;
  username: string;
}

interface Answer {
  status: number;
  body: any;
}

export class FakeMattermost {
  readonly token = `mmbot${randomBytes(8).toString('hex')}`;
  readonly teamId = mattermostId();
  readonly bot: FakeMattermostUser = { id: mattermostId(), username: 'klaxon' };
  readonly posts = new RecordLog<FakeMattermostPost>('mattermost posts');
  readonly channels = new Map<string, FakeMattermostChannel>();
  readonly users = new Map<string, FakeMattermostUser>();
  /** Outgoing webhook: where and with which token posts in public channels are sent. */
  outgoing: { url: string; token: string; json: boolean } | null = null;
  private server: Server | null = null;

  constructor() {
    this.users.set(this.bot.id, this.bot);
  }

  /** A person on the server. */
  addUser(username: string): FakeMattermostUser {
    const u = { id: mattermostId(), username };
    this.users.set(u.id, u);
    return u;
  }

  /** A public channel on the team. */
  addChannel(name: string): FakeMattermostChannel {
    const c: FakeMattermostChannel = { id: mattermostId(), team_id: this.teamId, name, display_name: name, type: 'O' };
    this.channels.set(c.id, c);
    return c;
  }

  async start(): Promise<{ url: string }> {
    this.server = createServer((req, res) => {
      void readBody(req).then((raw) => {
        const a = this.handle(req.method ?? 'GET', req.url ?? '/', String(req.headers.authorization ?? ''), raw.toString('utf8'));
        sendJson(res, a.status, a.body);
      });
    });
    return { url: await listenLocal(this.server) };
  }

  async close(): Promise<void> {
    await closeServer(this.server);
  }

  private error(status: number, id: string, message: string): Answer {
    return { status, body: { id, message, detailed_error: '', request_id: mattermostId(), status_code: status } };
  }

  private handle(method: string, url: string, auth: string, raw: string): Answer {
    if (auth !== `Bearer ${this.token}`) return this.error(401, 'api.context.session_expired.app_error', 'Invalid or expired session, please login again.');
    let body: any;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      return this.error(400, 'api.context.invalid_body_param.app_error', 'Invalid or missing body in request body.');
    }
    const path = url.split('?')[0];
    if (method === 'GET' && path === '/api/v4/users/me') return { status: 200, body: { ...this.bot, is_bot: true } };
    if (method === 'POST' && path === '/api/v4/channels/direct') {
      if (!Array.isArray(body) || body.length !== 2 || !body.every((id) => this.users.has(id)))
        return this.error(400, 'api.context.invalid_body_param.app_error', 'Invalid or missing user_ids in request body.');
      const [a, b] = [...body].sort();
      const name = `${a}__${b}`;
      const existing = [...this.channels.values()].find((c) => c.name === name);
      if (existing) return { status: 201, body: existing };
      const c: FakeMattermostChannel = { id: mattermostId(), team_id: '', name, display_name: '', type: 'D' };
      this.channels.set(c.id, c);
      return { status: 201, body: c };
    }
    if (method === 'POST' && path === '/api/v4/channels') {
      if (body?.team_id !== this.teamId) return this.error(403, 'api.context.permissions.app_error', 'You do not have the appropriate permissions.');
      if (typeof body.name !== 'string' || !/^[a-z0-9_-]{2,64}$/.test(body.name))
        return this.error(400, 'model.channel.is_valid.2_or_more.app_error', 'Name must be 2 or more lowercase alphanumeric characters.');
      if ([...this.channels.values()].some((c) => c.name === body.name && c.team_id === this.teamId))
        return this.error(400, 'store.sql_channel.save_channel.exists.app_error', 'A channel with that name already exists on the same team.');
      const c: FakeMattermostChannel = { id: mattermostId(), team_id: this.teamId, name: body.name, display_name: String(body.display_name ?? ''), type: body.type === 'P' ? 'P' : 'O' };
      this.channels.set(c.id, c);
      return { status: 201, body: c };
    }
    if (method === 'POST' && path === '/api/v4/posts') {
      if (!body || typeof body.channel_id !== 'string' || !this.channels.has(body.channel_id))
        return this.error(403, 'api.context.permissions.app_error', 'You do not have the appropriate permissions.');
      const post: FakeMattermostPost = {
        id: mattermostId(),
        channel_id: body.channel_id,
        user_id: this.bot.id,
        message: String(body.message ?? ''),
        props: body.props ?? {},
        create_at: Date.now(),
        root_id: typeof body.root_id === 'string' ? body.root_id : '',
      };
      if (post.root_id && !this.posts.items.some((p) => p.id === post.root_id)) return this.error(400, 'api.post.create_post.root_id.app_error', 'Invalid RootId parameter.');
      this.posts.push(post);
      return { status: 201, body: post };
    }
    return this.error(404, 'api.context.404.app_error', 'Sorry, we could not find the page.');
  }

  waitForPost(predicate: (p: FakeMattermostPost) => boolean = () => true): Promise<FakeMattermostPost> {
    return this.posts.waitFor(predicate);
  }

  /** The buttons of a post: id, name and integration. */
  buttons(post: FakeMattermostPost): { id: string; name: string; integration: { url: string; context: Record<string, unknown> } }[] {
    const attachments = (post.props.attachments ?? []) as { actions?: any[] }[];
    return attachments.flatMap((a) => a.actions ?? []);
  }

  /** What the Mattermost server does when `user` presses a button: POST the integration request. */
  async press(post: FakeMattermostPost, buttonId: string, user: FakeMattermostUser, o: { context?: Record<string, unknown> } = {}): Promise<Answer> {
    const button = this.buttons(post).find((b) => b.id === buttonId);
    if (!button) throw new Error(`no button ${buttonId} on post ${post.id}`);
    const channel = this.channels.get(post.channel_id);
    return this.postJson(button.integration.url, {
      user_id: user.id,
      user_name: user.username,
      channel_id: post.channel_id,
      channel_name: channel?.name ?? '',
      team_id: this.teamId,
      team_domain: 'klaxon-test',
      post_id: post.id,
      trigger_id: mattermostId(),
      type: '',
      data_source: '',
      context: o.context ?? button.integration.context,
    });
  }

  /** A slash command typed by `user` in `channelId`, sent to `url` with `token`. */
  async slash(url: string, token: string, user: FakeMattermostUser, channelId: string, text: string): Promise<Answer> {
    const form = new URLSearchParams({
      channel_id: channelId,
      channel_name: this.channels.get(channelId)?.name ?? '',
      command: '/klaxon',
      response_url: `http://127.0.0.1/hooks/commands/${mattermostId()}`,
      team_domain: 'klaxon-test',
      team_id: this.teamId,
      text,
      token,
      trigger_id: mattermostId(),
      user_id: user.id,
      user_name: user.username,
    });
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() });
    return { status: res.status, body: await res.json().catch(() => null) };
  }

  /** `user` posts in a channel: the post is made and the outgoing webhook fires for it. */
  async say(user: FakeMattermostUser, channelId: string, message: string): Promise<{ post: FakeMattermostPost; answer: Answer | null }> {
    const post: FakeMattermostPost = { id: mattermostId(), channel_id: channelId, user_id: user.id, message, props: {}, create_at: Date.now(), root_id: '' };
    this.posts.push(post);
    return { post, answer: await this.echo(post) };
  }

  /** Fires the outgoing webhook for a post (again, as a retry would; or a bot's post coming back). */
  async echo(post: FakeMattermostPost, token = this.outgoing?.token ?? ''): Promise<Answer | null> {
    const channel = this.channels.get(post.channel_id);
    if (!this.outgoing || channel?.type !== 'O') return null;
    const user = this.users.get(post.user_id);
    const fields = {
      channel_id: post.channel_id,
      channel_name: channel.name,
      team_domain: 'klaxon-test',
      team_id: this.teamId,
      post_id: post.id,
      text: post.message,
      timestamp: String(Math.floor(post.create_at / 1000)),
      token,
      trigger_word: '',
      user_id: post.user_id,
      user_name: user?.username ?? '',
      file_ids: '',
    };
    if (this.outgoing.json) return this.postJson(this.outgoing.url, fields);
    const res = await fetch(this.outgoing.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
    return { status: res.status, body: await res.json().catch(() => null) };
  }

  private async postJson(url: string, body: unknown): Promise<Answer> {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: await res.json().catch(() => null) };
  }
}
