/**
 * Atlassian Statuspage v2 compatible documents (summary.json, status.json, components.json,
 * incidents.json, incidents/unresolved.json, scheduled-maintenances.json and its upcoming.json and
 * active.json), so existing widgets and monitors can read a Klaxon status page. Pure.
 */
import type { PageComponent, PageData, PageIncident, PageMaintenance } from './page.js';
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
    updated_at: iso(c.updatedAt),
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

/**
 * A maintenance window as a Statuspage scheduled maintenance: `scheduled` before it starts,
 * `in_progress` while it runs, `completed` once it ended. `created_at` is when it was announced;
 * `updated_at` its last change (announced, started, ended). Its one update (the description) was
 * posted when it was announced.
 */
function maintenanceDoc(d: PageData, m: PageMaintenance, publicUrl: string, now: number) {
  const ended = m.endsAt <= now;
  const status = ended ? 'completed' : m.running ? 'in_progress' : 'scheduled';
  const updatedAt = Math.max(m.createdAt, ...[m.startsAt, m.endsAt].filter((t) => t <= now));
  return {
    id: m.id,
    name: m.title,
    status,
    created_at: iso(m.createdAt),
    updated_at: iso(updatedAt),
    monitoring_at: null,
    resolved_at: iso(ended ? m.endsAt : null),
    impact: 'maintenance',
    shortlink: `${pageUrl(publicUrl, d.page.slug)}#maintenance-${m.id}`,
    started_at: iso(m.startsAt),
    page_id: d.page.id,
    incident_updates: m.description
      ? [
          {
            id: `${m.id}-1`,
            status: m.createdAt < m.startsAt ? 'scheduled' : 'in_progress',
            body: m.description,
            incident_id: m.id,
            created_at: iso(m.createdAt),
            updated_at: iso(m.createdAt),
            display_at: iso(m.createdAt),
            affected_components: null,
            deliver_notifications: true,
            custom_tweet: null,
            tweet_id: null,
          },
        ]
      : [],
    components: d.components.filter((c) => m.componentIds.includes(c.id)).map((c) => componentDoc(d, c)),
    scheduled_for: iso(m.startsAt),
    scheduled_until: iso(m.endsAt),
  };
}

/** /api/v2/summary.json: components, unresolved incidents, upcoming and in-progress maintenance, status. */
export function summaryJson(d: PageData, publicUrl: string) {
  return {
    page: pageDoc(d, publicUrl),
    components: d.components.map((c) => componentDoc(d, c)),
    incidents: d.active.map((i) => incidentDoc(d, i, publicUrl)),
    scheduled_maintenances: d.maintenance.map((m) => maintenanceDoc(d, m, publicUrl, d.generatedAt)),
    status: status(d),
  };
}

/** /api/v2/incidents/unresolved.json: incidents not resolved (investigating, identified, monitoring), newest first. */
export function unresolvedIncidentsJson(d: PageData, publicUrl: string) {
  return { page: pageDoc(d, publicUrl), incidents: d.active.map((i) => incidentDoc(d, i, publicUrl)) };
}

/** /api/v2/scheduled-maintenances.json: the 50 most recent, upcoming, in progress and completed (latest start first). */
export function scheduledMaintenancesJson(d: PageData, publicUrl: string) {
  const all = [...d.maintenance, ...d.completedMaintenance].sort((a, b) => b.startsAt - a.startsAt).slice(0, 50);
  return { page: pageDoc(d, publicUrl), scheduled_maintenances: all.map((m) => maintenanceDoc(d, m, publicUrl, d.generatedAt)) };
}

/** /api/v2/scheduled-maintenances/upcoming.json: those still scheduled (not started), soonest first. */
export function upcomingMaintenancesJson(d: PageData, publicUrl: string) {
  return { page: pageDoc(d, publicUrl), scheduled_maintenances: d.maintenance.filter((m) => !m.running).map((m) => maintenanceDoc(d, m, publicUrl, d.generatedAt)) };
}

/** /api/v2/scheduled-maintenances/active.json: those in progress. */
export function activeMaintenancesJson(d: PageData, publicUrl: string) {
  return { page: pageDoc(d, publicUrl), scheduled_maintenances: d.maintenance.filter((m) => m.running).map((m) => maintenanceDoc(d, m, publicUrl, d.generatedAt)) };
}
