import { can, requirePermission, requirePermissionSomewhere, type Actor } from '../auth/actor.js';
import { audit } from '../audit.js';
import { inTransaction, type Ctx, type Tx } from '../context.js';
import { AppError, conflict, invalid, notFound, type FieldError } from '../lib/errors.js';
import { newId, newSecret, sha256 } from '../lib/ids.js';
import { isSealed } from '../lib/secret-box.js';
import { parse } from '../lib/validate.js';
import { IntegrationInput, ServiceInput, type Grouping, type Integration, type IntegrationKind, type IntegrationSettings, type Service, type SupportHours, type UrgencyRule } from './types.js';
import { isValidZone } from '../schedule/compute/zone.js';
import {
  anyIncidentOf,
  deleteIntegrationRow,
  deleteServiceRow,
  insertIntegration,
  insertService,
  integrationByKeyHash,
  integrationIdByName,
  integrationRow,
  integrationRowsOf,
  integrationSettingsRows,
  keyOwner,
  policyIdIfExists,
  replaceIntegrationSettings,
  serviceRowByIdOrName,
  serviceRowsByName,
  teamIdIfExists,
  updateIntegrationRow,
  updateServiceRow,
} from './store.js';
import { must } from '../lib/must.js';

/** Additional data binding a sealed integration signing secret to its use. */
const SIGNING_SECRET_PURPOSE = 'integration-signing-secret';

/**
 * An integration's Grafana signing secret as stored: encrypted at rest with ctx.secretBox
 * (KLAXON_SECRET_KEY). Without a box (a bare context) it is stored as given.
 */
function sealSettings(ctx: Ctx, settings: IntegrationSettings): IntegrationSettings {
  if (settings.signingSecret === undefined || !ctx.secretBox || isSealed(settings.signingSecret)) return settings;
  return { ...settings, signingSecret: ctx.secretBox.seal(settings.signingSecret, SIGNING_SECRET_PURPOSE) };
}

/**
 * The settings with the signing secret decrypted (a plaintext secret stored by an earlier version is
 * returned as it is). A secret that cannot be decrypted (another KLAXON_SECRET_KEY) is a 409 that
 * says to set it again; with `lenient`, it is left out and `signingSecretSet` says one exists.
 */
export function openIntegrationSettings(ctx: Ctx, settings: IntegrationSettings, lenient = false): IntegrationSettings {
  if (settings.signingSecret === undefined || !isSealed(settings.signingSecret)) return settings;
  try {
    if (!ctx.secretBox) throw new Error('this context has no secret key');
    return { ...settings, signingSecret: ctx.secretBox.open(settings.signingSecret, SIGNING_SECRET_PURPOSE) };
  } catch (e) {
    if (lenient) {
      const { signingSecret: _unreadable, ...rest } = settings;
      return { ...rest, signingSecretSet: true };
    }
    throw conflict(`The integration's signing secret cannot be decrypted (${e instanceof Error ? e.message : String(e)}): an admin must set it again`);
  }
}

/** The Grafana signing secret of an integration found by key (stored encrypted), or undefined. */
export function signingSecretOf(ctx: Ctx, integration: Integration): string | undefined {
  return openIntegrationSettings(ctx, integration.settings).signingSecret;
}

/** Encrypts integration signing secrets stored in plaintext by an earlier version (at start; idempotent). */
export async function sealLegacySigningSecrets(ctx: Ctx): Promise<number> {
  let sealed = 0;
  for (const r of await integrationSettingsRows(ctx.db.kysely)) {
    const settings = JSON.parse(r.settings) as IntegrationSettings;
    if (settings.signingSecret === undefined || isSealed(settings.signingSecret)) continue;
    await replaceIntegrationSettings(ctx.db.kysely, r.id, r.settings, JSON.stringify(sealSettings(ctx, settings)));
    sealed++;
  }
  return sealed;
}

/** Rows -> types. */
export function serviceFromRow(r: {
  id: string;
  name: string;
  description: string;
  escalation_policy_id: string | null;
  team_id: string | null;
  grouping: string;
  urgency_rule: string;
  support_hours: string | null;
}): Service {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    escalationPolicyId: r.escalation_policy_id,
    teamId: r.team_id,
    grouping: JSON.parse(r.grouping) as Grouping,
    urgencyRule: JSON.parse(r.urgency_rule) as UrgencyRule,
    supportHours: r.support_hours ? (JSON.parse(r.support_hours) as SupportHours) : null,
  };
}

function integrationFromRow(r: { id: string; service_id: string; name: string; kind: string; key_hint: string; settings: string }): Integration {
  return { id: r.id, serviceId: r.service_id, name: r.name, kind: r.kind as IntegrationKind, keyHint: r.key_hint, settings: JSON.parse(r.settings) as IntegrationSettings };
}

/** Where a monitoring tool sends events for an integration of `kind` with `key`. */
export function integrationEndpoint(publicUrl: string, kind: IntegrationKind, key: string, emailDomain?: string): string {
  switch (kind) {
    case 'email':
      // The listener's domain; without inbound email configured, the public URL's host name (the address works once it is).
      return `${key}@${emailDomain ?? new URL(publicUrl).hostname}`;
    case 'pagerduty':
      return `${publicUrl}/v2/enqueue (routing_key ${key})`;
    case 'opsgenie':
      return `${publicUrl}/v2/alerts (Authorization: GenieKey ${key})`;
    default:
      return `${publicUrl}/integrations/v1/${kind}/${key}`;
  }
}

/** A service by id or name, or undefined. */
export async function findService(db: Tx, idOrName: string): Promise<Service | undefined> {
  const r = await serviceRowByIdOrName(db, idOrName);
  return r && serviceFromRow(r);
}

/** The integration and service an integration key belongs to, or undefined. The ingest hot path. */
export async function findIntegrationByKey(db: Tx, key: string): Promise<{ integration: Integration; service: Service } | undefined> {
  const r = await integrationByKeyHash(db, sha256(key));
  if (!r) return undefined;
  return {
    integration: integrationFromRow(r),
    service: serviceFromRow({
      id: r.service_id,
      name: r.service_name,
      description: r.description,
      escalation_policy_id: r.escalation_policy_id,
      team_id: r.team_id,
      grouping: r.grouping,
      urgency_rule: r.urgency_rule,
      support_hours: r.support_hours,
    }),
  };
}

/** An urgency rule by support hours needs support hours. */
function checkUrgency(rule: UrgencyRule, hours: SupportHours | null): void {
  if (rule.type === 'support-hours' && !hours)
    throw invalid('urgencyRule: a support-hours urgency rule needs supportHours', [{ path: 'urgencyRule', message: 'a support-hours urgency rule needs supportHours' }]);
}

async function normalizeService(db: Tx, input: unknown): Promise<ServiceInput> {
  const v = parse(ServiceInput, input, 'service');
  const errors: FieldError[] = [];
  if (v.escalationPolicyId && !(await policyIdIfExists(db, v.escalationPolicyId))) {
    errors.push({ path: 'escalationPolicyId', message: `unknown escalation policy ${v.escalationPolicyId}` });
  }
  if (v.teamId && !(await teamIdIfExists(db, v.teamId))) {
    errors.push({ path: 'teamId', message: `unknown team ${v.teamId}` });
  }
  if (v.supportHours) {
    if (!isValidZone(v.supportHours.timeZone)) errors.push({ path: 'supportHours.timeZone', message: `unknown time zone ${v.supportHours.timeZone}` });
    if (v.supportHours.end <= v.supportHours.start) errors.push({ path: 'supportHours.end', message: 'must be after start (support hours lie within one day)' });
  }
  if (errors.length) throw invalid(errors.map((e) => `${e.path}: ${e.message}`).join('; '), errors);
  return v;
}

/** Every service. */
export async function listServices(ctx: Ctx, actor: Actor): Promise<Service[]> {
  requirePermission(actor, 'read');
  const rows = await serviceRowsByName(ctx.db.kysely);
  return rows.map(serviceFromRow);
}

/** One service by id or name. */
export async function getService(ctx: Ctx, actor: Actor, idOrName: string): Promise<Service> {
  requirePermission(actor, 'read');
  const s = await findService(ctx.db.kysely, idOrName);
  if (!s) throw notFound('Service');
  return s;
}

/** Creates a service. Admins only. */
export async function createService(ctx: Ctx, actor: Actor, input: unknown): Promise<Service> {
  requirePermissionSomewhere(actor, 'admin');
  const now = ctx.clock.now();
  return inTransaction(ctx, async (trx) => {
    const v = await normalizeService(trx, input);
    requirePermission(actor, 'admin', v.teamId ?? null);
    if (await findService(trx, v.name)) throw conflict(`A service named "${v.name}" already exists`);
    checkUrgency(v.urgencyRule ?? { type: 'severity' }, v.supportHours ?? null);
    const id = newId();
    await insertService(trx, {
      id,
      name: v.name,
      description: v.description ?? '',
      escalation_policy_id: v.escalationPolicyId ?? null,
      team_id: v.teamId ?? null,
      grouping: JSON.stringify(v.grouping ?? { mode: 'none' }),
      urgency_rule: JSON.stringify(v.urgencyRule ?? { type: 'severity' }),
      support_hours: v.supportHours ? JSON.stringify(v.supportHours) : null,
      created_at: now,
      updated_at: now,
    });
    const after = must(await findService(trx, id), 'the service');
    await audit(trx, now, actor, 'service.create', id, { name: v.name }, { after });
    return after;
  });
}

/** Replaces a service's settings. Admins only. */
export async function updateService(ctx: Ctx, actor: Actor, id: string, input: unknown): Promise<Service> {
  requirePermissionSomewhere(actor, 'admin');
  const now = ctx.clock.now();
  return inTransaction(ctx, async (trx, live) => {
    live.push({ type: 'config' });
    const existing = await findService(trx, id);
    if (!existing) throw notFound('Service');
    requirePermission(actor, 'admin', existing.teamId);
    const v = await normalizeService(trx, input);
    if ((v.teamId ?? null) !== existing.teamId) requirePermission(actor, 'admin', v.teamId ?? null);
    const clash = await findService(trx, v.name);
    if (clash && clash.id !== existing.id) throw conflict(`A service named "${v.name}" already exists`);
    // Urgency rule and support hours left out of the input are kept (clients that predate them).
    const urgencyRule = v.urgencyRule ?? existing.urgencyRule;
    const supportHours = v.supportHours === undefined ? existing.supportHours : v.supportHours;
    checkUrgency(urgencyRule, supportHours);
    await updateServiceRow(trx, existing.id, {
      name: v.name,
      description: v.description ?? '',
      escalation_policy_id: v.escalationPolicyId ?? null,
      team_id: v.teamId ?? null,
      grouping: JSON.stringify(v.grouping ?? { mode: 'none' }),
      urgency_rule: JSON.stringify(urgencyRule),
      support_hours: supportHours ? JSON.stringify(supportHours) : null,
      updated_at: now,
    });
    const after = must(await findService(trx, existing.id), 'the service');
    await audit(trx, now, actor, 'service.update', existing.id, { name: v.name }, { before: existing, after });
    return after;
  });
}

/** Deletes a service that has no incidents. Admins only. */
export async function deleteService(ctx: Ctx, actor: Actor, id: string): Promise<void> {
  requirePermissionSomewhere(actor, 'admin');
  await inTransaction(ctx, async (trx, live) => {
    live.push({ type: 'config' });
    const before = await findService(trx, id);
    if (!before) throw notFound('Service');
    requirePermission(actor, 'admin', before.teamId);
    const used = await anyIncidentOf(trx, id);
    if (used) throw conflict('This service has incidents; it cannot be deleted');
    if (!(await deleteServiceRow(trx, id))) throw notFound('Service');
    await audit(trx, ctx.clock.now(), actor, 'service.delete', id, { name: before.name }, { before });
  });
}

/** A service's integrations (keys are never returned after creation; the signing secret only to admins, others see `signingSecretSet`). */
export async function listIntegrations(ctx: Ctx, actor: Actor, serviceId: string): Promise<Integration[]> {
  requirePermission(actor, 'read');
  const rows = await integrationRowsOf(ctx.db.kysely, serviceId);
  const all = rows.map(integrationFromRow);
  const teamId = (await findService(ctx.db.kysely, serviceId))?.teamId ?? null;
  if (can(actor, 'admin', teamId)) return all.map((i) => ({ ...i, settings: openIntegrationSettings(ctx, i.settings, true) }));
  return all.map((i) => {
    const { signingSecret, ...settings } = i.settings;
    return { ...i, settings: { ...settings, ...(signingSecret !== undefined && { signingSecretSet: true }) } };
  });
}

/** A name as a message shows it: bare when simple, quoted otherwise. */
const shown = (name: string) => (/^[A-Za-z0-9@._+-]+$/.test(name) ? name : JSON.stringify(name));

/** Refuses a key that another integration (not `self`) uses: keys are unique across every service. */
async function refuseUsedKey(trx: Tx, key: string, self?: string): Promise<void> {
  const owner = await keyOwner(trx, sha256(key));
  if (owner && owner.id !== self) {
    throw new AppError('conflict', 'That integration key is already in use', [{ path: 'key', message: `this key is already used by integration ${shown(owner.service)}/${shown(owner.name)}` }]);
  }
}

/** Creates an integration on a service and returns its key once. Admins only. */
export async function createIntegration(ctx: Ctx, actor: Actor, serviceId: string, input: unknown): Promise<Integration> {
  requirePermissionSomewhere(actor, 'admin');
  const v = parse(IntegrationInput, input, 'integration');
  const key = v.key ?? newSecret('', 24).replace(/[^A-Za-z0-9]/g, 'x');
  const settings: IntegrationSettings = {
    ...(v.signingSecret !== undefined && { signingSecret: v.signingSecret }),
    ...(v.rateLimitPerMinute !== undefined && { rateLimitPerMinute: v.rateLimitPerMinute }),
  };
  const now = ctx.clock.now();
  return inTransaction(ctx, async (trx, live) => {
    live.push({ type: 'config' });
    const s = await findService(trx, serviceId);
    if (!s) throw notFound('Service');
    requirePermission(actor, 'admin', s.teamId);
    if (await integrationIdByName(trx, s.id, v.name)) {
      throw conflict(`Service ${s.name} already has an integration named "${v.name}"`);
    }
    await refuseUsedKey(trx, key);
    const id = newId();
    await insertIntegration(trx, {
      id,
      service_id: s.id,
      name: v.name,
      kind: v.kind,
      key_hash: sha256(key),
      key_hint: key.slice(-4),
      settings: JSON.stringify(sealSettings(ctx, settings)),
      created_at: now,
    });
    await audit(
      trx,
      now,
      actor,
      'integration.create',
      id,
      { serviceId: s.id, kind: v.kind, signingSecretSet: v.signingSecret !== undefined },
      { after: { id, serviceId: s.id, name: v.name, kind: v.kind, keyHint: key.slice(-4), rateLimitPerMinute: v.rateLimitPerMinute ?? null } },
    );
    return { id, serviceId: s.id, name: v.name, kind: v.kind, keyHint: key.slice(-4), settings, key, endpoint: integrationEndpoint(ctx.publicUrl, v.kind, key, ctx.inboundEmailDomain) };
  });
}

/** Updates an integration's settings (and key, if one is given). Admins only. */
export async function updateIntegration(ctx: Ctx, actor: Actor, id: string, patch: { key?: string; signingSecret?: string | null; rateLimitPerMinute?: number | null }): Promise<Integration> {
  requirePermissionSomewhere(actor, 'admin');
  return inTransaction(ctx, async (trx, live) => {
    live.push({ type: 'config' });
    const r = await integrationRow(trx, id);
    if (!r) throw notFound('Integration');
    requirePermission(actor, 'admin', (await findService(trx, r.service_id))?.teamId ?? null);
    if (patch.key) await refuseUsedKey(trx, patch.key, id);
    // Kept as stored (sealed) unless replaced: a secret sealed under an older key can still be set again.
    const settings = JSON.parse(r.settings) as IntegrationSettings;
    if (patch.signingSecret !== undefined) {
      if (patch.signingSecret === null) delete settings.signingSecret;
      else settings.signingSecret = patch.signingSecret;
    }
    if (patch.rateLimitPerMinute !== undefined) {
      if (patch.rateLimitPerMinute === null) delete settings.rateLimitPerMinute;
      else settings.rateLimitPerMinute = patch.rateLimitPerMinute;
    }
    await updateIntegrationRow(trx, id, { settings: JSON.stringify(sealSettings(ctx, settings)), ...(patch.key && { key_hash: sha256(patch.key), key_hint: patch.key.slice(-4) }) });
    // Secrets are never written to the trail: only that they changed.
    const before = { keyHint: r.key_hint, rateLimitPerMinute: (JSON.parse(r.settings) as IntegrationSettings).rateLimitPerMinute ?? null };
    const after = { keyHint: patch.key ? patch.key.slice(-4) : r.key_hint, rateLimitPerMinute: settings.rateLimitPerMinute ?? null };
    await audit(
      trx,
      ctx.clock.now(),
      actor,
      'integration.update',
      id,
      { serviceId: r.service_id, keyChanged: Boolean(patch.key), signingSecretChanged: patch.signingSecret !== undefined },
      { before, after },
    );
    const out = integrationFromRow({ ...r, settings: JSON.stringify(settings), key_hint: patch.key ? patch.key.slice(-4) : r.key_hint });
    return { ...out, settings: openIntegrationSettings(ctx, out.settings, true) };
  });
}

/** Deletes an integration. Admins only. */
export async function deleteIntegration(ctx: Ctx, actor: Actor, id: string): Promise<void> {
  requirePermissionSomewhere(actor, 'admin');
  await inTransaction(ctx, async (trx, live) => {
    live.push({ type: 'config' });
    const r = await integrationRow(trx, id);
    if (!r) throw notFound('Integration');
    requirePermission(actor, 'admin', (await findService(trx, r.service_id))?.teamId ?? null);
    if (!(await deleteIntegrationRow(trx, id))) throw notFound('Integration');
    await audit(trx, ctx.clock.now(), actor, 'integration.delete', id, {});
  });
}
