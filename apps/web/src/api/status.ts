/**
 * The status API as the status admin screens use it: business services, status pages,
 * subscriptions, maintenance windows and update templates (server: apps/server/src/status/types.ts).
 * Types, calls, query keys and hooks live here so the status screens own them.
 */
import { useQuery } from '@tanstack/react-query';
import { request } from './client.ts';
import type { StatusTemplate } from '@klaxon/contract';
import { keys } from './keys.ts';
// The server's types, from the API contract.
export type { BusinessService, BusinessServiceInput, StatusPage, StatusPageInput, Subscription, SubscriptionInput, MaintenanceWindow, MaintenanceInput, TemplateInput } from '@klaxon/contract';
import type { BusinessService, BusinessServiceInput, StatusPage, StatusPageInput, Subscription, SubscriptionInput, MaintenanceWindow, MaintenanceInput, TemplateInput } from '@klaxon/contract';

/** A status page's colours. */
export interface Colors {
  brand: string;
  background: string;
  text: string;
}

/** What a subscription follows. */
export type SubscriptionScope = 'business_service' | 'team' | 'incident' | 'major';
/** How a subscriber is told. */
export type SubscriptionChannel = 'email' | 'push' | 'slack' | 'webhook';

const enc = encodeURIComponent;

/** One function per status endpoint. */
export const statusApi = {
  businessServices: () => request<{ businessServices: BusinessService[] }>('GET', '/business-services').then((r) => r.businessServices),
  createBusinessService: (input: BusinessServiceInput) => request<{ businessService: BusinessService }>('POST', '/business-services', { body: input }).then((r) => r.businessService),
  updateBusinessService: (id: string, input: BusinessServiceInput) =>
    request<{ businessService: BusinessService }>('PUT', `/business-services/${enc(id)}`, { body: input }).then((r) => r.businessService),
  deleteBusinessService: (id: string) => request<undefined>('DELETE', `/business-services/${enc(id)}`),
  incidentBusinessServices: (incidentId: string) => request<{ businessServices: BusinessService[] }>('GET', `/incidents/${enc(incidentId)}/business-services`).then((r) => r.businessServices),
  pages: () => request<{ statusPages: StatusPage[] }>('GET', '/status-pages').then((r) => r.statusPages),
  savePage: (input: StatusPageInput) => request<{ statusPage: StatusPage }>('PUT', '/status-pages', { body: input }).then((r) => r.statusPage),
  subscriptions: () => request<{ subscriptions: Subscription[] }>('GET', '/subscriptions').then((r) => r.subscriptions),
  subscribe: (input: SubscriptionInput) => request<{ subscription: Subscription }>('POST', '/subscriptions', { body: input }).then((r) => r.subscription),
  unsubscribe: (id: string) => request<undefined>('DELETE', `/subscriptions/${enc(id)}`),
  maintenance: () => request<{ maintenanceWindows: MaintenanceWindow[] }>('GET', '/maintenance-windows', { query: { past: true } }).then((r) => r.maintenanceWindows),
  createMaintenance: (input: MaintenanceInput) => request<{ maintenanceWindow: MaintenanceWindow }>('POST', '/maintenance-windows', { body: input }).then((r) => r.maintenanceWindow),
  cancelMaintenance: (id: string) => request<undefined>('DELETE', `/maintenance-windows/${enc(id)}`),
  templates: () => request<{ templates: StatusTemplate[] }>('GET', '/status-templates').then((r) => r.templates),
  createTemplate: (input: TemplateInput) => request<{ template: StatusTemplate }>('POST', '/status-templates', { body: input }).then((r) => r.template),
  setUpdateInterval: (sev: string, minutes: number | null) => request<undefined>('PUT', `/severity-levels/${enc(sev)}/update-interval`, { body: { minutes } }),
};

export const useBusinessServices = () => useQuery({ queryKey: keys.status.businessServices, queryFn: statusApi.businessServices });
export const useStatusPages = () => useQuery({ queryKey: keys.status.pages, queryFn: statusApi.pages });
export const useSubscriptions = () => useQuery({ queryKey: keys.status.subscriptions, queryFn: statusApi.subscriptions });
export const useMaintenance = () => useQuery({ queryKey: keys.status.maintenance, queryFn: statusApi.maintenance });
export const useTemplates = () => useQuery({ queryKey: keys.status.templates, queryFn: statusApi.templates });

/** The same format rules as the server's StatusPageInput, with messages for people. */
export const SLUG_RE = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const COLOR_RE = /^#[0-9A-Fa-f]{3,8}$/;
export const LOGO_URL_RE = /^https?:\/\//;
/** Slugs the server keeps for its own addresses under /status/. */
export const RESERVED_SLUGS = ['api', 'subscriptions'];

/** Field problems of a status page form (paths as the server names them), empty when it may be sent. */
export function statusPageProblems(v: StatusPageInput): Record<string, string> {
  const out: Record<string, string> = {};
  if (!SLUG_RE.test(v.slug)) out.slug = 'Lower-case letters, digits and dashes, starting with a letter or digit (at most 63)';
  else if (RESERVED_SLUGS.includes(v.slug)) out.slug = `“${v.slug}” is reserved`;
  if (!v.name.trim()) out.name = 'Required';
  else if (v.name.length > 200) out.name = 'At most 200 characters';
  if (v.logoUrl && (!LOGO_URL_RE.test(v.logoUrl) || v.logoUrl.length > 2000)) out.logoUrl = 'An http:// or https:// address';
  for (const k of ['brand', 'background', 'text'] as const) {
    const c = v.colors?.[k];
    if (c !== undefined && !COLOR_RE.test(c)) out[`colors.${k}`] = 'A colour like #1d4ed8';
  }
  return out;
}
