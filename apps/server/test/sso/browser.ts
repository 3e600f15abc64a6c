/**
 * A small browser for sign-in flows across two servers: a cookie jar per host (like a browser, cookies
 * ignore the port; paths are honoured), redirects followed by hand, HTML forms read and submitted.
 */
import { must } from '../../src/lib/must.js';

interface Cookie {
  name: string;
  value: string;
  path: string;
}

export interface Page {
  status: number;
  url: string;
  headers: Headers;
  body: string;
  /** Every URL the browser went through, the first request included. */
  trail: string[];
}

export class TestBrowser {
  private readonly jar = new Map<string, Cookie[]>();

  cookies(url: string): Cookie[] {
    const u = new URL(url);
    return (this.jar.get(u.hostname) ?? []).filter((c) => u.pathname.startsWith(c.path));
  }

  cookie(url: string, name: string): string | undefined {
    return this.cookies(url).find((c) => c.name === name)?.value;
  }

  setCookie(url: string, name: string, value: string, path = '/'): void {
    const host = new URL(url).hostname;
    const list = (this.jar.get(host) ?? []).filter((c) => !(c.name === name && c.path === path));
    list.push({ name, value, path });
    this.jar.set(host, list);
  }

  private store(url: string, headers: Headers): void {
    const u = new URL(url);
    for (const line of headers.getSetCookie()) {
      const [first, ...attrs] = line.split(';').map((s) => s.trim());
      const pair = must(first, 'the name=value of a Set-Cookie header');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = decodeURIComponent(pair.slice(eq + 1));
      let path = u.pathname.replace(/\/[^/]*$/, '') || '/';
      let expired = false;
      for (const a of attrs) {
        const [k = '', v = ''] = a.split('=');
        const key = k.toLowerCase();
        if (key === 'path') path = v;
        if (key === 'max-age' && Number(v) <= 0) expired = true;
        if (key === 'expires' && Date.parse(v) < Date.now()) expired = true;
      }
      const list = (this.jar.get(u.hostname) ?? []).filter((c) => !(c.name === name && c.path === path));
      if (!expired) list.push({ name, value, path });
      this.jar.set(u.hostname, list);
    }
  }

  /** One request, no redirects followed. */
  async request(url: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<Response> {
    const cookie = this.cookies(url)
      .map((c) => `${c.name}=${encodeURIComponent(c.value)}`)
      .join('; ');
    const res = await fetch(url, { method: init.method ?? 'GET', body: init.body, redirect: 'manual', headers: { accept: 'text/html,application/json', ...(cookie && { cookie }), ...init.headers } });
    this.store(url, res.headers);
    return res;
  }

  /** Goes to a URL and follows redirects (at most 20) until a page that is not one; `stopAt` ends early at a URL it matches. */
  async go(url: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}, stopAt?: (url: string) => boolean): Promise<Page> {
    const trail = [url];
    let res = await this.request(url, init);
    let current = url;
    for (let i = 0; i < 20 && res.status >= 300 && res.status < 400 && res.headers.get('location'); i++) {
      current = new URL(must(res.headers.get('location'), 'the Location header of a redirect'), current).href;
      trail.push(current);
      if (stopAt?.(current)) return { status: res.status, url: current, headers: res.headers, body: '', trail };
      res = await this.request(current);
    }
    return { status: res.status, url: current, headers: res.headers, body: await res.text(), trail };
  }

  /** Submits the first form of a page (its action, method and hidden inputs) with `fields` filled in. */
  async submit(page: Page, fields: Record<string, string> = {}, stopAt?: (url: string) => boolean): Promise<Page> {
    const form = /<form\b([^>]*)>([\s\S]*?)<\/form>/i.exec(page.body);
    if (!form) throw new Error(`no form on ${page.url}: ${page.body.slice(0, 500)}`);
    const attr = (s: string, name: string) => new RegExp(`\\b${name}="([^"]*)"`, 'i').exec(s)?.[1];
    const [, formAttrs = '', formBody = ''] = form;
    const action = new URL(attr(formAttrs, 'action') ?? page.url, page.url).href;
    const data = new URLSearchParams();
    for (const [, input = ''] of formBody.matchAll(/<input\b([^>]*)>/gi)) {
      const name = attr(input, 'name');
      if (name && /type="hidden"/i.test(input)) data.set(name, attr(input, 'value') ?? '');
    }
    for (const [k, v] of Object.entries(fields)) data.set(k, v);
    return this.go(action, { method: (attr(formAttrs, 'method') ?? 'post').toUpperCase(), body: data.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } }, stopAt);
  }
}
