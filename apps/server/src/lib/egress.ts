/**
 * The egress policy: the one gate for every HTTP request the server makes on a user's behalf
 * (war-room actions, outgoing webhooks, webhook contact methods and subscriptions, Web Push
 * endpoints). Provider base URLs the operator set in the environment (Twilio, Slack) are not user
 * input and do not go through it.
 *
 *   - only http: and https:;
 *   - loopback, link-local (169.254.0.0/16, fe80::/10), private (RFC 1918, fc00::/7), carrier-grade
 *     NAT (100.64.0.0/10, where some clouds keep their metadata service), multicast, unspecified,
 *     reserved and IPv6 forms that embed an IPv4 address are refused: only public unicast addresses
 *     pass (classification by ipaddr.js);
 *   - checked twice: when the URL is stored ({@link checkEgressUrl}, a 400 that says why) and on
 *     every connection ({@link egressAgent}: the address each connection actually goes to, after DNS
 *     resolution, so a name that resolves to 127.0.0.1 at send time (DNS rebinding) is refused too);
 *   - redirects are never followed (undici's `request` does not follow them);
 *   - KLAXON_EGRESS_ALLOW (CIDRs and host names, comma-separated) lets an admin open internal
 *     targets a team really means, e.g. `10.20.0.0/16,hooks.corp.example,*.svc.corp.example`.
 *
 * Numeric host forms (`http://2130706433/`, `http://0x7f.1/`, `http://[::ffff:127.0.0.1]/`) are
 * normalised by the WHATWG URL parser before the check, so they are refused like `127.0.0.1`.
 *
 * Use (the policy is `ctx.egress`, or `defaultEgress()` where no context is at hand):
 *   - validate input when it is stored: `requireEgressUrl(policy, url, 'field')` (throws the 400);
 *   - send: `policy.request(url, {method, headers, body})` (undici's request, checked), or the
 *     providers' `httpRequest(..., { egress: policy })`.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { Agent, buildConnector, request, type Dispatcher } from 'undici';
import { invalid } from './errors.js';
import { must } from './must.js';

type Addr = ipaddr.IPv4 | ipaddr.IPv6;

/** A resolver with the signature of node:dns `lookup` when called with `{ all: true }`. */
export type Resolver = (hostname: string, options: LookupOptions & { all: true }, callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

/** Options of an {@link EgressPolicy}. */
export interface EgressOptions {
  connectTimeoutMs?: number;
  /** The resolver (default node:dns lookup, the system's): tests give one that answers what a rebinding DNS server would. */
  resolver?: Resolver;
}

/** What KLAXON_EGRESS_ALLOW opens: address ranges and host names (exact, or `*.suffix`). */
export interface EgressAllow {
  cidrs: [Addr, number][];
  hosts: string[];
}

/** The egress policy of one server: its allow-list and the agent that enforces it on every connection. */
export class EgressPolicy {
  /** The undici dispatcher that checks every resolved address before connecting. */
  readonly dispatcher: Dispatcher;

  /** A policy with this allow-list (default: nothing internal allowed). */
  /** The resolver connections use; also asked when a URL is stored. */
  readonly resolver: Resolver;

  constructor(
    readonly allow: EgressAllow = { cidrs: [], hosts: [] },
    opts: EgressOptions = {},
  ) {
    this.resolver = opts.resolver ?? ((h, o, cb) => dnsLookup(h, o, cb));
    this.dispatcher = egressAgent(this, { ...opts, resolver: this.resolver });
  }

  /** A policy from the raw KLAXON_EGRESS_ALLOW value. */
  static fromEnv(raw: string | undefined): EgressPolicy {
    return new EgressPolicy(parseEgressAllow(raw ?? ''));
  }

  /** True when the host name is on the allow-list. */
  hostAllowed(host: string): boolean {
    const h = host.toLowerCase().replace(/\.$/, '');
    return this.allow.hosts.some((a) => (a.startsWith('*.') ? h.endsWith(a.slice(1)) && h.length > a.length - 1 : h === a));
  }

  /** Why a connection to this IP address is refused, or null when it may go. */
  addressRefusal(address: string): string | null {
    let addr: Addr;
    try {
      addr = ipaddr.parse(address.replace(/^\[|\]$/g, ''));
    } catch {
      return `"${address}" is not an IP address`;
    }
    // ::ffff:a.b.c.d is the IPv4 address a.b.c.d.
    if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()) addr = (addr as ipaddr.IPv6).toIPv4Address();
    for (const [net, bits] of this.allow.cidrs) {
      if (net.kind() === addr.kind() && addr.match(net as never, bits)) return null;
    }
    const range = addr.range();
    if (range === 'unicast') return null;
    return `${addr.toString()} is a ${RANGE_NAMES[range] ?? `${range} address`}, refused (add it to KLAXON_EGRESS_ALLOW if it is meant)`;
  }

  /**
   * Sends one request on a user's behalf: the URL is checked ({@link checkEgressUrl}; an
   * {@link EgressRefused} is thrown when it may not go) and the connection goes through the
   * policy's agent. Redirects are not followed: a 3xx comes back as it is.
   */
  async request(url: string, opts: Omit<Dispatcher.RequestOptions, 'origin' | 'path' | 'method'> & { method: Dispatcher.HttpMethod }): Promise<Dispatcher.ResponseData> {
    const r = checkEgressUrl(this, url);
    if (!r.ok) throw new EgressRefused(`egress refused: the URL ${r.reason}`);
    return request(r.url, { ...opts, dispatcher: this.dispatcher });
  }

  /** Closes the agent's keep-alive connections. */
  async close(): Promise<void> {
    await this.dispatcher.close();
  }
}

const RANGE_NAMES: Record<string, string> = {
  loopback: 'loopback address',
  linkLocal: 'link-local address (cloud metadata services live there)',
  private: 'private address',
  uniqueLocal: 'private (unique local) address',
  carrierGradeNat: 'shared (carrier-grade NAT) address, used by some cloud metadata services',
  unspecified: 'unspecified address',
  broadcast: 'broadcast address',
  multicast: 'multicast address',
  reserved: 'reserved address',
};

/** Parses KLAXON_EGRESS_ALLOW: comma- or space-separated CIDRs, IP addresses and host names. Throws with the bad entry. */
export function parseEgressAllow(raw: string): EgressAllow {
  const out: EgressAllow = { cidrs: [], hosts: [] };
  for (const entry of raw.split(/[\s,]+/).filter(Boolean)) {
    if (entry.includes('/')) {
      try {
        out.cidrs.push(ipaddr.parseCIDR(entry));
      } catch {
        throw new Error(`KLAXON_EGRESS_ALLOW: "${entry}" is not a CIDR range (e.g. 10.0.0.0/8 or fd00::/8)`);
      }
    } else if (isIP(entry.replace(/^\[|\]$/g, ''))) {
      const a = ipaddr.parse(entry.replace(/^\[|\]$/g, ''));
      out.cidrs.push([a, a.kind() === 'ipv4' ? 32 : 128]);
    } else if (/^(\*\.)?([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?\.)*[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/i.test(entry)) {
      out.hosts.push(entry.toLowerCase());
    } else {
      throw new Error(`KLAXON_EGRESS_ALLOW: "${entry}" is neither a CIDR range, an IP address nor a host name`);
    }
  }
  return out;
}

/** Host names that always mean this machine or a cloud metadata service, whatever DNS says. */
const LOCAL_NAMES = /^(localhost|localhost\.localdomain|metadata|metadata\.google\.internal|instance-data(\.ec2\.internal)?)$|\.localhost$/i;

/**
 * Checks a URL a user gave for an outgoing request: parses it, allows only http(s), refuses
 * credentials in it, IP literals in a refused range (every numeric form: the URL parser normalises
 * them) and names of this machine. A host name's DNS answer is checked again on every connection.
 */
export function checkEgressUrl(policy: EgressPolicy, raw: string): { ok: true; url: URL } | { ok: false; reason: string } {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return { ok: false, reason: 'is not an absolute URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, reason: `must be an http(s) URL (not ${url.protocol.replace(/:$/, '')})` };
  if (url.username || url.password) return { ok: false, reason: 'must not carry a user name or password' };
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!host) return { ok: false, reason: 'has no host' };
  if (policy.hostAllowed(host)) return { ok: true, url };
  if (isIP(host)) {
    const why = policy.addressRefusal(host);
    return why ? { ok: false, reason: why } : { ok: true, url };
  }
  if (LOCAL_NAMES.test(host.replace(/\.$/, ''))) return { ok: false, reason: `${host} names this machine or a metadata service, refused (add it to KLAXON_EGRESS_ALLOW if it is meant)` };
  return { ok: true, url };
}

/** Like {@link checkEgressUrl}, but throws a 400 (`invalid`) naming the field and the reason. */
export function requireEgressUrl(policy: EgressPolicy, raw: string, path: string): string {
  const r = checkEgressUrl(policy, raw);
  if (!r.ok) throw invalid(`${path}: ${r.reason}`, [{ path, message: r.reason }]);
  return r.url.toString();
}

/**
 * {@link requireEgressUrl}, and a host name's DNS answer checked now as well, so a name that resolves
 * to an internal address is refused with a 400 when the URL is stored, not only when it is used (it
 * is checked again on every connection: DNS may answer differently later). A name that does not
 * resolve now is accepted: it may exist by the time it is used. Call it before opening a
 * transaction (it waits for DNS).
 */
export async function requireEgressUrlResolved(policy: EgressPolicy, raw: string, path: string): Promise<string> {
  const url = requireEgressUrl(policy, raw, path);
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) || policy.hostAllowed(host)) return url;
  const addresses = await new Promise<LookupAddress[]>((resolve) => policy.resolver(host, { all: true }, (err, list) => resolve(err ? [] : list)));
  for (const a of addresses) {
    const why = policy.addressRefusal(a.address);
    if (why) {
      const reason = `${host} resolves to ${why}`;
      throw invalid(`${path}: ${reason}`, [{ path, message: reason }]);
    }
  }
  return url;
}

/** Thrown (as the connection error) when the policy refuses a connection. */
export class EgressRefused extends Error {
  /** Stable error code, like undici's. */
  readonly code = 'EGRESS_REFUSED';
}

/**
 * An undici Agent whose connections are checked: an IP literal before connecting, a host name on
 * every address DNS returns (the lookup runs for each new connection, so the check is on the
 * address actually used). Host names on the allow-list connect wherever they resolve.
 */
function egressAgent(policy: EgressPolicy, opts: EgressOptions): Dispatcher {
  const resolve: Resolver = must(opts.resolver, 'opts.resolver');
  const checkedLookup = (hostname: string, options: LookupOptions, callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void): void => {
    resolve(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, [] as LookupAddress[]);
      if (!policy.hostAllowed(hostname)) {
        for (const a of addresses) {
          const why = policy.addressRefusal(a.address);
          if (why) return callback(Object.assign(new EgressRefused(`egress refused: ${hostname} resolves to ${why}`), { code: 'EGRESS_REFUSED' }), [] as LookupAddress[]);
        }
      }
      if (options.all) return callback(null, addresses);
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error(`${hostname}: no address`), { code: 'ENOTFOUND' }), [] as LookupAddress[]);
      callback(null, first.address, first.family);
    });
  };
  const base = buildConnector({ timeout: opts.connectTimeoutMs ?? 10_000, lookup: checkedLookup } as never);
  const connect: buildConnector.connector = (options, callback) => {
    const host = options.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) && !policy.hostAllowed(host)) {
      const why = policy.addressRefusal(host);
      if (why) return callback(new EgressRefused(`egress refused: ${why}`), null);
    }
    return base(options, callback);
  };
  return new Agent({ connect });
}

let fallback: EgressPolicy | undefined;

/** The default policy (no allow-list), for code given a context without one. */
export function defaultEgress(): EgressPolicy {
  return (fallback ??= new EgressPolicy());
}
