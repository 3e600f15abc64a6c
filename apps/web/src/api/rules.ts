/*
 * Event rules (docs/event-rules.md): the list with this instance's counters, create, change,
 * delete, and the tester (POST /event-rules/test). Types from the API contract.
 */
import { request } from './client.ts';
import type { EventRule, RuleInput, RulePatch, TestedEvent } from '@klaxon/contract';

const enc = encodeURIComponent;

export type { EventRule, RuleActions, RuleInput, RulePatch, TestedEvent } from '@klaxon/contract';

export const rulesApi = {
  list: () => request<{ rules: EventRule[]; catchAllServiceId: string | null }>('GET', '/event-rules'),
  create: (input: RuleInput) => request<{ rule: EventRule }>('POST', '/event-rules', { body: input }).then((r) => r.rule),
  update: (id: string, input: RulePatch) => request<{ rule: EventRule }>('PATCH', `/event-rules/${enc(id)}`, { body: input }).then((r) => r.rule),
  remove: (id: string) => request<undefined>('DELETE', `/event-rules/${enc(id)}`),
  setCatchAll: (serviceId: string | null) => request<{ catchAllServiceId: string | null }>('PUT', '/event-rules/catch-all', { body: { serviceId } }),
  test: (integrationId: string, payload: unknown) => request<{ events: TestedEvent[] }>('POST', '/event-rules/test', { body: { integrationId, payload } }).then((r) => r.events),
};
