/*
 * Grafana OnCall's public HTTP API (`/api/v1/`), as its OSS engine serves it: the shapes below are the
 * fields of its public serializers that the import reads. Auth is the `Authorization: <token>` header
 * (an OnCall API key); lists are pages of
 * `{count, next, previous, results, page_size, current_page_number, total_pages}` whose `next` is an
 * absolute URL, with the page size in `perpage` (at most 100); the public API allows 300 requests a
 * minute per user.
 */
import type { Progress } from '../types.js';
import { MigrateError } from '../types.js';
import type { SourceClient } from '../source-client.js';

export interface GUser {
  id: string;
  email: string;
  username: string;
  role: string;
  timezone: string | null;
  teams?: string[];
  slack?: { user_id: string; team_id: string } | null;
  is_phone_number_verified?: boolean;
}

export interface GNotificationRule {
  id: string;
  user_id: string;
  position: number;
  important: boolean;
  type: string;
  /** Seconds, wait steps only. */
  duration?: number;
}

export interface GTeam {
  id: string;
  name: string;
  email?: string | null;
}

export interface GUserGroup {
  id: string;
  type: string;
  slack?: { id: string; name: string; handle: string };
}

export interface GSchedule {
  id: string;
  name: string;
  type: 'ical' | 'calendar' | 'web' | string;
  team_id: string | null;
  time_zone?: string | null;
  shifts?: string[];
  ical_url_primary?: string | null;
  ical_url_overrides?: string | null;
}

export interface GShift {
  id: string;
  name: string;
  type: 'single_event' | 'recurrent_event' | 'rolling_users' | 'override' | string;
  schedule?: string | null;
  team_id?: string | null;
  time_zone: string | null;
  level?: number;
  /** Local wall-clock start in the shift's (or schedule's) zone, "YYYY-MM-DDTHH:MM:SS". */
  start: string;
  rotation_start?: string;
  /** Seconds. */
  duration: number;
  frequency?: 'hourly' | 'daily' | 'weekly' | 'monthly' | null;
  interval?: number | null;
  until?: string | null;
  week_start?: string;
  by_day?: string[] | null;
  by_month?: number[] | null;
  by_monthday?: number[] | null;
  users?: string[];
  rolling_users?: string[][] | null;
  start_rotation_from_user_index?: number | null;
}

export interface GChain {
  id: string;
  name: string;
  team_id: string | null;
}

export interface GEscalationPolicy {
  id: string;
  escalation_chain_id: string;
  position: number;
  type: string;
  /** Seconds, wait steps. */
  duration?: number | null;
  important?: boolean;
  persons_to_notify?: string[];
  persons_to_notify_next_each_time?: string[];
  notify_on_call_from_schedule?: string | null;
  group_to_notify?: string | null;
  team_to_notify?: string | null;
  action_to_trigger?: string | null;
  notify_if_time_from?: string | null;
  notify_if_time_to?: string | null;
}

export interface GIntegration {
  id: string;
  name: string;
  type: string;
  team_id: string | null;
  link: string | null;
  default_route?: { id: string; escalation_chain_id: string | null } | null;
  heartbeat?: { link: string } | null;
  maintenance_mode?: string | null;
  maintenance_started_at?: string | null;
  maintenance_end_at?: string | null;
}

export interface GRoute {
  id: string;
  integration_id: string;
  escalation_chain_id: string | null;
  routing_regex?: string | null;
  routing_type?: string | null;
  position: number;
  is_the_last_route: boolean;
}

export interface GFinalShift {
  user_pk: string;
  user_email: string;
  user_username: string;
  shift_start: string;
  shift_end: string;
}

interface Page<T> {
  count?: number;
  next: string | null;
  previous?: string | null;
  results: T[];
}

/** Reads every page of a list endpoint, following `next`; a page that is not a page, or fewer objects than `count` said, is an error naming the resource. */
export async function listAll<T>(client: SourceClient, progress: Progress, resource: string, path: string, query: Record<string, string | number> = {}): Promise<T[]> {
  const out: T[] = [];
  let url: string | null = client.url(path, { perpage: 100, ...query }).toString();
  let count: number | undefined;
  progress.start(resource);
  let pages = 0;
  while (url) {
    const page: Page<T> = await client.getJson<Page<T>>(resource, url);
    if (!page || typeof page !== 'object' || !Array.isArray(page.results))
      throw new MigrateError(resource, `the answer from ${new URL(url).pathname} is not a page of results (no "results" list); nothing was applied`);
    if (typeof page.count === 'number') count = page.count;
    out.push(...page.results);
    progress.advance(resource, page.results.length, count);
    url = typeof page.next === 'string' && page.next ? page.next : null;
    if (++pages > 10_000) throw new MigrateError(resource, 'more than 10,000 pages: the source keeps answering with a next page');
  }
  if (count !== undefined && out.length !== count) {
    throw new MigrateError(resource, `the source said ${count} object(s) but its pages held ${out.length} (a truncated page); nothing was applied`);
  }
  progress.done(resource);
  return out;
}

/** Everything the import reads. */
export interface GrafanaAccount {
  users: GUser[];
  rules: GNotificationRule[];
  teams: GTeam[];
  userGroups: GUserGroup[];
  schedules: GSchedule[];
  shifts: GShift[];
  chains: GChain[];
  policies: GEscalationPolicy[];
  integrations: GIntegration[];
  routes: GRoute[];
}

export async function readAccount(client: SourceClient, progress: Progress): Promise<GrafanaAccount> {
  return {
    users: await listAll<GUser>(client, progress, 'users', '/api/v1/users/'),
    rules: await listAll<GNotificationRule>(client, progress, 'personal notification rules', '/api/v1/personal_notification_rules/'),
    teams: await listAll<GTeam>(client, progress, 'teams', '/api/v1/teams/'),
    userGroups: await listAll<GUserGroup>(client, progress, 'user groups', '/api/v1/user_groups/'),
    schedules: await listAll<GSchedule>(client, progress, 'schedules', '/api/v1/schedules/'),
    shifts: await listAll<GShift>(client, progress, 'on-call shifts', '/api/v1/on_call_shifts/'),
    chains: await listAll<GChain>(client, progress, 'escalation chains', '/api/v1/escalation_chains/'),
    policies: await listAll<GEscalationPolicy>(client, progress, 'escalation policies', '/api/v1/escalation_policies/'),
    integrations: await listAll<GIntegration>(client, progress, 'integrations', '/api/v1/integrations/'),
    routes: await listAll<GRoute>(client, progress, 'routes', '/api/v1/routes/'),
  };
}
