/**
 * A fake Matrix homeserver, written from the Matrix client-server API specification (v3):
 * `Authorization: Bearer <access token>`; GET /account/whoami; POST /createRoom (`name`, `topic`,
 * `preset`, `invite`, `is_direct`; `{room_id}`); PUT /rooms/{roomId}/send/{eventType}/{txnId}
 * (`{event_id}`; the same transaction id again returns the same event, the spec's idempotency);
 * POST /join/{roomId}; GET /rooms/{roomId}/event/{eventId}; GET /sync (`since`, `timeout`,
 * `filter`): `next_batch`, `rooms.join[roomId].timeline.events` (events after `since`; with no
 * `since`, the rooms' recent events) and `rooms.invite`. Events carry `event_id`, `sender`, `type`,
 * `origin_server_ts`, `content`; reactions are `m.reaction` with `m.relates_to` `{rel_type:
 * m.annotation, event_id, key}`. Errors are `{errcode, error}` (M_UNKNOWN_TOKEN 401, M_FORBIDDEN 403,
 * M_NOT_FOUND 404). `origin_server_ts` comes from the given clock (the test's).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { closeServer, listenLocal, readBody, RecordLog, sendJson } from '../util.js';
import { must } from '../../../src/lib/must.js';

export interface FakeMatrixEvent {
  event_id: string;
  room_id: string;
  sender: string;
  type: string;
  origin_server_ts: number;
  content: Record<string, any>;
  pos: number;
}

export interface FakeMatrixRoom {
  room_id: string;
  name: string;
  topic: string;
  is_direct: boolean;
  joined: Set<string>;
  invited: Set<string>;
}

interface Answer {
  status: number;
  body: any;
}

export class FakeMatrix {
  readonly server_name = 'test.local';
  readonly token = `syt_${randomBytes(12).toString('hex')}`;
  readonly bot = '@klaxon:test.local';
  readonly events = new RecordLog<FakeMatrixEvent>('matrix events');
  readonly rooms = new Map<string, FakeMatrixRoom>();
  private readonly txns = new Map<string, string>();
  private pos = 0;
  private server: Server | null = null;

  constructor(private readonly now: () => number = Date.now) {}

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

  private err(status: number, errcode: string, error: string): Answer {
    return { status, body: { errcode, error } };
  }

  /** A room made by a person, e.g. one the bot is then invited to. */
  createRoomAs(creator: string, o: { name?: string; invite?: string[]; is_direct?: boolean } = {}): FakeMatrixRoom {
    const room: FakeMatrixRoom = {
      room_id: `!${randomBytes(9).toString('base64url')}:${this.server_name}`,
      name: o.name ?? '',
      topic: '',
      is_direct: o.is_direct ?? false,
      joined: new Set([creator]),
      invited: new Set(o.invite ?? []),
    };
    this.rooms.set(room.room_id, room);
    this.append(room.room_id, creator, 'm.room.create', { creator });
    return room;
  }

  /** `sender` joins a room they were invited to (a person accepting Klaxon's invitation). */
  join(sender: string, roomId: string): void {
    const room = must(this.rooms.get(roomId), `room ${roomId}`);
    room.invited.delete(sender);
    room.joined.add(sender);
    this.append(roomId, sender, 'm.room.member', { membership: 'join' }, sender);
  }

  private append(roomId: string, sender: string, type: string, content: Record<string, any>, stateKey?: string): FakeMatrixEvent {
    const e: FakeMatrixEvent = { event_id: `$${randomBytes(12).toString('base64url')}`, room_id: roomId, sender, type, origin_server_ts: this.now(), content, pos: ++this.pos };
    if (stateKey !== undefined) (e as any).state_key = stateKey;
    this.events.push(e);
    return e;
  }

  /** `sender` sends a text message in a room they joined. */
  say(sender: string, roomId: string, body: string): FakeMatrixEvent {
    if (!this.rooms.get(roomId)?.joined.has(sender)) throw new Error(`${sender} is not in ${roomId}`);
    return this.append(roomId, sender, 'm.room.message', { msgtype: 'm.text', body });
  }

  /** `sender` reacts to an event. */
  react(sender: string, roomId: string, eventId: string, key: string): FakeMatrixEvent {
    return this.append(roomId, sender, 'm.reaction', { 'm.relates_to': { rel_type: 'm.annotation', event_id: eventId, key } });
  }

  waitForEvent(predicate: (e: FakeMatrixEvent) => boolean): Promise<FakeMatrixEvent> {
    return this.events.waitFor(predicate);
  }

  private handle(method: string, url: string, auth: string, raw: string): Answer {
    if (auth !== `Bearer ${this.token}`) return this.err(401, 'M_UNKNOWN_TOKEN', 'Invalid access token passed.');
    let body: any;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      return this.err(400, 'M_NOT_JSON', 'Content not JSON.');
    }
    const u = new URL(url, 'http://matrix.test');
    const path = decodeURIComponent(u.pathname).replace(/^\/_matrix\/client\/v3/, '');
    if (method === 'GET' && path === '/account/whoami') return { status: 200, body: { user_id: this.bot } };
    if (method === 'POST' && path === '/createRoom') {
      const room = this.createRoomAs(this.bot, { name: body?.name, invite: body?.invite, is_direct: body?.is_direct });
      room.topic = String(body?.topic ?? '');
      return { status: 200, body: { room_id: room.room_id } };
    }
    let m = /^\/join\/(.+)$/.exec(path);
    if (method === 'POST' && m) {
      const room = this.rooms.get(must(m[1], 'm[1]'));
      if (!room || !room.invited.has(this.bot)) return this.err(403, 'M_FORBIDDEN', 'You are not invited to this room.');
      this.join(this.bot, room.room_id);
      return { status: 200, body: { room_id: room.room_id } };
    }
    m = /^\/rooms\/([^/]+)\/send\/([^/]+)\/([^/]+)$/.exec(path);
    if (method === 'PUT' && m) {
      const room = this.rooms.get(must(m[1], 'm[1]'));
      if (!room?.joined.has(this.bot)) return this.err(403, 'M_FORBIDDEN', 'User not in room.');
      const key = `${this.token}/${m[3]}`;
      const seen = this.txns.get(key);
      if (seen) return { status: 200, body: { event_id: seen } };
      const e = this.append(room.room_id, this.bot, must(m[2], 'm[2]'), body ?? {});
      this.txns.set(key, e.event_id);
      return { status: 200, body: { event_id: e.event_id } };
    }
    m = /^\/rooms\/([^/]+)\/event\/([^/]+)$/.exec(path);
    if (method === 'GET' && m) {
      const [, roomId, eventId] = m;
      const e = this.events.items.find((x) => x.room_id === roomId && x.event_id === eventId);
      if (!e || !this.rooms.get(e.room_id)?.joined.has(this.bot)) return this.err(404, 'M_NOT_FOUND', 'Event not found.');
      return { status: 200, body: this.wire(e) };
    }
    if (method === 'GET' && path === '/sync') {
      const since = Number(u.searchParams.get('since') ?? '0');
      const join: Record<string, { timeline: { events: unknown[]; limited: boolean } }> = {};
      const invite: Record<string, unknown> = {};
      for (const room of this.rooms.values()) {
        if (room.joined.has(this.bot)) {
          const events = this.events.items.filter((e) => e.room_id === room.room_id && e.pos > since).map((e) => this.wire(e));
          if (events.length) join[room.room_id] = { timeline: { events: events.slice(-100), limited: events.length > 100 } };
        } else if (room.invited.has(this.bot)) invite[room.room_id] = { invite_state: { events: [] } };
      }
      return { status: 200, body: { next_batch: String(this.pos), rooms: { join, invite, leave: {} } } };
    }
    return this.err(404, 'M_UNRECOGNIZED', 'Unrecognized request');
  }

  private wire(e: FakeMatrixEvent): Record<string, unknown> {
    const { pos: _pos, ...rest } = e;
    return rest;
  }
}
