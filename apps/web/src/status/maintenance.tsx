import { Badge, Button, Card, Group, MultiSelect, SimpleGrid, Stack, Switch, Text, TextInput, Textarea, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { IconPlus } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { errorMessage } from '../api/client.ts';
import { useServices } from '../api/queries.ts';
import { statusApi, useBusinessServices, useMaintenance, type MaintenanceWindow } from '../api/status.ts';
import { FormAlert, QueryState } from '../components/bits.tsx';
import { useFormErrors } from '../lib/form.ts';
import { useViewerZone } from '../lib/zone.tsx';
import { fromLocalInput, toLocalInput } from '../schedules/time.ts';
import { ConfirmButton, FormModal } from './bits.tsx';
import { keys } from '../api/keys.ts';

const HOUR = 3_600_000;

function MaintenanceForm({ onDone }: { onDone: () => void }) {
  const zone = useViewerZone().zone;
  const qc = useQueryClient();
  const errors = useFormErrors();
  const services = useServices().data ?? [];
  const bs = useBusinessServices().data ?? [];
  const start = Math.ceil((Date.now() + HOUR) / HOUR) * HOUR;
  const [v, setV] = useState({
    title: '',
    description: '',
    serviceIds: [] as string[],
    businessServiceIds: [] as string[],
    startsAt: toLocalInput(start, zone),
    endsAt: toLocalInput(start + 2 * HOUR, zone),
    announce: true,
  });
  const m = useMutation({
    mutationFn: () =>
      statusApi.createMaintenance({
        title: v.title.trim(),
        description: v.description,
        serviceIds: v.serviceIds,
        businessServiceIds: v.businessServiceIds,
        startsAt: new Date(fromLocalInput(v.startsAt, zone)).toISOString(),
        endsAt: new Date(fromLocalInput(v.endsAt, zone)).toISOString(),
        announce: v.announce,
      }),
    onSuccess: (w) => {
      void qc.invalidateQueries({ queryKey: keys.status.maintenance });
      notifications.show({ message: `${w.title} scheduled${v.announce ? ' and announced' : ''}`, autoClose: 3000 });
      onDone();
    },
    onError: errors.set,
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    errors.clear();
    // Formats are checked here; the rest (end after start, at least one service) the API answers in place.
    const problems: [string, string][] = [];
    if (!v.title.trim()) problems.push(['title', 'Required']);
    if (Number.isNaN(fromLocalInput(v.startsAt, zone))) problems.push(['startsAt', 'A date and time']);
    if (Number.isNaN(fromLocalInput(v.endsAt, zone))) problems.push(['endsAt', 'A date and time']);
    for (const [path, message] of problems) errors.setField(path, message);
    if (problems.length === 0) m.mutate();
  };
  return (
    <form onSubmit={submit} noValidate data-testid="maintenance-form">
      <Stack>
        <TextInput
          label="Title"
          placeholder="Database upgrade"
          value={v.title}
          onChange={(e) => setV({ ...v, title: e.currentTarget.value })}
          error={errors.field('title')}
          required
          data-autofocus
          maxLength={500}
        />
        <Textarea
          label="Description"
          description="Shown on status pages and in the announcement"
          autosize
          minRows={2}
          value={v.description}
          onChange={(e) => setV({ ...v, description: e.currentTarget.value })}
          error={errors.field('description')}
          maxLength={10_000}
        />
        <MultiSelect
          label="Components (business services)"
          data={bs.map((b) => ({ value: b.id, label: b.name }))}
          value={v.businessServiceIds}
          onChange={(businessServiceIds) => setV({ ...v, businessServiceIds })}
          searchable
          error={errors.under('businessServiceIds')}
          data-testid="mw-components"
        />
        <MultiSelect
          label="Technical services"
          description="Paging for these (and those behind the components) is suppressed while it runs"
          data={services.map((s) => ({ value: s.id, label: s.name }))}
          value={v.serviceIds}
          onChange={(serviceIds) => setV({ ...v, serviceIds })}
          searchable
          error={errors.under('serviceIds')}
          data-testid="mw-services"
        />
        <SimpleGrid cols={{ base: 1, xs: 2 }}>
          <TextInput
            type="datetime-local"
            label="Starts"
            description={`${zone} (your profile)`}
            value={v.startsAt}
            onChange={(e) => setV({ ...v, startsAt: e.currentTarget.value })}
            error={errors.field('startsAt')}
            required
            data-testid="mw-start"
          />
          <TextInput type="datetime-local" label="Ends" value={v.endsAt} onChange={(e) => setV({ ...v, endsAt: e.currentTarget.value })} error={errors.field('endsAt')} required data-testid="mw-end" />
        </SimpleGrid>
        <Switch
          size="md"
          label="Announce now"
          description="Message confirmed subscribers of the affected business services, their teams and status pages"
          checked={v.announce}
          onChange={(e) => setV({ ...v, announce: e.currentTarget.checked })}
          data-testid="mw-announce"
        />
        <FormAlert message={errors.message} />
        <Button type="submit" loading={m.isPending} data-testid="save-maintenance">
          Schedule maintenance
        </Button>
      </Stack>
    </form>
  );
}

function WindowCard({ w, state, isAdmin }: { w: MaintenanceWindow; state: 'running' | 'upcoming' | 'past'; isAdmin: boolean }) {
  const zone = useViewerZone();
  const qc = useQueryClient();
  const services = useServices().data ?? [];
  const bs = useBusinessServices().data ?? [];
  const cancel = useMutation({
    mutationFn: () => statusApi.cancelMaintenance(w.id),
    onSuccess: () => void qc.invalidateQueries({ queryKey: keys.status.maintenance }),
    onError: (e) => notifications.show({ color: 'red', title: 'Could not cancel', message: errorMessage(e) }),
  });
  return (
    <Card withBorder radius="md" p="sm" data-testid="maintenance-card" data-state={state}>
      <Stack gap={4}>
        <Group gap="xs" justify="space-between" wrap="wrap">
          <Text fw={700} style={{ wordBreak: 'break-word' }}>
            {w.title}
          </Text>
          {state === 'running' && <Badge color="blue">in progress</Badge>}
          {w.cancelledAt !== null && (
            <Badge color="gray" variant="light">
              cancelled
            </Badge>
          )}
        </Group>
        <Text size="sm">
          {zone.dateTime(w.startsAt)} – {zone.dateTime(w.endsAt)}
        </Text>
        {w.description && (
          <Text size="sm" c="dimmed" style={{ whiteSpace: 'pre-wrap' }} lineClamp={4}>
            {w.description}
          </Text>
        )}
        <Group gap={6}>
          {w.businessServiceIds.map((id) => (
            <Badge key={id} variant="outline" tt="none">
              {bs.find((b) => b.id === id)?.name ?? 'deleted'}
            </Badge>
          ))}
          {w.serviceIds.map((id) => (
            <Badge key={id} variant="light" color="gray" tt="none">
              {services.find((s) => s.id === id)?.name ?? 'deleted'}
            </Badge>
          ))}
        </Group>
        {isAdmin && state !== 'past' && (
          <Group>
            <ConfirmButton
              size="sm"
              label={state === 'running' ? 'End now' : 'Cancel'}
              confirm={state === 'running' ? 'End it now?' : 'Cancel this window?'}
              onConfirm={() => cancel.mutate()}
              loading={cancel.isPending}
              testId="cancel-maintenance"
            />
          </Group>
        )}
      </Stack>
    </Card>
  );
}

/** Maintenance windows: running, upcoming and past; schedule, cancel. */
export default function MaintenanceTab({ isAdmin }: { isAdmin: boolean }) {
  const q = useMaintenance();
  const [creating, setCreating] = useState(false);
  const now = Date.now();
  const all = q.data ?? [];
  const groups = [
    { key: 'running' as const, title: 'Running', list: all.filter((w) => w.cancelledAt === null && w.startsAt <= now && w.endsAt > now) },
    { key: 'upcoming' as const, title: 'Upcoming', list: all.filter((w) => w.cancelledAt === null && w.startsAt > now) },
    { key: 'past' as const, title: 'Past and cancelled', list: all.filter((w) => w.cancelledAt !== null || w.endsAt <= now) },
  ];
  return (
    <Stack>
      <Group justify="space-between" wrap="wrap">
        <Text c="dimmed" maw={640}>
          Announced on status pages as soon as scheduled; while a window runs, alerts on its services still open incidents but page nobody.
        </Text>
        {isAdmin && (
          <Button leftSection={<IconPlus size={18} />} onClick={() => setCreating(true)} data-testid="new-maintenance">
            Schedule maintenance
          </Button>
        )}
      </Group>
      <QueryState isPending={q.isPending} error={q.error} retry={() => void q.refetch()}>
        {all.length === 0 && <Text c="dimmed">No maintenance windows.</Text>}
        {groups
          .filter((g) => g.list.length > 0)
          .map((g) => (
            <Stack key={g.key} gap="xs" data-testid={`maintenance-${g.key}`}>
              <Title order={4}>{g.title}</Title>
              <SimpleGrid cols={{ base: 1, sm: 2 }}>
                {g.list.map((w) => (
                  <WindowCard key={w.id} w={w} state={g.key} isAdmin={isAdmin} />
                ))}
              </SimpleGrid>
            </Stack>
          ))}
      </QueryState>
      <FormModal opened={creating} onClose={() => setCreating(false)} title="Schedule maintenance">
        {creating && <MaintenanceForm onDone={() => setCreating(false)} />}
      </FormModal>
    </Stack>
  );
}
