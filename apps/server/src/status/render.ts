/**
 * Server-rendered status page (plain HTML and CSS, no JavaScript), RSS 2.0 and Atom feeds, and the
 * small pages of the subscription links. Pure functions of PageData; every value is escaped.
 */
import { escapeHtml, escapeXml, safeUrl } from '../notify/render/common.js';
import { pageUrl, type PageData, type PageIncident } from './page.js';
import type { ComponentState, Phase, StatusPage } from './types.js';

const STATE_LABEL: Record<ComponentState, string> = {
  operational: 'Operational',
  degraded_performance: 'Degraded performance',
  partial_outage: 'Partial outage',
  major_outage: 'Major outage',
  under_maintenance: 'Under maintenance',
};
const PHASE_LABEL: Record<Phase, string> = { investigating: 'Investigating', identified: 'Identified', monitoring: 'Monitoring', resolved: 'Resolved' };
const STATE_CLASS: Record<ComponentState, string> = { operational: 'ok', degraded_performance: 'dg', partial_outage: 'po', major_outage: 'mo', under_maintenance: 'mt' };

const time = (ms: number) => {
  const iso = new Date(ms).toISOString();
  return `<time datetime="${iso}">${iso.slice(0, 16).replace('T', ' ')} UTC</time>`;
};

function css(p: StatusPage): string {
  const c = p.colors;
  return (
    `body{margin:0;font:15px/1.5 -apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;background:${c.background};color:${c.text}}` +
    `main{max-width:860px;margin:0 auto;padding:24px 16px}header{display:flex;align-items:center;gap:12px;margin-bottom:24px}header img{max-height:48px}` +
    `h1{font-size:26px;margin:0}h2{font-size:19px;margin:32px 0 12px}h3{font-size:16px;margin:0 0 4px}` +
    `.banner{padding:16px;border-radius:6px;color:#fff;font-weight:bold;font-size:18px;background:${c.brand}}` +
    `.b-none{background:#15803d}.b-minor{background:#b45309}.b-major{background:#c2410c}.b-critical{background:#b91c1c}.b-maintenance{background:#1d4ed8}` +
    `.card{border:1px solid #d1d5db;border-radius:6px;padding:12px 16px;margin:0 0 12px}` +
    `.comp{display:flex;justify-content:space-between;gap:8px;font-weight:600}.st{font-weight:600}` +
    `.ok{color:#15803d}.dg{color:#b45309}.po{color:#c2410c}.mo{color:#b91c1c}.mt{color:#1d4ed8}` +
    `.bars{display:flex;gap:1px;height:28px;margin:6px 0 2px}.bars i{flex:1;background:#22c55e;border-radius:1px}` +
    `.bars i.dg{background:#f59e0b}.bars i.po{background:#f97316}.bars i.mo{background:#dc2626}` +
    `.meta{display:flex;justify-content:space-between;color:#6b7280;font-size:12px}` +
    `.upd{margin:8px 0 0;padding-left:12px;border-left:3px solid #d1d5db}.upd p{margin:2px 0}small{color:#6b7280}` +
    `form{display:flex;gap:8px;flex-wrap:wrap}input[type=email]{flex:1;min-width:200px;padding:8px;border:1px solid #9ca3af;border-radius:4px}` +
    `button{padding:8px 16px;border:0;border-radius:4px;background:${c.brand};color:#fff;font-weight:bold;cursor:pointer}footer{margin:40px 0;color:#6b7280;font-size:13px}a{color:${c.brand}}`
  );
}

function layout(p: StatusPage, publicUrl: string, title: string, body: string): string {
  const base = pageUrl(publicUrl, p.slug);
  const logo = p.logoUrl ? safeUrl(p.logoUrl) : null;
  return (
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<title>${escapeHtml(title)}</title>` +
    `<link rel="alternate" type="application/rss+xml" title="${escapeHtml(p.name)} RSS" href="${escapeHtml(base)}/feed.rss">` +
    `<link rel="alternate" type="application/atom+xml" title="${escapeHtml(p.name)} Atom" href="${escapeHtml(base)}/feed.atom">` +
    `<style>${css(p)}</style></head><body><main>` +
    `<header>${logo ? `<img src="${escapeHtml(logo)}" alt="">` : ''}<h1>${escapeHtml(p.name)}</h1></header>${body}</main></body></html>`
  );
}

function updatesHtml(i: PageIncident): string {
  return i.updates
    .map(
      (u) =>
        `<div class="upd"><p><strong>${PHASE_LABEL[u.phase]}</strong> - ${escapeHtml(u.message)}</p>${u.businessImpact ? `<p><small>Impact: ${escapeHtml(u.businessImpact)}</small></p>` : ''}<p><small>${time(u.at)}${u.nextUpdateAt && i.open ? ` · next update by ${time(u.nextUpdateAt)}` : ''}</small></p></div>`,
    )
    .join('');
}

/** The status page itself. */
export function renderStatusHtml(d: PageData, publicUrl: string): string {
  const names = new Map(d.components.map((c) => [c.id, c.name]));
  const affected = (ids: string[]) =>
    ids
      .map((id) => names.get(id))
      .filter(Boolean)
      .join(', ');
  const base = pageUrl(publicUrl, d.page.slug);
  let b = `<div class="banner b-${d.indicator}" role="status">${escapeHtml(d.description)}</div>`;

  if (d.active.length) {
    b += `<h2>Active incidents</h2>`;
    for (const i of d.active) {
      b += `<section class="card" id="incident-${i.number}"><h3>${escapeHtml(i.title)}</h3><small>${PHASE_LABEL[i.phase]} · affects ${escapeHtml(affected(i.componentIds))}</small>${updatesHtml(i)}</section>`;
    }
  }
  if (d.maintenance.length) {
    b += `<h2>Scheduled maintenance</h2>`;
    for (const m of d.maintenance) {
      b += `<section class="card" id="maintenance-${escapeHtml(m.id)}"><h3>${escapeHtml(m.title)}</h3><small>${m.running ? 'In progress' : 'Scheduled'}: ${time(m.startsAt)} - ${time(m.endsAt)}</small>${m.description ? `<p>${escapeHtml(m.description)}</p>` : ''}</section>`;
    }
  }

  b += `<h2>Components</h2>`;
  if (!d.components.length) b += `<p>No components yet.</p>`;
  for (const c of d.components) {
    const bars = c.history.map((h) => (h.state === 'operational' ? '<i></i>' : `<i class="${STATE_CLASS[h.state]}" title="${h.day}: ${STATE_LABEL[h.state]}"></i>`)).join('');
    b +=
      `<section class="card"><div class="comp"><span>${escapeHtml(c.name)}</span><span class="st ${STATE_CLASS[c.state]}" data-state="${c.state}">${STATE_LABEL[c.state]}</span></div>` +
      `<div class="bars" aria-label="${c.uptimePercent}% uptime over 90 days">${bars}</div><div class="meta"><span>90 days ago</span><span>${c.uptimePercent}% uptime</span><span>Today</span></div></section>`;
  }

  b += `<h2>Past incidents</h2>`;
  if (!d.past.length) b += `<p>No incidents in the last 90 days.</p>`;
  for (const i of d.past.slice(0, 30)) {
    b += `<section class="card" id="incident-${i.number}"><h3>${escapeHtml(i.title)}</h3><small>Resolved${i.resolvedAt ? ` ${time(i.resolvedAt)}` : ''} · affected ${escapeHtml(affected(i.componentIds))}</small>${updatesHtml(i)}</section>`;
  }

  b +=
    `<h2>Get updates</h2><form method="post" action="${escapeHtml(base)}/subscribe"><label for="email">Email</label><input type="email" id="email" name="email" required placeholder="you@example.com"><button type="submit">Subscribe</button></form>` +
    `<footer><a href="${escapeHtml(base)}/feed.rss">RSS</a> · <a href="${escapeHtml(base)}/feed.atom">Atom</a> · <a href="${escapeHtml(base)}/api/v2/summary.json">JSON</a> · Powered by Klaxon</footer>`;
  return layout(d.page, publicUrl, `${d.page.name}: ${d.description}`, b);
}

/** A small message page (subscription confirmed, unsubscribed, confirm button...). */
export function renderNoticeHtml(p: StatusPage, publicUrl: string, title: string, text: string, form?: { action: string; button: string }): string {
  const body =
    `<section class="card"><h3>${escapeHtml(title)}</h3><p>${escapeHtml(text)}</p>` +
    (form ? `<form method="post" action="${escapeHtml(form.action)}"><button type="submit">${escapeHtml(form.button)}</button></form>` : '') +
    `<p><a href="${escapeHtml(pageUrl(publicUrl, p.slug))}">Back to ${escapeHtml(p.name)}</a></p></section>`;
  return layout(p, publicUrl, title, body);
}

interface FeedItem {
  id: string;
  title: string;
  text: string;
  at: number;
  link: string;
}

function feedItems(d: PageData, publicUrl: string): FeedItem[] {
  const base = pageUrl(publicUrl, d.page.slug);
  return [...d.active, ...d.past]
    .flatMap((i) =>
      i.updates.map((u) => ({
        id: `${base}#update-${u.id}`,
        title: `${PHASE_LABEL[u.phase]}: ${i.title}`,
        text: u.message + (u.businessImpact ? `\n\nImpact: ${u.businessImpact}` : ''),
        at: u.at,
        link: `${base}#incident-${i.number}`,
      })),
    )
    .sort((a, b) => b.at - a.at)
    .slice(0, 50);
}

/** RSS 2.0 feed of public updates. */
export function renderRss(d: PageData, publicUrl: string): string {
  const base = pageUrl(publicUrl, d.page.slug);
  const items = feedItems(d, publicUrl);
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel>` +
    `<title>${escapeXml(d.page.name)}</title><link>${escapeXml(base)}</link><description>${escapeXml(`Status updates from ${d.page.name}`)}</description>` +
    `<atom:link href="${escapeXml(base)}/feed.rss" rel="self" type="application/rss+xml"/>` +
    `<lastBuildDate>${new Date(items[0]?.at ?? d.generatedAt).toUTCString()}</lastBuildDate>` +
    items
      .map(
        (i) =>
          `<item><title>${escapeXml(i.title)}</title><link>${escapeXml(i.link)}</link><guid isPermaLink="false">${escapeXml(i.id)}</guid><pubDate>${new Date(i.at).toUTCString()}</pubDate><description>${escapeXml(i.text)}</description></item>`,
      )
      .join('') +
    `</channel></rss>\n`
  );
}

/** Atom feed of public updates. */
export function renderAtom(d: PageData, publicUrl: string): string {
  const base = pageUrl(publicUrl, d.page.slug);
  const items = feedItems(d, publicUrl);
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">` +
    `<title>${escapeXml(d.page.name)}</title><id>${escapeXml(base)}</id><link href="${escapeXml(base)}"/><link rel="self" href="${escapeXml(base)}/feed.atom"/>` +
    `<updated>${new Date(items[0]?.at ?? d.generatedAt).toISOString()}</updated><author><name>${escapeXml(d.page.name)}</name></author>` +
    items
      .map(
        (i) =>
          `<entry><title>${escapeXml(i.title)}</title><id>${escapeXml(i.id)}</id><link href="${escapeXml(i.link)}"/><updated>${new Date(i.at).toISOString()}</updated><content type="text">${escapeXml(i.text)}</content></entry>`,
      )
      .join('') +
    `</feed>\n`
  );
}
