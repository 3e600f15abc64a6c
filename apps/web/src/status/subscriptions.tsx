import { Badge, Button, Card, Group, Select, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { IconPlus } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { api, errorMessage } from '../api/client.ts';
import { keys, useTeams, useUsers } from '../api/queries.ts';
import { statusApi, useBusinessServices, useStatusPages, useSubscriptions, type Subscription, type SubscriptionChannel, type SubscriptionInput, type SubscriptionScope } from '../api/status.ts';
import { FormAlert, QueryState } from '../components/bits.tsx';
import { useFormErrors } from '../lib/form.ts';
import { useSession } from '../session.tsx';
import { ConfirmButton, FormModal } from './bits.tsx';
import { must } from '../lib/must.ts';

const SCOPES: { value: SubscriptionScope; label: string }[] = [
  { value: 'business_service', label: 'A business service' },
  { value: 'team', label: 'A team' },
  { value: 'incident', label: 'One incident' },
  { value: 'major', label: 'Major incidents only' },
];

const CHANNELS: { value: SubscriptionChannel; label: string; destination: string; placeholder: string }[] = [
  { value: 'email', label: 'Email', destination: 'Email address', placeholder: 'Leave empty for the subscriber’s own address' },
  { value: 'slack', label: 'Slack', destination: 'Slack channel or user id', placeholder: 'C0123456789' },
  { value: 'webhook', label: 'Webhook', destination: 'Webhook URL', placeholder: 'https://example.com/hooks/status' },
  { value: 'push', label: 'Push', destination: 'Push subscription (JSON)', placeholder: '{"endpoint": "https://…", "keys": {…}}' },
];

function SubscribeForm({ onDone }: { onDone: () => void }) {
  const qc = useQueryClient();
  const { user, isAdmin } = useSession();
  const errors = useFormErrors();
  const bs = useBusinessServices().data ?? [];
  const teams = useTeams().data ?? [];
  const users = useUsers();
  const [v, setV] = useState({ scope: 'business_service' as SubscriptionScope, targetId: '', channel: 'email' as SubscriptionChannel, destination: '', userId: user.id });
  const channel = must(
    CHANNELS.find((c) => c.value === v.channel),
    `the channel ${v.channel}`,
  );
  const m = useMutation({
    mutationFn: () => {
      const input: SubscriptionInput = { scope: v.scope, channel: v.channel };
      if (v.scope !== 'major') input.targetId = v.targetId.trim();
      if (v.destination.trim()) input.destination = v.destination.trim();
      if (v.userId !== user.id) input.userId = v.userId;
      return statusApi.subscribe(input);
    },
    onSuccess: (s) => {
      void qc.invalidateQueries({ queryKey: keys.status.subscriptions });
      notifications.show({ message: s.confirmed ? 'Subscribed' : `Subscribed: nothing is sent until ${s.destination} confirms (a confirmation was sent there)`, autoClose: s.confirmed ? 2500 : 8000 });
      onDone();
    },
    onError: errors.set,
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    errors.clear();
    if (v.scope !== 'major' && !v.targetId.trim()) return errors.setField('targetId', 'Required for this scope');
    if (v.channel !== 'email' && !v.destination.trim()) return errors.setField('destination', 'Required for this channel');
    m.mutate();
  };
  const target =
    v.scope === 'business_service' ? (
      <Select
        label="Business service"
        data={bs.map((b) => ({ value: b.id, label: b.name }))}
        value={v.targetId || null}
        onChange={(t) => setV({ ...v, targetId: t ?? '' })}
        searchable
        error={errors.field('targetId')}
        data-testid="sub-target"
      />
    ) : v.scope === 'team' ? (
      <Select
        label="Team"
        data={teams.map((t) => ({ value: t.id, label: t.name }))}
        value={v.targetId || null}
        onChange={(t) => setV({ ...v, targetId: t ?? '' })}
        searchable
        error={errors.field('targetId')}
        data-testid="sub-target"
      />
    ) : v.scope === 'incident' ? (
      <TextInput
        label="Incident number"
        placeholder="42"
        value={v.targetId}
        onChange={(e) => setV({ ...v, targetId: e.currentTarget.value })}
        error={errors.field('targetId')}
        data-testid="sub-target"
      />
    ) : null;
  return (
    <form onSubmit={submit} noValidate data-testid="subscribe-form">
      <Stack gap="sm">
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          {isAdmin && (
            <Select
              label="Subscriber"
              data={(users.data ?? []).map((u) => ({ value: u.id, label: u.id === user.id ? `${u.name} (me)` : u.name }))}
              value={v.userId}
              onChange={(userId) => userId && setV({ ...v, userId })}
              searchable
              error={errors.field('userId')}
              allowDeselect={false}
            />
          )}
          <Select
            label="Follow"
            data={SCOPES}
            value={v.scope}
            onChange={(scope) => scope && setV({ ...v, scope: scope as SubscriptionScope, targetId: '' })}
            allowDeselect={false}
            error={errors.field('scope')}
            data-testid="sub-scope"
          />
          {target}
          <Select
            label="Channel"
            data={CHANNELS.map(({ value, label }) => ({ value, label }))}
            value={v.channel}
            onChange={(c) => c && setV({ ...v, channel: c as SubscriptionChannel })}
            allowDeselect={false}
            error={errors.field('channel')}
          />
          <TextInput
            label={channel.destination}
            placeholder={channel.placeholder}
            value={v.destination}
            onChange={(e) => setV({ ...v, destination: e.currentTarget.value })}
            error={errors.field('destination')}
            maxLength={4000}
          />
        </SimpleGrid>
        <FormAlert message={errors.message} />
        <Button type="submit" loading={m.isPending} data-testid="save-subscription">
          Subscribe
        </Button>
      </Stack>
    </form>
  );
}

/** "Incident #42 Title" for a subscription to one incident. */
function IncidentLabel({ id }: { id: string }) {
  const q = useQuery({ queryKey: keys.incident(id), queryFn: () => api.incidents.get(id), enabled: !!id, staleTime: 60_000 });
  return <>{q.data ? `Incident #${q.data.number} ${q.data.title}` : 'One incident'}</>;
}

/** Subscriptions: yours (everyone's for admins), add, remove. */
export default function SubscriptionsTab() {
  const qc = useQueryClient();
  const { isAdmin } = useSession();
  const q = useSubscriptions();
  const bs = useBusinessServices().data ?? [];
  const teams = useTeams().data ?? [];
  const pages = useStatusPages().data ?? [];
  const users = useUsers().data ?? [];
  const [adding, setAdding] = useState(false);
  const del = useMutation({
    mutationFn: (s: Subscription) => statusApi.unsubscribe(s.id),
    onSuccess: () => void qc.invalidateQueries({ queryKey: keys.status.subscriptions }),
    onError: (e) => notifications.show({ color: 'red', title: 'Could not remove', message: errorMessage(e) }),
  });
  const what = (s: Subscription) => {
    switch (s.scope) {
      case 'business_service':
        return bs.find((b) => b.id === s.targetId)?.name ?? 'a deleted business service';
      case 'team':
        return `Team ${teams.find((t) => t.id === s.targetId)?.name ?? s.targetId}`;
      case 'incident':
        return <IncidentLabel id={s.targetId ?? ''} />;
      case 'major':
        return 'Major incidents';
      case 'page':
        return `Status page ${pages.find((p) => p.id === s.targetId)?.name ?? (s.targetId === 'default' ? 'Status' : s.targetId)}`;
    }
  };
  return (
    <Stack>
      <Group justify="space-between" wrap="wrap">
        <Text c="dimmed" maw={640}>
          Stakeholders are never paged: they get status updates on what they follow. {isAdmin ? 'As an admin you see everyone’s subscriptions, including email subscribers of public pages.' : ''}
        </Text>
        <Button leftSection={<IconPlus size={18} />} onClick={() => setAdding(true)} data-testid="new-subscription">
          Subscribe
        </Button>
      </Group>
      <QueryState isPending={q.isPending} error={q.error} retry={() => void q.refetch()}>
        {q.data?.length === 0 && <Text c="dimmed">No subscriptions yet.</Text>}
        <Stack gap="xs">
          {q.data?.map((s) => (
            <Card key={s.id} withBorder radius="md" p="sm" data-testid="subscription-row">
              <Group justify="space-between" wrap="wrap" gap="xs">
                <Stack gap={2} style={{ minWidth: 0, flex: 1 }}>
                  <Group gap="xs">
                    <Text fw={600}>{what(s)}</Text>
                    <Badge variant="light" size="sm" tt="none">
                      {s.channel}
                    </Badge>
                    {!s.confirmed && (
                      <Badge color="orange" variant="light" size="sm">
                        unconfirmed
                      </Badge>
                    )}
                  </Group>
                  <Text size="sm" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
                    {s.userId ? `${users.find((u) => u.id === s.userId)?.name ?? 'someone'} · ` : 'External · '}
                    {s.destination}
                  </Text>
                </Stack>
                <ConfirmButton size="sm" label="Remove" confirm="Really remove?" onConfirm={() => del.mutate(s)} loading={del.isPending && del.variables?.id === s.id} />
              </Group>
            </Card>
          ))}
        </Stack>
      </QueryState>
      <FormModal opened={adding} onClose={() => setAdding(false)} title="Subscribe to status updates">
        {adding && <SubscribeForm onDone={() => setAdding(false)} />}
      </FormModal>
    </Stack>
  );
}
