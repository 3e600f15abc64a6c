import { ActionIcon, Badge, Button, Card, Code, Group, NumberInput, Paper, Select, Stack, Switch, Text, Textarea, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueries, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { IconArrowDown, IconArrowUp, IconFlask, IconPencil, IconPlus, IconTrash } from '@tabler/icons-react';
import { useMemo, useState } from 'react';
import { api, errorMessage } from '../api/client.ts';
import { keys } from '../api/keys.ts';
import { rulesApi, type EventRule, type RuleActions, type TestedEvent } from '../api/rules.ts';
import { PRIORITIES, SEVERITIES } from '@klaxon/contract/lists';
import type { Integration, Service } from '@klaxon/contract';
import { FormAlert, PageHeader, QueryState } from '../components/bits.tsx';
import { FormDialog } from '../components/form-dialog.tsx';
import { useFormErrors } from '../lib/form.ts';
import { moveBy } from '../lib/ordered-list.ts';
import { useSession } from '../session.tsx';
import { must } from '../lib/must.ts';

/** How long Undo is offered after a rule is deleted. */
const UNDO_MS = 10_000;

/** The form's draft of a rule's actions: text fields as typed, turned into RuleActions on save. */
interface Draft {
  name: string;
  condition: string;
  enabled: boolean;
  route: string;
  severity: string;
  urgency: string;
  priority: string;
  title: string;
  dedupKey: string;
  labels: string;
  links: string;
  groupBy: string;
  suppress: boolean;
  drop: boolean;
  pauseMinutes: number | '';
}

function draftOf(r?: EventRule): Draft {
  const a: RuleActions = r?.actions ?? {};
  return {
    name: r?.name ?? '',
    condition: r?.condition ?? '',
    enabled: r?.enabled ?? true,
    route: a.route ?? '',
    severity: a.severity ?? '',
    urgency: a.urgency ?? '',
    priority: a.priority ?? '',
    title: a.title ?? '',
    dedupKey: a.dedupKey ?? '',
    labels: Object.entries(a.labels ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join('\n'),
    links: (a.links ?? []).map((l) => (l.text ? `${l.href} ${l.text}` : l.href)).join('\n'),
    groupBy: (a.groupBy ?? []).join(', '),
    suppress: a.suppress ?? false,
    drop: a.drop ?? false,
    pauseMinutes: a.pauseMinutes ?? '',
  };
}

/** The actions of a draft; `problem` names a line the form cannot read. */
function actionsOf(d: Draft): { actions: RuleActions; problem?: { path: string; message: string } } {
  const a: RuleActions = {};
  if (d.route) a.route = d.route;
  if (d.severity) a.severity = d.severity as RuleActions['severity'];
  if (d.urgency) a.urgency = d.urgency as 'high' | 'low';
  if (d.priority) a.priority = d.priority as RuleActions['priority'];
  if (d.title.trim()) a.title = d.title.trim();
  if (d.dedupKey.trim()) a.dedupKey = d.dedupKey.trim();
  const labels: Record<string, string> = {};
  for (const line of d.labels.split('\n').map((l) => l.trim())) {
    if (!line) continue;
    const eq = line.indexOf('=');
    if (eq < 1) return { actions: a, problem: { path: 'actions.labels', message: `"${line}" is not name=value` } };
    labels[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  if (Object.keys(labels).length) a.labels = labels;
  const links = d.links
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const sp = l.indexOf(' ');
      return sp < 0 ? { href: l } : { href: l.slice(0, sp), text: l.slice(sp + 1).trim() };
    });
  if (links.length) a.links = links;
  const groupBy = d.groupBy
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (groupBy.length) a.groupBy = groupBy;
  if (d.suppress) a.suppress = true;
  if (d.drop) a.drop = true;
  if (d.pauseMinutes !== '') a.pauseMinutes = d.pauseMinutes;
  return { actions: a };
}

/** What a rule does, in a few words. */
function actionWords(a: RuleActions, serviceName: (id: string) => string): string {
  const out: string[] = [];
  if (a.drop) out.push('drop');
  if (a.suppress) out.push('suppress');
  if (a.route) out.push(`route to ${serviceName(a.route)}`);
  if (a.severity) out.push(`severity ${a.severity}`);
  if (a.urgency) out.push(`${a.urgency} urgency`);
  if (a.priority) out.push(`priority ${a.priority}`);
  if (a.pauseMinutes) out.push(`pause ${a.pauseMinutes} min`);
  if (a.title) out.push('title from template');
  if (a.dedupKey) out.push('dedup key from template');
  if (a.groupBy) out.push(`group by ${a.groupBy.join(', ')}`);
  if (a.labels) out.push(`labels ${Object.keys(a.labels).join(', ')}`);
  if (a.links) out.push(`${a.links.length} link${a.links.length === 1 ? '' : 's'}`);
  return out.length ? out.join(' · ') : 'no actions';
}

function RuleForm({ rule, integrationId, services, onClose }: { rule?: EventRule; integrationId: string | null; services: Service[]; onClose: () => void }) {
  const qc = useQueryClient();
  const errors = useFormErrors();
  const [d, setD] = useState<Draft>(() => draftOf(rule));
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setD((x) => ({ ...x, [k]: v }));
  const m = useMutation({
    mutationFn: (actions: RuleActions) =>
      rule
        ? rulesApi.update(rule.id, { name: d.name.trim(), condition: d.condition, enabled: d.enabled, actions })
        : rulesApi.create({ integrationId, name: d.name.trim(), condition: d.condition, enabled: d.enabled, actions }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: keys.eventRules });
      onClose();
    },
    onError: errors.set,
  });
  const submit = () => {
    const { actions, problem } = actionsOf(d);
    if (problem) return errors.setField(problem.path, problem.message);
    m.mutate(actions);
  };
  const serviceOptions = services.map((s) => ({ value: s.id, label: s.name }));
  return (
    <FormDialog
      title={rule ? `Edit rule ${rule.name}` : 'New event rule'}
      onClose={onClose}
      errors={errors}
      onSubmit={submit}
      submitLabel={rule ? 'Save' : 'Add rule'}
      pending={m.isPending}
      submitTestId="save-rule"
      formTestId="rule-form"
      size="lg"
    >
      <TextInput label="Name" value={d.name} onChange={(e) => set('name', e.currentTarget.value)} error={errors.field('name')} data-testid="rule-name" />
      <Textarea
        label="Condition (CEL)"
        description={
          <>
            A CEL expression giving true or false over <Code>summary</Code>, <Code>severity</Code>, <Code>source</Code>, <Code>labels</Code>, <Code>details</Code>, <Code>raw</Code>,{' '}
            <Code>integration</Code>; e.g. <Code>labels.team == "db" && severity == "warning"</Code>
          </>
        }
        autosize
        minRows={2}
        styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
        value={d.condition}
        onChange={(e) => set('condition', e.currentTarget.value)}
        error={errors.field('condition')}
        data-testid="rule-condition"
      />
      <Switch label="Enabled" checked={d.enabled} onChange={(e) => set('enabled', e.currentTarget.checked)} />
      <Title order={4}>Actions</Title>
      <Select label="Route to service" clearable data={serviceOptions} value={d.route || null} onChange={(v) => set('route', v ?? '')} error={errors.field('actions.route')} data-testid="rule-route" />
      <Group grow align="flex-start">
        <Select
          label="Severity"
          clearable
          data={[...SEVERITIES]}
          value={d.severity || null}
          onChange={(v) => set('severity', v ?? '')}
          error={errors.field('actions.severity')}
          data-testid="rule-severity"
        />
        <Select label="Urgency" clearable data={['high', 'low']} value={d.urgency || null} onChange={(v) => set('urgency', v ?? '')} data-testid="rule-urgency" />
        <Select label="Priority" clearable data={[...PRIORITIES]} value={d.priority || null} onChange={(v) => set('priority', v ?? '')} data-testid="rule-priority" />
      </Group>
      <TextInput
        label="Title (template)"
        placeholder="{{labels.alertname}} on {{labels.instance}}"
        value={d.title}
        onChange={(e) => set('title', e.currentTarget.value)}
        error={errors.field('actions.title')}
      />
      <TextInput label="Dedup key (template)" value={d.dedupKey} onChange={(e) => set('dedupKey', e.currentTarget.value)} error={errors.field('actions.dedupKey')} />
      <Textarea label="Labels to add (name=template, one a line)" autosize minRows={1} value={d.labels} onChange={(e) => set('labels', e.currentTarget.value)} error={errors.under('actions.labels')} />
      <Textarea label="Links (URL, then optional text, one a line)" autosize minRows={1} value={d.links} onChange={(e) => set('links', e.currentTarget.value)} error={errors.under('actions.links')} />
      <TextInput label="Group by labels (comma-separated)" value={d.groupBy} onChange={(e) => set('groupBy', e.currentTarget.value)} error={errors.under('actions.groupBy')} />
      <NumberInput
        label="Pause notifications (minutes)"
        description="Paged only if the alert is still open then"
        min={1}
        max={1440}
        value={d.pauseMinutes}
        onChange={(n) => set('pauseMinutes', n === '' ? '' : Number(n))}
        error={errors.field('actions.pauseMinutes')}
      />
      <Group>
        <Switch label="Suppress (store, page nobody)" checked={d.suppress} onChange={(e) => set('suppress', e.currentTarget.checked)} data-testid="rule-suppress" />
        <Switch label="Drop (store nothing, stop)" checked={d.drop} onChange={(e) => set('drop', e.currentTarget.checked)} data-testid="rule-drop" />
      </Group>
    </FormDialog>
  );
}

/** Deletes a rule at once and offers Undo, which puts it back (same place, condition and actions). */
function deleteWithUndo(qc: QueryClient, r: EventRule): void {
  const id = `rule-deleted-${r.id}`;
  rulesApi
    .remove(r.id)
    .then(() => {
      void qc.invalidateQueries({ queryKey: keys.eventRules });
      const undo = () => {
        notifications.update({ id, loading: true, message: 'Restoring…', autoClose: false });
        rulesApi
          .create({ integrationId: r.integrationId, position: r.position, name: r.name, condition: r.condition, actions: r.actions, enabled: r.enabled })
          .then(() => {
            void qc.invalidateQueries({ queryKey: keys.eventRules });
            notifications.update({ id, loading: false, color: 'green', message: `Rule ${r.name} restored`, autoClose: 3000 });
          })
          .catch((e: unknown) => notifications.update({ id, loading: false, color: 'red', title: 'Could not undo', message: errorMessage(e), autoClose: 6000 }));
      };
      notifications.show({
        id,
        autoClose: UNDO_MS,
        message: (
          <Group justify="space-between" wrap="nowrap" gap="sm" data-testid="rule-deleted-toast">
            <Text size="sm">Rule {r.name} deleted</Text>
            <Button size="compact-md" variant="light" onClick={undo} data-testid="undo-delete-rule">
              Undo
            </Button>
          </Group>
        ),
      });
    })
    .catch((e: unknown) => notifications.show({ color: 'red', message: errorMessage(e) }));
}

function RuleCard({
  r,
  index,
  count,
  onMove,
  onEdit,
  serviceName,
}: {
  r: EventRule;
  index: number;
  count: number;
  onMove: (by: number) => void;
  onEdit: () => void;
  serviceName: (id: string) => string;
}) {
  const { isAdmin } = useSession();
  const qc = useQueryClient();
  return (
    <Card withBorder radius="md" p="sm" data-testid="event-rule" data-rule-id={r.id}>
      <Group justify="space-between" align="flex-start" wrap="nowrap" gap="xs">
        <Stack gap={4} style={{ minWidth: 0, flex: 1 }}>
          <Group gap={6} wrap="wrap">
            <Text fw={700} style={{ overflowWrap: 'anywhere' }}>
              {index + 1}. {r.name}
            </Text>
            {!r.enabled && <Badge color="gray">Disabled</Badge>}
            {r.stats.failed > 0 && (
              <Badge color="red" variant="light" data-testid="rule-failed">
                {r.stats.failed} failed
              </Badge>
            )}
          </Group>
          <Code block style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }} data-testid="rule-condition-text">
            {r.condition}
          </Code>
          <Text size="sm">{actionWords(r.actions, serviceName)}</Text>
          <Text size="xs" c="dimmed" data-testid="rule-stats">
            Since this server started: {r.stats.evaluated} evaluated, {r.stats.matched} matched, {r.stats.failed} failed to evaluate
            {r.stats.dropped > 0 && `, ${r.stats.dropped} dropped`}
          </Text>
          {r.stats.lastError && (
            <Text size="xs" c="red" data-testid="rule-last-error" style={{ overflowWrap: 'anywhere' }}>
              Last failure: {r.stats.lastError}
            </Text>
          )}
        </Stack>
        {isAdmin && (
          <Stack gap={4}>
            <ActionIcon size={44} variant="subtle" aria-label={`Move ${r.name} up`} disabled={index === 0} onClick={() => onMove(-1)}>
              <IconArrowUp size={20} />
            </ActionIcon>
            <ActionIcon size={44} variant="subtle" aria-label={`Move ${r.name} down`} disabled={index === count - 1} onClick={() => onMove(1)}>
              <IconArrowDown size={20} />
            </ActionIcon>
            <ActionIcon size={44} variant="subtle" aria-label={`Edit ${r.name}`} onClick={onEdit} data-testid="edit-rule">
              <IconPencil size={20} />
            </ActionIcon>
            <ActionIcon size={44} variant="subtle" color="red" aria-label={`Delete ${r.name}`} onClick={() => deleteWithUndo(qc, r)} data-testid="delete-rule">
              <IconTrash size={20} />
            </ActionIcon>
          </Stack>
        )}
      </Group>
    </Card>
  );
}

/** One rule set (global or an integration's), in order, with add, reorder, edit and delete. */
function RuleSet({ title, integrationId, rules, services }: { title: string; integrationId: string | null; rules: EventRule[]; services: Service[] }) {
  const { isAdmin } = useSession();
  const qc = useQueryClient();
  const [editing, setEditing] = useState<EventRule | 'new' | null>(null);
  const serviceName = (id: string) => services.find((s) => s.id === id || s.name === id)?.name ?? id;
  const reorder = useMutation({
    mutationFn: async (next: EventRule[]) => {
      // Positions 1..n in the new order; only the rules whose position changes are written.
      for (const [i, r] of next.entries()) if (r.position !== i + 1) await rulesApi.update(r.id, { position: i + 1 });
    },
    onSettled: () => void qc.invalidateQueries({ queryKey: keys.eventRules }),
    onError: (e) => notifications.show({ color: 'red', message: errorMessage(e) }),
  });
  return (
    <Paper withBorder p="md" radius="md" data-testid="rule-set" data-scope={integrationId ?? 'global'}>
      <Group justify="space-between" mb="sm" gap="xs">
        <Title order={3} fz="lg">
          {title}
        </Title>
        {isAdmin && (
          <Button size="sm" leftSection={<IconPlus size={16} />} onClick={() => setEditing('new')} data-testid="add-rule">
            Add rule
          </Button>
        )}
      </Group>
      <Stack gap="xs">
        {rules.map((r, i) => (
          <RuleCard key={r.id} r={r} index={i} count={rules.length} serviceName={serviceName} onEdit={() => setEditing(r)} onMove={(by) => reorder.mutate(moveBy(rules, i, by))} />
        ))}
        {rules.length === 0 && <Text c="dimmed">No rules: every alert goes to its integration’s service.</Text>}
      </Stack>
      {editing && <RuleForm rule={editing === 'new' ? undefined : editing} integrationId={integrationId} services={services} onClose={() => setEditing(null)} />}
    </Paper>
  );
}

const SAMPLE = JSON.stringify({ summary: 'Disk full on db-1', severity: 'warning', source: 'db-1', dedup_key: 'disk-db-1', fields: { team: 'db' } }, null, 2);

/** The tester: a payload as an integration's sender would post it, and what the rules would do. */
function Tester({ integrations, services }: { integrations: (Integration & { serviceName: string })[]; services: Service[] }) {
  const errors = useFormErrors();
  const [integrationId, setIntegrationId] = useState<string | null>(null);
  const [payload, setPayload] = useState(SAMPLE);
  const m = useMutation({ mutationFn: (json: unknown) => rulesApi.test(must(integrationId, 'the integration'), json), onError: errors.set });
  const run = () => {
    errors.clear();
    if (!integrationId) return errors.setField('integrationId', 'Choose the integration the payload arrives on');
    let json: unknown;
    try {
      json = JSON.parse(payload);
    } catch (e) {
      return errors.setField('payload', `The payload is not JSON: ${(e as Error).message}`);
    }
    m.mutate(json);
  };
  return (
    <Paper withBorder p="md" radius="md" data-testid="rule-tester">
      <Group gap={8} mb="sm">
        <IconFlask size={22} />
        <Title order={3} fz="lg">
          Test a payload
        </Title>
      </Group>
      <Stack gap="sm">
        <Select
          label="Arrives on integration"
          searchable
          data={integrations.map((i) => ({ value: i.id, label: `${i.serviceName} · ${i.name} (${i.kind})` }))}
          value={integrationId}
          onChange={setIntegrationId}
          error={errors.field('integrationId')}
          data-testid="tester-integration"
        />
        <Textarea
          label="Payload (JSON, as the sender posts it)"
          autosize
          minRows={5}
          maxRows={16}
          styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
          value={payload}
          onChange={(e) => setPayload(e.currentTarget.value)}
          error={errors.field('payload')}
          data-testid="tester-payload"
        />
        <FormAlert message={errors.message} />
        <Button onClick={run} loading={m.isPending} w="fit-content" leftSection={<IconFlask size={16} />} data-testid="run-test">
          Test
        </Button>
        {m.data?.map((e, i) => (
          <TestedEventCard key={i} e={e} services={services} />
        ))}
        {m.data?.length === 0 && <Text c="dimmed">The payload holds no events.</Text>}
      </Stack>
    </Paper>
  );
}

const RESULT: Record<TestedEvent['result'], { label: string; color: string }> = {
  alert: { label: 'Alert: pages', color: 'red' },
  paused: { label: 'Paused', color: 'yellow' },
  suppressed: { label: 'Suppressed: pages nobody', color: 'gray' },
  dropped: { label: 'Dropped: stored nowhere', color: 'dark' },
};

function TestedEventCard({ e, services }: { e: TestedEvent; services: Service[] }) {
  const r = RESULT[e.result];
  const serviceName = (id: string) => services.find((s) => s.id === id || s.name === id)?.name ?? id;
  return (
    <Card withBorder radius="md" p="sm" data-testid="tested-event">
      <Stack gap={6}>
        <Group gap={8} wrap="wrap">
          <Badge color={r.color} data-testid="tested-result">
            {r.label}
            {e.result === 'paused' && e.pauseMinutes !== null && ` ${e.pauseMinutes} min`}
          </Badge>
          <Text fw={600} style={{ overflowWrap: 'anywhere' }}>
            {e.summary}
          </Text>
        </Group>
        <Text size="sm" data-testid="tested-service">
          Service: {e.serviceName}
          {e.catchAll && ' (catch-all: the route named no service)'} · severity {e.severity}
          {e.urgency && ` · ${e.urgency} urgency`}
          {e.priority && ` · priority ${e.priority}`}
          {e.dedupKey && ` · dedup key ${e.dedupKey}`}
        </Text>
        {Object.keys(e.labels).length > 0 && (
          <Text size="xs" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
            Labels:{' '}
            {Object.entries(e.labels)
              .map(([k, v]) => `${k}=${v}`)
              .join(', ')}
          </Text>
        )}
        <Stack gap={2}>
          {e.rules.map((x) => (
            <Group key={x.ruleId} gap={6} wrap="nowrap" align="flex-start" data-testid="tested-rule" data-result={x.result}>
              <Badge size="sm" variant="light" color={x.result === 'matched' ? 'green' : x.result === 'failed' ? 'red' : 'gray'} style={{ flexShrink: 0 }}>
                {x.result === 'not_matched' ? 'no match' : x.result}
              </Badge>
              <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
                {x.name}
                {x.scope === 'global' ? ' (global)' : ''}
                {x.actions && ` → ${actionWords(x.actions, serviceName)}`}
                {x.error && `: ${x.error}`}
              </Text>
            </Group>
          ))}
          {e.rules.length === 0 && (
            <Text size="sm" c="dimmed">
              No rules apply to this integration.
            </Text>
          )}
        </Stack>
      </Stack>
    </Card>
  );
}

/** Event rules (admins): the global set and each integration's, in order, the catch-all service and the tester. */
export default function EventRulesPage() {
  const qc = useQueryClient();
  const rulesQ = useQuery({ queryKey: keys.eventRules, queryFn: rulesApi.list });
  const servicesQ = useQuery({ queryKey: keys.services, queryFn: api.services.list });
  const services = useMemo(() => servicesQ.data ?? [], [servicesQ.data]);
  const integrationQs = useQueries({ queries: services.map((s) => ({ queryKey: keys.integrations(s.id), queryFn: () => api.integrations.list(s.id) })) });
  const integrations = integrationQs.flatMap((q, i) => (q.data ?? []).map((x) => ({ ...x, serviceName: services[i]?.name ?? '' })));
  const catchAll = useMutation({
    mutationFn: (id: string | null) => rulesApi.setCatchAll(id),
    onSuccess: () => void qc.invalidateQueries({ queryKey: keys.eventRules }),
    onError: (e) => notifications.show({ color: 'red', message: errorMessage(e) }),
  });
  const all = rulesQ.data?.rules ?? [];
  const global = all.filter((r) => r.integrationId === null);
  return (
    <>
      <PageHeader title="Event rules" />
      <Text c="dimmed" size="sm" mb="md">
        Every alert runs through the global rules, then its integration’s, in order; each matching rule applies its actions, and a drop stops. A rule that fails to evaluate is skipped (the event is
        never lost) and counted here.
      </Text>
      <QueryState isPending={rulesQ.isPending || servicesQ.isPending} error={rulesQ.error ?? servicesQ.error}>
        <Stack>
          <Select
            label="Catch-all service"
            description="Where an alert goes when a rule routes it to a service that does not exist"
            clearable
            data={services.map((s) => ({ value: s.id, label: s.name }))}
            value={rulesQ.data?.catchAllServiceId ?? null}
            onChange={(v) => catchAll.mutate(v)}
            maw={420}
            data-testid="catch-all"
          />
          <RuleSet title="Global rules" integrationId={null} rules={global} services={services} />
          {integrations.map((i) => (
            <RuleSet key={i.id} title={`${i.serviceName} · ${i.name}`} integrationId={i.id} rules={all.filter((r) => r.integrationId === i.id)} services={services} />
          ))}
          <Tester integrations={integrations} services={services} />
        </Stack>
      </QueryState>
    </>
  );
}
