/**
 * Atlassian Statuspage v2 compatible documents (summary.json, status.json, components.json,
 * incidents.json), so existing widgets and monitors can read a Klaxon status page. Pure.
 */
import type { PageComponent, PageData, PageIncident } from './page.js';
import { pageUrl } from './page.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function pageDoc(d: PageData, publicUrl: string) {
  const updated = Math.max(0, ...d.active.map((i) => i.updatedAt), ...d.past.slice(0, 1).map((i) => i.updatedAt));
  return { id: d.page.id, name: d.page.name, url: pageUrl(publicUrl, d.page.slug), time_zone: 'Etc/UTC', updated_at: iso(updated || d.generatedAt) };
}

function componentDoc(d: PageData, c: PageComponent) {
  return {
    id: c.id,
    name: c.name,
    status: c.state,
    created_at: iso(c.createdAt),
    updated_at: iso(d.generatedAt),
    position: c.position,
    description: c.description || null,
    showcase: true,
    start_date: null,
    group_id: null,
    page_id: d.page.id,
    group: false,
    only_show_if_degraded: false,
  };
}

function incidentDoc(d: PageData, i: PageIncident, publicUrl: string) {
  const monitoring = i.updates.find((u) => u.phase === 'monitoring');
  return {
    id: i.id,
    name: i.title,
    status: i.phase,
    created_at: iso(i.createdAt),
    updated_at: iso(i.updatedAt),
    monitoring_at: iso(monitoring?.at ?? null),
    resolved_at: iso(i.open ? null : i.resolvedAt),
    impact: i.impact,
    shortlink: `${pageUrl(publicUrl, d.page.slug)}#incident-${i.number}`,
    started_at: iso(i.createdAt),
    page_id: d.page.id,
    incident_updates: i.updates.map((u) => ({
      id: u.id,
      status: u.phase,
      body: u.message,
      incident_id: i.id,
      created_at: iso(u.at),
      updated_at: iso(u.at),
      display_at: iso(u.at),
      affected_components: null,
      deliver_notifications: true,
      custom_tweet: null,
      tweet_id: null,
    })),
    components: d.components.filter((c) => i.componentIds.includes(c.id)).map((c) => componentDoc(d, c)),
  };
}

function status(d: PageData) {
  return { indicator: d.indicator, description: d.description };
}

/** /api/v2/status.json */
export function statusJson(d: PageData, publicUrl: string) {
  return { page: pageDoc(d, publicUrl), status: status(d) };
}

/** /api/v2/components.json */
export function componentsJson(d: PageData, publicUrl: string) {
  return { page: pageDoc(d, publicUrl), components: d.components.map((c) => componentDoc(d, c)) };
}

/** /api/v2/incidents.json: the 50 most recent incidents. */
export function incidentsJson(d: PageData, publicUrl: string) {
  return { page: pageDoc(d, publicUrl), incidents: [...d.active, ...d.past].slice(0, 50).map((i) => incidentDoc(d, i, publicUrl)) };
}

/** /api/v2/summary.json: components, unresolved incidents, upcoming and in-progress maintenance, status. */
export function summaryJson(d: PageData, publicUrl: string) {
  return {
    page: pageDoc(d, publicUrl),
    components: d.components.map((c) => componentDoc(d, c)),
    incidents: d.active.map((i) => incidentDoc(d, i, publicUrl)),
    scheduled_maintenances: d.maintenance.map((m) => ({
      id: m.id,
      name: m.title,
      status: m.running ? 'in_progress' : 'scheduled',
      created_at: null,
      updated_at: null,
      monitoring_at: null,
      resolved_at: null,
      impact: 'maintenance',
      shortlink: `${pageUrl(publicUrl, d.page.slug)}#maintenance-${m.id}`,
      started_at: iso(m.startsAt),
      page_id: d.page.id,
      incident_updates: m.description ? [{ id: `${m.id}-1`, status: m.running ? 'in_progress' : 'scheduled', body: m.description, incident_id: m.id, created_at: iso(m.startsAt), updated_at: iso(m.startsAt), display_at: iso(m.startsAt), affected_components: null, deliver_notifications: true, custom_tweet: null, tweet_id: null }] : [],
      components: d.components.filter((c) => m.businessServiceIds.includes(c.id)).map((c) => componentDoc(d, c)),
      scheduled_for: iso(m.startsAt),
      scheduled_until: iso(m.endsAt),
    })),
    status: status(d),
  };
}
