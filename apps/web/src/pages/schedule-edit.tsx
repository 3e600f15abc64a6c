import { ActionIcon, Anchor, Button, Card, Group, Input, MultiSelect, NumberInput, Select, Stack, Text, TextInput, Textarea, Title, Tooltip } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { IconArrowDown, IconArrowUp, IconPlus, IconTrash, IconX } from '@tabler/icons-react';
import { useEffect, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { api } from '../api/client.ts';
import { keys, useTeams, useUsers } from '../api/queries.ts';
import type { LayerInput, Restriction, RestrictionPreset, Schedule, ScheduleInput, TurnLength } from '@klaxon/contract';
import { FormAlert, QueryState } from '../components/bits.tsx';
import { useFormErrors, type FormErrors } from '../lib/form.ts';
import { timeZones } from '../lib/time.ts';
import { addDays, fromLocalInput, startOfDay, toLocalInput, toLocalTime, wallClock } from '../schedules/time.ts';
import { useSession } from '../session.tsx';
import { usePermissions } from '../lib/permissions.ts';
import { useOrderedList } from '../lib/ordered-list.ts';

/** A layer as the form edits it: start as a local date-time in the layer's zone. */
interface LayerDraft {
  name: string;
  participants: (string | string[])[];
  turn: TurnLength;
  handoffTime: string;
  timeZone: string | null;
  start: string;
  presets: RestrictionPreset[];
  /** Restrictions the presets picker does not show (daily and weekly windows), kept as they are. */
  custom: Restriction[];
  priority: number;
  end?: number;
}

interface Draft {
  name: string;
  description: string;
  teamId: string | null;
  timeZone: string;
  handoffNoticeMinutes: number;
  gapNoticeDays: number;
  layers: LayerDraft[];
}

const PRESETS: { value: RestrictionPreset; label: string }[] = [
  { value: 'business-hours', label: 'Business hours (Mon–Fri 09–17)' },
  { value: 'weekdays', label: 'Weekdays (Mon 00:00 – Sat 00:00)' },
  { value: 'nights', label: 'Nights (17:00 – 09:00)' },
  { value: 'weekends', label: 'Weekends (Sat – Mon 00:00)' },
];
const UNITS = [
  { value: 'hour', label: 'hours' },
  { value: 'day', label: 'days' },
  { value: 'week', label: 'weeks' },
  { value: 'minute', label: 'minutes' },
];

/**
 * The default first turn: the latest Monday 09:00 that has already begun, so a new rotation has
 * someone on call from the moment it is saved (a start next week left a new setup paging nobody).
 */
function currentMonday(zone: string): string {
  const now = Date.now();
  const today = startOfDay(now, zone);
  let monday = addDays(today, -((wallClock(today, zone).wd + 6) % 7), zone);
  if (fromLocalInput(`${toLocalInput(monday, zone).slice(0, 10)}T09:00`, zone) > now) monday = addDays(monday, -7, zone);
  return `${toLocalInput(monday, zone).slice(0, 10)}T09:00`;
}

const newLayer = (i: number, zone: string): LayerDraft => ({
  name: i === 0 ? 'Primary' : `Layer ${i + 1}`,
  participants: [],
  turn: { unit: 'week', count: 1 },
  handoffTime: '09:00',
  timeZone: null,
  start: currentMonday(zone),
  presets: [],
  custom: [],
  priority: 0,
});

function fromSchedule(s: Schedule): Draft {
  return {
    name: s.name,
    description: s.description,
    teamId: s.teamId,
    timeZone: s.timeZone,
    handoffNoticeMinutes: s.handoffNoticeMinutes,
    gapNoticeDays: s.gapNoticeDays,
    layers: s.layers.map((l, i) => {
      const zone = l.timeZone ?? s.timeZone;
      return {
        name: l.name ?? `Layer ${i + 1}`,
        participants: l.participants,
        turn: l.turn,
        handoffTime: l.handoffTime ?? (l.turn.unit === 'day' || l.turn.unit === 'week' ? toLocalTime(l.start, zone) : ''),
        timeZone: l.timeZone ?? null,
        start: toLocalInput(l.start, zone),
        presets: (l.restrictions ?? []).flatMap((r) => (r.kind === 'preset' ? [r.preset] : [])),
        custom: (l.restrictions ?? []).filter((r) => r.kind !== 'preset'),
        priority: l.priority ?? 0,
        ...(l.end !== undefined && { end: l.end }),
      };
    }),
  };
}

/** The API input for a draft: local starts are read by the server in the layer's zone. */
export function scheduleInput(d: Draft): ScheduleInput {
  return {
    name: d.name.trim(),
    description: d.description,
    teamId: d.teamId,
    timeZone: d.timeZone,
    handoffNoticeMinutes: d.handoffNoticeMinutes,
    gapNoticeDays: d.gapNoticeDays,
    layers: d.layers.map((l): LayerInput => {
      const dayTurn = l.turn.unit === 'day' || l.turn.unit === 'week';
      const restrictions: Restriction[] = [...l.presets.map((preset): Restriction => ({ kind: 'preset', preset })), ...l.custom];
      return {
        name: l.name,
        participants: l.participants,
        turn: l.turn,
        ...(dayTurn && l.handoffTime && { handoffTime: l.handoffTime }),
        ...(l.timeZone && { timeZone: l.timeZone }),
        start: l.start,
        ...(l.end !== undefined && { end: l.end }),
        ...(restrictions.length && { restrictions }),
        ...(l.priority && { priority: l.priority }),
      };
    }),
  };
}

function LayerEditor({
  layer,
  index,
  count,
  zone,
  onChange,
  onMove,
  onRemove,
  errors,
}: {
  layer: LayerDraft;
  index: number;
  count: number;
  zone: string;
  onChange: (l: LayerDraft) => void;
  onMove: (d: number) => void;
  onRemove: () => void;
  errors: FormErrors;
}) {
  const users = useUsers().data ?? [];
  const nameOf = (p: string | string[]) => (typeof p === 'string' ? [p] : p).map((id) => users.find((u) => u.id === id)?.name ?? id).join(' + ');
  const path = `layers.${index}`;
  const dayTurn = layer.turn.unit === 'day' || layer.turn.unit === 'week';
  const moveP = (i: number, d: number) => {
    const ps = [...layer.participants];
    const [p] = ps.splice(i, 1);
    if (p === undefined) return;
    ps.splice(i + d, 0, p);
    onChange({ ...layer, participants: ps });
  };
  return (
    <Card withBorder radius="md" p="md" data-testid="layer">
      <Stack gap="sm">
        <Group justify="space-between" wrap="nowrap">
          <Text fw={700}>Layer {index + 1}</Text>
          <Group gap={4}>
            <ActionIcon variant="subtle" size="lg" disabled={index === 0} onClick={() => onMove(-1)} aria-label="Move layer up">
              <IconArrowUp size={18} />
            </ActionIcon>
            <ActionIcon variant="subtle" size="lg" disabled={index === count - 1} onClick={() => onMove(1)} aria-label="Move layer down">
              <IconArrowDown size={18} />
            </ActionIcon>
            <ActionIcon variant="subtle" color="red" size="lg" onClick={onRemove} aria-label="Remove layer">
              <IconTrash size={18} />
            </ActionIcon>
          </Group>
        </Group>
        <TextInput label="Name" value={layer.name} onChange={(e) => onChange({ ...layer, name: e.currentTarget.value })} error={errors.field(`${path}.name`)} data-testid={`layer-${index}-name`} />
        <div>
          <Input.Label>Participants, in rotation order</Input.Label>
          <Stack gap={4} data-testid={`layer-${index}-participants`}>
            {layer.participants.map((p, i) => (
              <Group key={i} gap={4} wrap="nowrap" data-testid="participant">
                <Text size="sm" w={24} c="dimmed">
                  {i + 1}.
                </Text>
                <Text size="sm" fw={600} style={{ flex: 1 }}>
                  {nameOf(p)}
                </Text>
                <ActionIcon variant="subtle" disabled={i === 0} onClick={() => moveP(i, -1)} aria-label="Earlier in rotation">
                  <IconArrowUp size={16} />
                </ActionIcon>
                <ActionIcon variant="subtle" disabled={i === layer.participants.length - 1} onClick={() => moveP(i, 1)} aria-label="Later in rotation">
                  <IconArrowDown size={16} />
                </ActionIcon>
                <ActionIcon variant="subtle" color="red" onClick={() => onChange({ ...layer, participants: layer.participants.filter((_, j) => j !== i) })} aria-label={`Remove ${nameOf(p)}`}>
                  <IconX size={16} />
                </ActionIcon>
              </Group>
            ))}
          </Stack>
          <Select
            mt={4}
            placeholder="Add a person"
            data={users.map((u) => ({ value: u.id, label: `${u.name} (${u.timeZone})` }))}
            value={null}
            onChange={(v) => v && onChange({ ...layer, participants: [...layer.participants, v] })}
            searchable
            error={errors.under(`${path}.participants`)}
            data-testid={`layer-${index}-add-participant`}
          />
        </div>
        <Group grow wrap="wrap" align="flex-start">
          <NumberInput
            label="Turn length"
            min={1}
            max={10000}
            value={layer.turn.count}
            onChange={(v) => onChange({ ...layer, turn: { ...layer.turn, count: typeof v === 'number' ? v : Number(v) || 0 } })}
            error={errors.under(`${path}.turn`)}
            style={{ minWidth: 120 }}
            data-testid={`layer-${index}-turn-count`}
          />
          <Select
            label="Unit"
            data={UNITS}
            value={layer.turn.unit}
            onChange={(v) => v && onChange({ ...layer, turn: { ...layer.turn, unit: v as TurnLength['unit'] } })}
            allowDeselect={false}
            style={{ minWidth: 120 }}
            data-testid={`layer-${index}-turn-unit`}
          />
        </Group>
        <Group grow wrap="wrap" align="flex-start">
          <TextInput
            type="datetime-local"
            label="First turn starts"
            description={`Local time in ${layer.timeZone ?? zone}`}
            value={layer.start}
            onChange={(e) => onChange({ ...layer, start: e.currentTarget.value })}
            error={errors.field(`${path}.start`)}
            style={{ minWidth: 200 }}
            data-testid={`layer-${index}-start`}
          />
          {dayTurn && (
            <TextInput
              type="time"
              label="Hand-off time"
              description="Local wall-clock time"
              value={layer.handoffTime}
              onChange={(e) => onChange({ ...layer, handoffTime: e.currentTarget.value })}
              error={errors.field(`${path}.handoffTime`)}
              style={{ minWidth: 120 }}
              data-testid={`layer-${index}-handoff`}
            />
          )}
        </Group>
        <Select
          label="Layer time zone"
          placeholder={`Schedule zone (${zone})`}
          data={timeZones()}
          value={layer.timeZone}
          onChange={(v) => onChange({ ...layer, timeZone: v })}
          searchable
          clearable
          error={errors.field(`${path}.timeZone`)}
        />
        <MultiSelect
          label="Only during"
          placeholder={layer.presets.length ? undefined : 'Always (no restriction)'}
          data={PRESETS}
          value={layer.presets}
          onChange={(v) => onChange({ ...layer, presets: v as RestrictionPreset[] })}
          error={errors.under(`${path}.restrictions`)}
          data-testid={`layer-${index}-restrictions`}
        />
        {layer.custom.length > 0 && (
          <Text size="xs" c="dimmed">
            Also {layer.custom.length} custom window{layer.custom.length === 1 ? '' : 's'} (kept; edit them in klaxon.yaml or the API).
          </Text>
        )}
        <NumberInput
          label="Priority"
          description="Higher wins where layers overlap; equal: the later layer wins"
          min={-1000}
          max={1000}
          value={layer.priority}
          onChange={(v) => onChange({ ...layer, priority: typeof v === 'number' ? v : Number(v) || 0 })}
          error={errors.field(`${path}.priority`)}
        />
      </Stack>
    </Card>
  );
}

/** Create or edit a schedule: its zone, owner team and rotation layers. Admins only. */
export default function ScheduleEdit() {
  const { id = 'new' } = useParams();
  const isNew = id === 'new';
  const { user } = useSession();
  const perms = usePermissions();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const errors = useFormErrors();
  const teams = useTeams().data ?? [];
  const q = useQuery({ queryKey: keys.schedule(id), queryFn: () => api.schedules.get(id), enabled: !isNew });
  const [draft, setDraft] = useState<Draft>(() => ({
    name: '',
    description: '',
    teamId: null,
    timeZone: user.timeZone,
    handoffNoticeMinutes: 60,
    gapNoticeDays: 14,
    layers: [newLayer(0, user.timeZone)],
  }));
  const [loaded, setLoaded] = useState<string | null>(null);
  useEffect(() => {
    if (q.data && loaded !== q.data.id) {
      setDraft(fromSchedule(q.data));
      setLoaded(q.data.id);
    }
  }, [q.data, loaded]);
  const save = useMutation({
    mutationFn: () => (isNew ? api.schedules.create(scheduleInput(draft)) : api.schedules.update(id, scheduleInput(draft))),
    onSuccess: (s) => {
      qc.setQueryData(keys.schedule(s.id), s);
      void qc.invalidateQueries({ queryKey: keys.schedules });
      void qc.invalidateQueries({ queryKey: keys.schedule(s.id) });
      void qc.invalidateQueries({ queryKey: keys.oncall });
      notifications.show({ message: `Saved ${s.name}`, color: 'green', autoClose: 2000 });
      navigate(`/schedules/${s.id}`, { replace: isNew });
    },
    onError: errors.set,
  });
  const remove = useMutation({
    mutationFn: () => api.schedules.remove(id),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: keys.schedules });
      navigate('/schedules');
    },
    onError: errors.set,
  });
  const layers = useOrderedList(setDraft, 'layers');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    errors.clear();
    save.mutate();
  };
  // Global admins, and team admins for their teams' schedules (the server checks the team chosen).
  const isAdmin = isNew ? perms.managesSomething : !q.data || perms.can('manage', q.data.teamId);
  if (!isAdmin) return <Text>Only admins (or admins of its team) can change this schedule.</Text>;
  return (
    <QueryState isPending={!isNew && q.isPending} error={q.error} retry={() => void q.refetch()}>
      <Anchor component={Link} to={isNew ? '/schedules' : `/schedules/${id}`} size="sm">
        ← {isNew ? 'Schedules' : draft.name || 'Schedule'}
      </Anchor>
      <Title order={1} my="md" fz={{ base: 22, sm: 26 }}>
        {isNew ? 'New schedule' : `Edit ${draft.name}`}
      </Title>
      <form onSubmit={submit} noValidate style={{ maxWidth: 720 }}>
        <Stack>
          <TextInput label="Name" value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.currentTarget.value })} error={errors.field('name')} required data-testid="schedule-name" />
          <Textarea
            label="Description"
            autosize
            minRows={1}
            value={draft.description}
            onChange={(e) => setDraft({ ...draft, description: e.currentTarget.value })}
            error={errors.field('description')}
          />
          <Select
            label="Time zone"
            description="Hand-offs and restrictions are read here unless a layer has its own zone"
            data={timeZones()}
            value={draft.timeZone}
            onChange={(v) => v && setDraft({ ...draft, timeZone: v })}
            searchable
            allowDeselect={false}
            error={errors.field('timeZone')}
            data-testid="schedule-zone"
          />
          <Select
            label="Owner team"
            description="Hears about coverage gaps"
            data={teams.map((t) => ({ value: t.id, label: t.name }))}
            value={draft.teamId}
            onChange={(v) => setDraft({ ...draft, teamId: v })}
            clearable
            error={errors.field('teamId')}
          />
          <Title order={3} fz="lg" mt="sm">
            Layers
          </Title>
          <Text size="sm" c="dimmed">
            Each layer is a rotation. Where two layers have someone, the higher priority (then the later layer) wins; lower layers fill the rest.
          </Text>
          {draft.layers.map((l, i) => (
            <LayerEditor
              key={i}
              layer={l}
              index={i}
              count={draft.layers.length}
              zone={draft.timeZone}
              onChange={(x) => layers.set(i, x)}
              onMove={(d) => layers.move(i, d)}
              onRemove={() => layers.remove(i)}
              errors={errors}
            />
          ))}
          {errors.field('layers') && <Input.Error>{errors.field('layers')}</Input.Error>}
          <Tooltip label="Up to 20 layers" disabled={draft.layers.length < 20}>
            <Button
              variant="light"
              leftSection={<IconPlus size={18} />}
              onClick={() => setDraft({ ...draft, layers: [...draft.layers, newLayer(draft.layers.length, draft.timeZone)] })}
              disabled={draft.layers.length >= 20}
              data-testid="add-layer"
              w="fit-content"
            >
              Add layer
            </Button>
          </Tooltip>
          <Group grow wrap="wrap" align="flex-start">
            <NumberInput
              label="Hand-off notice (minutes before)"
              min={0}
              max={10080}
              value={draft.handoffNoticeMinutes}
              onChange={(v) => setDraft({ ...draft, handoffNoticeMinutes: Number(v) || 0 })}
              error={errors.field('handoffNoticeMinutes')}
              style={{ minWidth: 200 }}
            />
            <NumberInput
              label="Warn about gaps (days ahead)"
              min={0}
              max={90}
              value={draft.gapNoticeDays}
              onChange={(v) => setDraft({ ...draft, gapNoticeDays: Number(v) || 0 })}
              error={errors.field('gapNoticeDays')}
              style={{ minWidth: 200 }}
            />
          </Group>
          <FormAlert message={errors.message} />
          <Group>
            <Button type="submit" loading={save.isPending} data-testid="schedule-save">
              {isNew ? 'Create schedule' : 'Save'}
            </Button>
            {!isNew && (
              <Button
                variant="subtle"
                color="red"
                loading={remove.isPending}
                onClick={() => {
                  if (confirm(`Delete ${draft.name}?`)) remove.mutate();
                }}
              >
                Delete
              </Button>
            )}
          </Group>
        </Stack>
      </form>
    </QueryState>
  );
}
