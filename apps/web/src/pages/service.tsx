import { Alert, Anchor, Badge, Button, Card, Code, Group, Modal, NumberInput, Paper, PasswordInput, Select, Stack, Tabs, Text, TextInput, Textarea, Title } from '@mantine/core';

import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { IconKey, IconPlus, IconSend, IconTrash } from '@tabler/icons-react';
import { useEffect, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { api, errorMessage } from '../api/client.ts';
import { keys, usePolicies, useTeams } from '../api/queries.ts';
import { INTEGRATION_KINDS } from '@klaxon/contract/lists';
import type { Grouping, Integration, IntegrationKind, Service } from '@klaxon/contract';
import { CopyBlock, FormAlert, QueryState } from '../components/bits.tsx';
import { endpointFor, KIND_LABEL, snippetsFor } from '../integrations/snippets.ts';
import { preselect, rememberIntegration } from '../integrations/remembered.ts';
import { sendTestAlert, type TestAlertResult } from '../integrations/test-alert.ts';
import { useFormErrors } from '../lib/form.ts';
import { useSession } from '../session.tsx';
import { usePermissions } from '../lib/permissions.ts';
import { ObjectHistory } from '../components/audit.tsx';
import { usePhone } from '../lib/phone.ts';
import { ServiceHeartbeats } from './service-heartbeats.tsx';
import { ServiceHotlines } from './service-hotlines.tsx';
import { ChatChannels } from './chat-channels.tsx';

const base = () => window.location.origin;

function ServiceForm({ s }: { s: Service }) {
  const isAdmin = usePermissions().can('manage', s.teamId);
  const qc = useQueryClient();
  const navigate = useNavigate();
  const policies = usePolicies().data ?? [];
  const teams = useTeams().data ?? [];
  const errors = useFormErrors();
  const [v, setV] = useState(s);
  useEffect(() => setV(s), [s]);
  const save = useMutation({
    mutationFn: () => api.services.update(s.id, { name: v.name.trim(), description: v.description, escalationPolicyId: v.escalationPolicyId, teamId: v.teamId, grouping: v.grouping }),
    onSuccess: (x) => {
      qc.setQueryData(keys.service(x.id), x);
      void qc.invalidateQueries({ queryKey: keys.services });
      notifications.show({ message: 'Saved', color: 'green', autoClose: 1500 });
    },
    onError: errors.set,
  });
  const remove = useMutation({
    mutationFn: () => api.services.remove(s.id),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: keys.services });
      navigate('/services');
    },
    onError: errors.set,
  });
  const g = v.grouping;
  const setGrouping = (x: Grouping) => setV({ ...v, grouping: x });
  const ro = !isAdmin;
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        errors.clear();
        save.mutate();
      }}
      noValidate
    >
      <Stack>
        <TextInput label="Name" value={v.name} onChange={(e) => setV({ ...v, name: e.currentTarget.value })} error={errors.field('name')} readOnly={ro} />
        <Textarea
          label="Description"
          autosize
          minRows={1}
          value={v.description}
          onChange={(e) => setV({ ...v, description: e.currentTarget.value })}
          error={errors.field('description')}
          readOnly={ro}
        />
        <Select
          label="Escalation policy"
          description="Who is paged when this service has an incident"
          placeholder="None: nobody is paged"
          data={policies.map((p) => ({ value: p.id, label: p.name }))}
          value={v.escalationPolicyId}
          onChange={(x) => setV({ ...v, escalationPolicyId: x })}
          clearable
          error={errors.field('escalationPolicyId')}
          readOnly={ro}
        />
        <Select
          label="Team"
          placeholder="No team"
          data={teams.map((t) => ({ value: t.id, label: t.name }))}
          value={v.teamId}
          onChange={(x) => setV({ ...v, teamId: x })}
          clearable
          error={errors.field('teamId')}
          readOnly={ro}
        />
        <Select
          label="Grouping"
          description="How new alerts join an open incident"
          data={[
            { value: 'none', label: 'Every alert opens its own incident' },
            { value: 'window', label: 'Alerts within a time window join one incident' },
            { value: 'field', label: 'Alerts with the same value of a field join one incident' },
          ]}
          value={g.mode}
          onChange={(m) => setGrouping(m === 'window' ? { mode: 'window', minutes: 10 } : m === 'field' ? { mode: 'field', field: 'alertname' } : { mode: 'none' })}
          allowDeselect={false}
          readOnly={ro}
          error={errors.field('grouping')}
        />
        {g.mode === 'window' && (
          <NumberInput
            label="Window (minutes)"
            min={1}
            max={1440}
            value={g.minutes}
            onChange={(n) => setGrouping({ mode: 'window', minutes: Number(n) || 0 })}
            error={errors.under('grouping')}
            readOnly={ro}
          />
        )}
        {g.mode === 'field' && (
          <TextInput
            label="Field"
            description="e.g. alertname, cluster, component"
            value={g.field}
            onChange={(e) => setGrouping({ mode: 'field', field: e.currentTarget.value })}
            error={errors.under('grouping')}
            readOnly={ro}
          />
        )}
        <FormAlert message={errors.message} />
        {isAdmin && (
          <Group>
            <Button type="submit" loading={save.isPending}>
              Save
            </Button>
            <Button variant="subtle" color="red" loading={remove.isPending} onClick={() => confirm(`Delete service ${s.name}? Its integrations stop working.`) && remove.mutate()}>
              Delete service
            </Button>
          </Group>
        )}
      </Stack>
    </form>
  );
}

function TestAlertButton({ integration, keyValue }: { integration: Integration; keyValue: string }) {
  const [result, setResult] = useState<TestAlertResult | null>(null);
  const kind: IntegrationKind = integration.kind;
  const m = useMutation({
    mutationFn: () => {
      // Remembered per service in this browser: "Send test alert" preselects it next time.
      rememberIntegration(integration.serviceId, integration.id);
      return sendTestAlert(base(), kind, keyValue, integration.settings.signingSecret);
    },
    onSuccess: setResult,
    onError: (e) => setResult({ ok: false, status: 0, body: errorMessage(e) }),
  });
  return (
    <Stack gap="xs">
      <Group>
        <Button leftSection={<IconSend size={18} />} color="orange" variant="light" loading={m.isPending} onClick={() => m.mutate()} data-testid="send-test-alert">
          Send test alert
        </Button>
        <Text size="sm" c="dimmed">
          Opens a real incident on this service and pages its policy.
        </Text>
      </Group>
      {result && (
        <Alert color={result.ok ? 'green' : 'red'} variant="light" title={result.ok ? `Accepted (${result.status})` : `Refused (${result.status || 'network'})`} data-testid="test-alert-result">
          <Stack gap={4}>
            <Code block style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
              {result.body}
            </Code>
            {result.ok && (
              <Anchor component={Link} to="/incidents">
                See it in the incident list
              </Anchor>
            )}
          </Stack>
        </Alert>
      )}
    </Stack>
  );
}

/** The key of an integration, shown once, with where to paste it and a test button. */
function KeyPanel({ integration, keyValue, onDone }: { integration: Integration; keyValue: string; onDone?: () => void }) {
  const ep = integration.kind === 'email' && integration.endpoint ? { url: integration.endpoint } : endpointFor(base(), integration.kind, keyValue);
  const [tab, setTab] = useState<string | null>('0');
  const snippets = snippetsFor(base(), integration.kind, keyValue, integration.kind === 'email' ? ep.url : undefined);
  const phone = usePhone();
  return (
    <Paper withBorder p="md" radius="md" data-testid="integration-key-panel" style={{ borderColor: 'var(--mantine-color-orange-6)' }}>
      <Stack>
        <Alert color="orange" variant="light" icon={<IconKey size={18} />} title="Copy the key now">
          Klaxon stores only a hash of it: this is the only time it is shown. (You can set a new one later.)
        </Alert>
        <CopyBlock label="Key" value={keyValue} testId="integration-key" wrap />
        <CopyBlock
          label={integration.kind === 'pagerduty' ? 'Events URL' : integration.kind === 'opsgenie' ? 'Alert API URL' : integration.kind === 'email' ? 'Email address' : 'Webhook URL'}
          value={ep.url}
          testId="integration-url"
          wrap
        />
        {ep.auth && <CopyBlock label="Authentication" value={ep.auth} wrap />}
        {phone ? (
          // On a phone, tabs with long tool names do not fit: every snippet, one under the other.
          snippets.map((s, i) => (
            <Stack key={i} gap={4}>
              <Text fw={600} size="sm">
                {s.title}
              </Text>
              <Text size="sm" c="dimmed">
                {s.hint}
              </Text>
              <CopyBlock value={s.text} />
            </Stack>
          ))
        ) : (
          <Tabs value={tab} onChange={setTab}>
            <Tabs.List>
              {snippets.map((s, i) => (
                <Tabs.Tab key={i} value={String(i)}>
                  {s.title}
                </Tabs.Tab>
              ))}
            </Tabs.List>
            {snippets.map((s, i) => (
              <Tabs.Panel key={i} value={String(i)} pt="sm">
                <Text size="sm" c="dimmed" mb={6}>
                  {s.hint}
                </Text>
                <CopyBlock value={s.text} />
              </Tabs.Panel>
            ))}
          </Tabs>
        )}
        {integration.kind !== 'email' && <TestAlertButton integration={integration} keyValue={keyValue} />}
        {onDone && (
          <Button variant="default" onClick={onDone} w="fit-content">
            I have copied it
          </Button>
        )}
      </Stack>
    </Paper>
  );
}

function NewIntegration({ serviceId, onCreated }: { serviceId: string; onCreated: (i: Integration) => void }) {
  const qc = useQueryClient();
  const errors = useFormErrors();
  const [v, setV] = useState<{ name: string; kind: IntegrationKind; signingSecret: string; rate: number | '' }>({ name: '', kind: 'alertmanager', signingSecret: '', rate: '' });
  const m = useMutation({
    mutationFn: () =>
      api.integrations.create(serviceId, {
        name: v.name.trim() || v.kind,
        kind: v.kind,
        ...(v.kind === 'grafana' && v.signingSecret && { signingSecret: v.signingSecret }),
        ...(v.rate !== '' && { rateLimitPerMinute: v.rate }),
      }),
    onSuccess: (i) => {
      void qc.invalidateQueries({ queryKey: keys.integrations(serviceId) });
      setV({ name: '', kind: v.kind, signingSecret: '', rate: '' });
      onCreated(i);
    },
    onError: errors.set,
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    errors.clear();
    m.mutate();
  };
  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm">
        <Select
          label="Kind"
          data={INTEGRATION_KINDS.map((k) => ({ value: k, label: KIND_LABEL[k] }))}
          value={v.kind}
          onChange={(k) => setV({ ...v, kind: (k as IntegrationKind) ?? 'generic' })}
          allowDeselect={false}
          error={errors.field('kind')}
          data-testid="integration-kind"
        />
        <TextInput label="Name" placeholder={v.kind} value={v.name} onChange={(e) => setV({ ...v, name: e.currentTarget.value })} error={errors.field('name')} data-testid="integration-name" />
        {v.kind === 'grafana' && (
          <PasswordInput
            label="Signing secret (optional)"
            description="Grafana's HMAC signature secret; requests without a valid signature are refused"
            value={v.signingSecret}
            onChange={(e) => setV({ ...v, signingSecret: e.currentTarget.value })}
            error={errors.field('signingSecret')}
          />
        )}
        <NumberInput
          label="Rate limit (events per minute, optional)"
          min={1}
          value={v.rate}
          onChange={(n) => setV({ ...v, rate: n === '' ? '' : Number(n) })}
          error={errors.field('rateLimitPerMinute')}
        />
        <FormAlert message={errors.message} />
        <Button type="submit" leftSection={<IconPlus size={18} />} loading={m.isPending} w="fit-content" data-testid="create-integration">
          Add integration
        </Button>
      </Stack>
    </form>
  );
}

function randomKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return btoa(String.fromCharCode(...bytes)).replace(/[^A-Za-z0-9]/g, 'x');
}

function IntegrationRow({ i, onTest }: { i: Integration; onTest: () => void }) {
  const { isAdmin } = useSession();
  const qc = useQueryClient();
  const [shownKey, setShownKey] = useState<string | null>(null);
  const rotate = useMutation({
    mutationFn: async () => {
      const key = randomKey();
      await api.integrations.update(i.id, { key });
      return key;
    },
    onSuccess: (key) => {
      setShownKey(key);
      void qc.invalidateQueries({ queryKey: keys.integrations(i.serviceId) });
    },
    onError: (e) => notifications.show({ color: 'red', message: errorMessage(e) }),
  });
  const remove = useMutation({
    mutationFn: () => api.integrations.remove(i.id),
    onSuccess: () => void qc.invalidateQueries({ queryKey: keys.integrations(i.serviceId) }),
    onError: (e) => notifications.show({ color: 'red', message: errorMessage(e) }),
  });
  return (
    <Card withBorder radius="md" data-testid="integration">
      <Stack gap="sm">
        <Group justify="space-between" wrap="wrap">
          <div>
            <Text fw={700}>{i.name}</Text>
            <Group gap={6}>
              <Badge variant="light">{i.kind}</Badge>
              <Text size="sm" c="dimmed">
                key …{i.keyHint}
              </Text>
              {i.settings.signingSecret && (
                <Badge variant="outline" size="sm">
                  signed
                </Badge>
              )}
            </Group>
          </div>
          <Group gap="xs">
            <Button variant="light" size="sm" leftSection={<IconSend size={16} />} onClick={onTest} data-testid="row-test-alert">
              Send test alert
            </Button>
            {isAdmin && (
              <>
                <Button
                  variant="subtle"
                  size="sm"
                  leftSection={<IconKey size={16} />}
                  loading={rotate.isPending}
                  onClick={() => confirm('Set a new key? The old one stops working at once.') && rotate.mutate()}
                >
                  New key
                </Button>
                <Button
                  variant="subtle"
                  color="red"
                  size="sm"
                  leftSection={<IconTrash size={16} />}
                  loading={remove.isPending}
                  onClick={() => confirm(`Delete integration ${i.name}?`) && remove.mutate()}
                >
                  Delete
                </Button>
              </>
            )}
          </Group>
        </Group>
        {shownKey && <KeyPanel integration={i} keyValue={shownKey} onDone={() => setShownKey(null)} />}
      </Stack>
    </Card>
  );
}

/**
 * Send a test alert through one of the service's integrations: preselects the integration last used
 * on this service in this browser (integrations/remembered.ts), or the one whose row was pressed.
 */
function TestAlertModal({ integrations, chosen, onClose }: { integrations: Integration[]; chosen: string | null; onClose: () => void }) {
  const phone = usePhone();
  const [id, setId] = useState<string | null>(chosen);
  const [typed, setTyped] = useState('');
  const [seen, setSeen] = useState(chosen);
  if (seen !== chosen) {
    setSeen(chosen);
    setId(chosen);
    setTyped('');
  }
  const i = integrations.find((x) => x.id === id) ?? null;
  return (
    <Modal opened={chosen !== null} onClose={onClose} title="Send a test alert" fullScreen={!!phone}>
      <Stack>
        <Select
          label="Through integration"
          description="The one you used last on this service is chosen for you."
          data={integrations.map((x) => ({ value: x.id, label: `${x.name} (${KIND_LABEL[x.kind]}, key …${x.keyHint})` }))}
          value={id}
          onChange={(v) => {
            setId(v);
            setTyped('');
          }}
          allowDeselect={false}
          data-testid="test-alert-integration"
        />
        {i && (
          <>
            <Text size="sm">Keys are stored hashed, so Klaxon cannot show this one again. Paste the key (ending in …{i.keyHint}) to send a test alert through the real endpoint.</Text>
            <TextInput
              label="Key"
              value={typed}
              onChange={(e) => setTyped(e.currentTarget.value.trim())}
              error={typed && !typed.endsWith(i.keyHint) ? `This key does not end in …${i.keyHint}` : undefined}
              data-testid="test-key-input"
            />
            {typed.endsWith(i.keyHint) && typed.length >= 16 && i.kind !== 'email' && <TestAlertButton key={i.id} integration={i} keyValue={typed} />}
          </>
        )}
      </Stack>
    </Modal>
  );
}

/** A service: its settings, its integrations with their keys and config snippets, and a test button. */
export default function ServicePage() {
  const { id = '' } = useParams();
  const perms = usePermissions();
  const q = useQuery({ queryKey: keys.service(id), queryFn: () => api.services.get(id) });
  // Global admins, and admins of the service's team.
  const isAdmin = !!q.data && perms.can('manage', q.data.teamId);
  const integrations = useQuery({ queryKey: keys.integrations(id), queryFn: () => api.integrations.list(id) });
  const [created, setCreated] = useState<Integration | null>(null);
  const [testing, setTesting] = useState<string | null>(null);
  return (
    <QueryState isPending={q.isPending} error={q.error} retry={() => void q.refetch()}>
      {q.data && (
        <Stack gap="lg">
          <Anchor component={Link} to="/services" size="sm">
            ← Services
          </Anchor>
          <Title order={1} fz={{ base: 22, sm: 26 }}>
            {q.data.name}
          </Title>
          <Paper withBorder p="md" radius="md">
            <ServiceForm s={q.data} />
          </Paper>
          <Group justify="space-between" wrap="wrap" gap="xs">
            <Title order={3}>Integrations</Title>
            {!!integrations.data?.length && (
              <Button variant="light" leftSection={<IconSend size={18} />} onClick={() => setTesting(preselect(id, integrations.data ?? [])?.id ?? null)} data-testid="open-test-alert">
                Send test alert
              </Button>
            )}
          </Group>
          <Text c="dimmed" size="sm">
            Each integration has its own key. Monitoring tools send alerts to its URL; the key is shown once, right after it is created.
          </Text>
          {created && created.key && <KeyPanel integration={created} keyValue={created.key} onDone={() => setCreated(null)} />}
          <QueryState isPending={integrations.isPending} error={integrations.error}>
            <Stack>
              {integrations.data?.map((i) => (
                <IntegrationRow key={i.id} i={i} onTest={() => setTesting(i.id)} />
              ))}
              {integrations.data?.length === 0 && <Text c="dimmed">No integrations yet: this service cannot receive alerts.</Text>}
            </Stack>
          </QueryState>
          <TestAlertModal integrations={integrations.data ?? []} chosen={testing} onClose={() => setTesting(null)} />
          {isAdmin && (
            <Paper withBorder p="md" radius="md">
              <Title order={4} mb="sm">
                Add an integration
              </Title>
              <NewIntegration serviceId={id} onCreated={setCreated} />
            </Paper>
          )}
          <ServiceHeartbeats serviceId={q.data.id} />
          <ServiceHotlines serviceId={q.data.id} />
          <ChatChannels owner="services" id={q.data.id} canEdit={isAdmin} />
          {isAdmin && <ObjectHistory subjectType="service" subjectId={q.data.id} title="History of this service" />}
        </Stack>
      )}
    </QueryState>
  );
}
