/**
 * ntfy: the contact address and the JSON publish body (https://docs.ntfy.sh/publish/, "Publish as
 * JSON": POST to the server's root URL with `{topic, message, title, priority, tags, click, actions}`).
 * Pure functions, so they are property-tested.
 *
 * A page at high urgency (and one whose urgency is unknown) is published at priority 5 ("max": a long
 * vibration and a pop-over; the Android app can be set to ring through Do Not Disturb for it); a
 * low-urgency page at priority 3 (the default). Its title names the incident, its message the service
 * and severity, a tap opens the incident in the web app (`click`), and Acknowledge / Resolve are
 * `http` actions that POST to Klaxon's signed links (the same links e-mail carries), so a person acts
 * from the lock screen without signing in.
 */
import { alertsPhrase, availableActions, excerpt, oneLine, safeUrl, severityLabel, truncate } from '../../render/common.js';
import { bundleHeadline, bundleLines } from '../../render/bundle.js';
import { renderSms } from '../../render/sms.js';
import type { Message, PageBundle, PageMessage } from '../../types.js';

/** An ntfy contact: the server (null: KLAXON_NTFY_BASE_URL), the topic, and an access token for a protected topic. */
export interface NtfyAddress {
  server: string | null;
  topic: string;
  token: string | null;
}

/** ntfy's topic names: letters, digits, `_` and `-`, 1 to 64 characters. */
export const NTFY_TOPIC = /^[A-Za-z0-9_-]{1,64}$/;

function httpUrl(s: string): string | null {
  try {
    const u = new URL(s);
    if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.username || u.password || u.search || u.hash) return null;
    return u.origin + u.pathname.replace(/\/+$/, '');
  } catch {
    return null;
  }
}

/**
 * Reads an ntfy contact address: either the topic's URL (`https://ntfy.example.com/alerts-maya`) or
 * JSON `{"server": "https://ntfy.example.com", "topic": "alerts-maya", "token": "tk_..."}` (server and
 * token optional). Returns the address, or a sentence saying what is wrong.
 */
export function parseNtfyAddress(address: string): NtfyAddress | { error: string } {
  const a = address.trim();
  if (a.startsWith('{')) {
    let v: unknown;
    try {
      v = JSON.parse(a);
    } catch {
      return { error: 'must be the topic URL or JSON {"server", "topic", "token"}: the JSON does not parse' };
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return { error: 'must be a JSON object {"server", "topic", "token"}' };
    const o = v as Record<string, unknown>;
    const extra = Object.keys(o).find((k) => k !== 'server' && k !== 'topic' && k !== 'token');
    if (extra) return { error: `has an unknown field "${extra}" (allowed: server, topic, token)` };
    if (typeof o.topic !== 'string' || !NTFY_TOPIC.test(o.topic)) return { error: 'topic: must be 1 to 64 letters, digits, "_" or "-"' };
    let server: string | null = null;
    if (o.server !== undefined && o.server !== null && o.server !== '') {
      server = typeof o.server === 'string' ? httpUrl(o.server) : null;
      if (!server) return { error: 'server: must be an http(s) URL without credentials, query or fragment' };
    }
    let token: string | null = null;
    if (o.token !== undefined && o.token !== null && o.token !== '') {
      if (typeof o.token !== 'string' || !/^[\x21-\x7e]{1,200}$/.test(o.token)) return { error: 'token: must be an ntfy access token (tk_...) of printable characters' };
      token = o.token;
    }
    return { server, topic: o.topic, token };
  }
  const url = httpUrl(a);
  if (!url) return { error: 'must be the topic URL (https://ntfy.sh/your-topic) or JSON {"server", "topic", "token"}' };
  const slash = url.lastIndexOf('/');
  const topic = url.slice(slash + 1);
  const server = url.slice(0, slash).replace(/\/+$/, '');
  if (!NTFY_TOPIC.test(topic) || !/^https?:\/\/[^/]+/.test(server)) return { error: 'must end in the topic: 1 to 64 letters, digits, "_" or "-" (https://ntfy.sh/your-topic)' };
  return { server, topic, token: null };
}

/** The stored form of an address: canonical JSON, so equal contacts compare equal. */
export function formatNtfyAddress(a: NtfyAddress): string {
  return JSON.stringify({ ...(a.server && { server: a.server }), topic: a.topic, ...(a.token && { token: a.token }) });
}

/** One ntfy action button (https://docs.ntfy.sh/publish/#action-buttons). */
export type NtfyAction = { action: 'view'; label: string; url: string; clear?: boolean } | { action: 'http'; label: string; url: string; method: 'POST'; clear: boolean };

/** The JSON publish body. */
export interface NtfyPublish {
  topic: string;
  title: string;
  message: string;
  /** 1 (min) to 5 (max). */
  priority: 1 | 2 | 3 | 4 | 5;
  tags: string[];
  click?: string;
  actions?: NtfyAction[];
}

/** ntfy keeps messages up to 4,096 bytes; we stay well under it. */
export const NTFY_MAX_MESSAGE = 1000;

/** Renders a message as ntfy's JSON publish body for `topic` (pure). */
export function renderNtfy(msg: Message, topic: string): NtfyPublish {
  if (msg.kind === 'page' && msg.bundle) return renderNtfyBundle({ ...msg, bundle: msg.bundle }, topic);
  if (msg.kind === 'page') {
    const high = msg.urgency !== 'low';
    const drill = msg.drill ? 'DRILL ' : '';
    const details = excerpt(msg.details, 4, 400);
    const lines = [
      `${oneLine(msg.serviceName) || 'unknown service'} · ${severityLabel(msg.severity)} · ${alertsPhrase(msg.alertCount)}`,
      ...(details ? [details] : []),
      ...(msg.bridgeUrl ? [`Bridge: ${msg.bridgeUrl}`] : []),
    ];
    const can = availableActions(msg.status);
    const actions: NtfyAction[] = [];
    const ack = safeUrl(msg.ackUrl);
    const resolve = safeUrl(msg.resolveUrl);
    const open = safeUrl(msg.incidentUrl);
    if (can.ack && ack) actions.push({ action: 'http', label: 'Acknowledge', url: ack, method: 'POST', clear: true });
    if (can.resolve && resolve) actions.push({ action: 'http', label: 'Resolve', url: resolve, method: 'POST', clear: true });
    if (open) actions.push({ action: 'view', label: 'Open', url: open });
    return {
      topic,
      title: truncate(`${drill}#${msg.incidentNumber} ${oneLine(msg.title) || 'untitled'}`, 200),
      message: truncate(lines.join('\n'), NTFY_MAX_MESSAGE),
      priority: high ? 5 : 3,
      tags: [high ? 'rotating_light' : 'warning', ...(msg.drill ? ['drill'] : [])],
      ...(open && { click: open }),
      ...(actions.length && { actions }),
    };
  }
  const title = msg.kind === 'verification' ? 'Klaxon verification code' : msg.kind === 'test' ? 'Klaxon test page' : 'Klaxon';
  const text = msg.kind === 'test' ? `Klaxon test for ${oneLine(msg.userName)}: ntfy notifications reach you.` : renderSms(msg);
  // Never the account message's link: it carries a one-time secret and goes by e-mail only.
  const url = msg.kind === 'schedule' || msg.kind === 'report' || msg.kind === 'status_update' ? safeUrl(msg.url) : null;
  return { topic, title, message: truncate(text, NTFY_MAX_MESSAGE), priority: msg.kind === 'verification' || msg.kind === 'test' ? 4 : 3, tags: [], ...(url && { click: url }) };
}

/**
 * A bundle (docs/paging.md, "Storms"): one message listing the incidents (as many as fit in
 * {@link NTFY_MAX_MESSAGE} characters, then "+N more"), at priority 5 if any of them is high urgency,
 * with one `http` action "Acknowledge all N" on the bundle's signed link, which acknowledges every one.
 */
export function renderNtfyBundle(msg: PageMessage & { bundle: PageBundle }, topic: string): NtfyPublish {
  const b = msg.bundle;
  const high = b.items.some((it) => it.urgency !== 'low') || msg.urgency !== 'low';
  const ack = safeUrl(msg.ackUrl);
  const actions: NtfyAction[] = [];
  if (ack) actions.push({ action: 'http', label: `Acknowledge all ${b.items.length}`, url: ack, method: 'POST', clear: true });
  const open = safeUrl(msg.incidentUrl.replace(/\/incidents\/\d+$/, '/incidents'));
  if (open) actions.push({ action: 'view', label: 'Open incidents', url: open });
  return {
    topic,
    title: truncate(bundleHeadline(b.items), 200),
    message: bundleLines(b, NTFY_MAX_MESSAGE, '', ''),
    priority: high ? 5 : 3,
    tags: [high ? 'rotating_light' : 'warning', ...(b.items.every((i) => i.drill) ? ['drill'] : [])],
    ...(open && { click: open }),
    actions,
  };
}
