/** bench/peer.ts: the webhook receiver both systems page. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { freePort } from '../lib.js';
import { must } from '../../apps/server/src/lib/must.js';

// ---------------------------------------------------------------------------------------------
// The webhook receiver: Klaxon's webhook provider POSTs to /klaxon, Alertmanager's to /am.
// ---------------------------------------------------------------------------------------------

/** One notification received: when (performance.now()), and what it was about. */
export interface Receipt {
  t: number;
  /** Klaxon: the sequence number or key embedded in the incident title; Alertmanager: label `seq`. */
  seq: string;
  /** Klaxon: incident id; Alertmanager: the alert's fingerprint. */
  id: string;
  /** Klaxon: X-Klaxon-Delivery (stays the same across retries). */
  delivery?: string;
}

export class Receiver {
  klaxon: Receipt[] = [];
  am: Receipt[] = [];
  /** Alertmanager webhook POSTs (a POST may carry several alerts if groups ever merge). */
  amPosts = 0;
  /** Klaxon webhook documents that were not pages (the contact method's verification code). */
  klaxonOther = 0;
  badRequests = 0;
  url = '';
  private server = createServer((req, res) => this.handle(req, res));

  async start(): Promise<void> {
    const port = await freePort();
    this.server.keepAliveTimeout = 60_000;
    await new Promise<void>((r) => this.server.listen(port, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${port}`;
  }

  reset(): void {
    this.klaxon = [];
    this.am = [];
    this.amPosts = 0;
    this.klaxonOther = 0;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const t = performance.now();
      try {
        const doc = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { event?: string; incident?: { id?: string; title?: string } } & Record<string, unknown>;
        if (req.url === '/klaxon') {
          if (doc.event === 'incident.page') {
            const title = String(doc.incident?.title ?? '');
            const m = /#(\d+)/.exec(title);
            this.klaxon.push({ t, seq: m ? must(m[1], 'm[1]') : title, id: String(doc.incident?.id), delivery: String(req.headers['x-klaxon-delivery'] ?? '') });
          } else this.klaxonOther++;
        } else if (req.url === '/am') {
          this.amPosts++;
          for (const a of (doc.alerts ?? []) as { labels: Record<string, string>; fingerprint: string }[]) this.am.push({ t, seq: a.labels.seq ?? '', id: a.fingerprint });
        } else this.badRequests++;
      } catch {
        this.badRequests++;
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  }
}
