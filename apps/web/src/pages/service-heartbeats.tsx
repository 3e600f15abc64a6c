import { Alert, Anchor, Badge, Button, Card, Group, NumberInput, Paper, Stack, Switch, Text, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { IconHeartbeat, IconPencil, IconPlus, IconTrash } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { api, errorMessage } from '../api/client.ts';
import { keys } from '../api/keys.ts';
import type { Heartbeat } from '@klaxon/contract';
import { CopyBlock, FormAlert, QueryState } from '../components/bits.tsx';
import { useFormErrors } from '../lib/form.ts';
import { ago, dateTime } from '../lib/time.ts';
import { useSession } from '../session.tsx';

const STATE: Record<Heartbeat['state'], { label: string; color: string }> = {
  ok: { label: 'OK', color: 'green' },
  late: { label: 'Late', color: 'red' },
  never: { label: 'No check-in yet', color: 'gray' },
  disabled: { label: 'Disabled', color: 'gray' },
};

const minutes = (m: number) => (m % 1440 === 0 ? `${m / 1440} d` : m % 60 === 0 ? `${m / 60} h` : `${m} min`);

type Draft = { name: string; intervalMinutes: number | ''; graceMinutes: number | ''; enabled: boolean; watchdogAlert: string };

/** The form to add or change a heartbeat (admins). */
function HeartbeatForm({ serviceId, hb, onDone }: { serviceId: string; hb?: Heartbeat; onDone: (created?: Heartbeat) => void }) {
  const qc = useQueryClient();
  const errors = useFormErrors();
  const [v, setV] = useState<Draft>({
    name: hb?.name ?? '',
    intervalMinutes: hb?.intervalMinutes ?? 60,
    graceMinutes: hb?.graceMinutes ?? 5,
    enabled: hb?.enabled ?? true,
    watchdogAlert: hb?.watchdogAlert ?? '',
  });
  const m = useMutation({
    mutationFn: () => {
      const input = {
        name: v.name.trim(),
        intervalMinutes: v.intervalMinutes === '' ? 0 : v.intervalMinutes,
        graceMinutes: v.graceMinutes === '' ? 0 : v.graceMinutes,
        enabled: v.enabled,
        watchdogAlert: v.watchdogAlert.trim() || null,
      };
      return hb ? api.heartbeats.update(serviceId, hb.id, input) : api.heartbeats.create(serviceId, input);
    },
    onSuccess: (x) => {
      void qc.invalidateQueries({ queryKey: keys.heartbeats(serviceId) });
      onDone(hb ? undefined : x);
    },
    onError: errors.set,
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    errors.clear();
    m.mutate();
  };
  return (
    <form onSubmit={submit} noValidate data-testid="heartbeat-form">
      <Stack gap="sm">
        <TextInput label="Name" placeholder="nightly-backup" value={v.name} onChange={(e) => setV({ ...v, name: e.currentTarget.value })} error={errors.field('name')} data-testid="heartbeat-name" />
        <Group grow align="flex-start">
          <NumberInput
            label="Expected every (minutes)"
            min={1}
            value={v.intervalMinutes}
            onChange={(n) => setV({ ...v, intervalMinutes: n === '' ? '' : Number(n) })}
            error={errors.field('intervalMinutes')}
            data-testid="heartbeat-interval"
          />
          <NumberInput
            label="Grace (minutes)"
            min={0}
            value={v.graceMinutes}
            onChange={(n) => setV({ ...v, graceMinutes: n === '' ? '' : Number(n) })}
            error={errors.field('graceMinutes')}
            data-testid="heartbeat-grace"
          />
        </Group>
        <TextInput
          label="Alertmanager alert that counts as a check-in (optional)"
          description="e.g. Watchdog: its arrival on this service's Alertmanager integrations is a check-in, not an incident"
          value={v.watchdogAlert}
          onChange={(e) => setV({ ...v, watchdogAlert: e.currentTarget.value })}
          error={errors.field('watchdogAlert')}
        />
        <Switch label="Enabled" checked={v.enabled} onChange={(e) => setV({ ...v, enabled: e.currentTarget.checked })} />
        <FormAlert message={errors.message} />
        <Group>
          <Button type="submit" leftSection={hb ? undefined : <IconPlus size={18} />} loading={m.isPending} data-testid="save-heartbeat">
            {hb ? 'Save' : 'Add heartbeat'}
          </Button>
          {hb && (
            <Button variant="default" onClick={() => onDone()}>
              Cancel
            </Button>
          )}
        </Group>
      </Stack>
    </form>
  );
}

function HeartbeatRow({ hb }: { hb: Heartbeat }) {
  const { isAdmin } = useSession();
  const qc = useQueryClient();
  const [editing, setEditing] = useState(false);
  const remove = useMutation({
    mutationFn: () => api.heartbeats.remove(hb.serviceId, hb.id),
    onSuccess: () => void qc.invalidateQueries({ queryKey: keys.heartbeats(hb.serviceId) }),
    onError: (e) => notifications.show({ color: 'red', message: errorMessage(e) }),
  });
  const st = STATE[hb.state];
  return (
    <Card withBorder radius="md" data-testid="heartbeat">
      <Stack gap="xs">
        <Group justify="space-between" wrap="wrap" gap="xs">
          <div style={{ minWidth: 0 }}>
            <Group gap={8} wrap="wrap">
              <Text fw={700} style={{ overflowWrap: 'anywhere' }}>
                {hb.name}
              </Text>
              <Badge color={st.color} variant={hb.state === 'late' ? 'filled' : 'light'} data-testid="heartbeat-state">
                {st.label}
              </Badge>
            </Group>
            <Text size="sm" c="dimmed">
              every {minutes(hb.intervalMinutes)}
              {hb.graceMinutes > 0 && ` + ${minutes(hb.graceMinutes)} grace`}
              {hb.watchdogAlert && ` · Alertmanager ${hb.watchdogAlert}`} · URL …{hb.tokenHint}
            </Text>
            <Text size="sm" data-testid="heartbeat-last">
              Last check-in: {hb.lastCheckinAt === null ? 'never' : `${dateTime(hb.lastCheckinAt)} (${ago(hb.lastCheckinAt)})`}
            </Text>
            {hb.incidentId && (
              <Anchor component={Link} to={`/incidents/${hb.incidentId}`} size="sm">
                Open incident for this miss
              </Anchor>
            )}
          </div>
          {isAdmin && !editing && (
            <Group gap="xs">
              <Button variant="subtle" size="sm" leftSection={<IconPencil size={16} />} onClick={() => setEditing(true)} data-testid="edit-heartbeat">
                Edit
              </Button>
              <Button
                variant="subtle"
                color="red"
                size="sm"
                leftSection={<IconTrash size={16} />}
                loading={remove.isPending}
                onClick={() => confirm(`Delete heartbeat ${hb.name}?`) && remove.mutate()}
              >
                Delete
              </Button>
            </Group>
          )}
        </Group>
        {editing && <HeartbeatForm serviceId={hb.serviceId} hb={hb} onDone={() => setEditing(false)} />}
      </Stack>
    </Card>
  );
}

/** A service's heartbeats: state and last check-in for everyone; add, edit and delete for admins. */
export function ServiceHeartbeats({ serviceId }: { serviceId: string }) {
  const { isAdmin } = useSession();
  const q = useQuery({ queryKey: keys.heartbeats(serviceId), queryFn: () => api.heartbeats.list(serviceId) });
  const [created, setCreated] = useState<Heartbeat | null>(null);
  return (
    <Stack gap="sm">
      <Group gap={8}>
        <IconHeartbeat size={22} />
        <Title order={3}>Heartbeats</Title>
      </Group>
      <Text c="dimmed" size="sm">
        A job or tool checks in at its URL (GET or POST) at least every interval; when it does not, an incident opens on this service. Opsgenie heartbeat pings work too (docs/heartbeats.md).
      </Text>
      {created?.checkinUrl && (
        <Paper withBorder p="md" radius="md" data-testid="heartbeat-url-panel" style={{ borderColor: 'var(--mantine-color-orange-6)' }}>
          <Stack>
            <Alert color="orange" variant="light" title="Copy the check-in URL now">
              Klaxon stores only a hash of its token: this is the only time it is shown.
            </Alert>
            <CopyBlock label={`Check-in URL of ${created.name}`} value={created.checkinUrl} testId="heartbeat-url" wrap />
            <CopyBlock label="For example, at the end of the job" value={`curl -fsS -m 10 --retry 3 ${created.checkinUrl}`} wrap />
            <Button variant="default" onClick={() => setCreated(null)} w="fit-content">
              I have copied it
            </Button>
          </Stack>
        </Paper>
      )}
      <QueryState isPending={q.isPending} error={q.error}>
        <Stack>
          {q.data?.map((hb) => (
            <HeartbeatRow key={hb.id} hb={hb} />
          ))}
          {q.data?.length === 0 && <Text c="dimmed">No heartbeats.</Text>}
        </Stack>
      </QueryState>
      {isAdmin && (
        <Paper withBorder p="md" radius="md">
          <Title order={4} mb="sm">
            Add a heartbeat
          </Title>
          <HeartbeatForm serviceId={serviceId} onDone={(x) => x && setCreated(x)} />
        </Paper>
      )}
    </Stack>
  );
}
