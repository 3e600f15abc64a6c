import { ActionIcon, Anchor, Badge, Button, Card, Grid, Group, MultiSelect, NumberInput, Paper, Stack, Switch, Text, TextInput, Title, Tooltip } from '@mantine/core';
import { Segmented } from '../components/segmented.tsx';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { IconChevronLeft, IconChevronRight, IconTrash } from '@tabler/icons-react';
import { useMemo, useState, type FormEvent, type ReactNode } from 'react';
import { Link, useParams } from 'react-router-dom';
import { api } from '../api/client.ts';
import { keys, useUsers } from '../api/queries.ts';
import type { FinalSchedule, OnCallAnswer, Schedule, ScheduleUser } from '@klaxon/contract';
import { CopyBlock, FormAlert, QueryState } from '../components/bits.tsx';
import { useFormErrors } from '../lib/form.ts';
import { useViewerZone, ZoneCaption } from '../lib/zone.tsx';
import { PALETTE, Timeline, type Bar, type Row } from '../schedules/timeline.tsx';
import { DAY, addDays, duration, fromLocalInput, spanText, startOfDay, toLocalInput } from '../schedules/time.ts';
import { useSession } from '../session.tsx';
import { usePermissions } from '../lib/permissions.ts';
import { ObjectHistory } from '../components/audit.tsx';

const VIEWS = [
  { value: '1', label: 'Day' },
  { value: '7', label: 'Week' },
  { value: '14', label: '2 weeks' },
];

function invalidateSchedule(qc: ReturnType<typeof useQueryClient>, _id: string) {
  // Every schedule query: the page may be open by id or by name, and shifts on the People page change too.
  void qc.invalidateQueries({ queryKey: keys.everySchedule });
  void qc.invalidateQueries({ queryKey: keys.everyUser });
  void qc.invalidateQueries({ queryKey: keys.oncall });
}

/** Who a shift names, with each person's own zone and local times: the hover/tap detail. */
function shiftDetail(start: number, end: number, people: ScheduleUser[], viewerZone: string, source: string): ReactNode {
  return (
    <div>
      <div>
        <b>{people.map((p) => p.name).join(', ') || 'Nobody (gap)'}</b> · {source}
      </div>
      <div>
        {spanText(start, end, viewerZone)} ({viewerZone}, yours) · {duration(end - start)}
      </div>
      {people
        .filter((p) => p.timeZone !== viewerZone)
        .map((p) => (
          <div key={p.id}>
            {p.name}: {spanText(start, end, p.timeZone)} ({p.timeZone})
          </div>
        ))}
    </div>
  );
}

/** Rows for the timeline: each layer where it counts, the overrides, and the final schedule with its gaps. */
export function timelineRows(schedule: Schedule, final: FinalSchedule, viewerZone: string): Row[] {
  const people = (ids: string[]) => ids.map((id) => final.users[id] ?? { id, name: id, email: '', timeZone: viewerZone });
  const label = (ids: string[]) =>
    people(ids)
      .map((p) => p.name)
      .join(' + ');
  // Colours by first appearance, so neighbours differ and the same people keep one colour.
  const colors = new Map<string, string>();
  const colorOf = (ids: string[]) => {
    const k = [...ids].sort().join(',');
    const known = colors.get(k);
    if (known) return known;
    const color = PALETTE[colors.size % PALETTE.length] ?? 'blue';
    colors.set(k, color);
    return color;
  };
  const layerName = (i: number) => schedule.layers[i]?.name || `Layer ${i + 1}`;
  const bar = (s: FinalSchedule['shifts'][number], i: number, prefix: string): Bar => {
    const src = s.source.kind === 'layer' ? layerName(s.source.layerIndex) : 'override';
    return {
      key: `${prefix}${i}`,
      start: s.start,
      end: s.end,
      label: label(s.userIds),
      detail: shiftDetail(s.start, s.end, people(s.userIds), viewerZone, src),
      kind: s.source.kind === 'override' ? 'override' : 'shift',
      color: colorOf(s.userIds),
    };
  };
  const rows: Row[] = schedule.layers.map((_, li) => ({
    key: `layer-${li}`,
    label: layerName(li),
    testId: 'timeline-layer',
    bars: final.shifts.flatMap((s, i) => (s.source.kind === 'layer' && s.source.layerIndex === li ? [bar(s, i, 'l')] : [])),
  }));
  const overrides = final.shifts.flatMap((s, i) => (s.source.kind === 'override' ? [bar(s, i, 'o')] : []));
  rows.push({ key: 'overrides', label: 'Overrides', testId: 'timeline-overrides', bars: overrides });
  rows.push({
    key: 'final',
    label: 'Final',
    testId: 'timeline-final',
    bars: [
      ...final.shifts.map((s, i) => bar(s, i, 'f')),
      ...final.gaps.map((g, i): Bar => ({ key: `g${i}`, start: g.start, end: g.end, label: 'Gap', detail: shiftDetail(g.start, g.end, [], viewerZone, 'nobody on call'), kind: 'gap' })),
    ],
  });
  return rows;
}

function OnCallCard({ schedule, oncall }: { schedule: Schedule; oncall: OnCallAnswer | undefined }) {
  const { user } = useSession();
  const qc = useQueryClient();
  const errors = useFormErrors();
  const [hours, setHours] = useState<number | string>(4);
  const take = useMutation({
    mutationFn: () => api.schedules.take(schedule.id, { hours: Number(hours) }),
    onSuccess: () => {
      invalidateSchedule(qc, schedule.id);
      notifications.show({ message: `You are on call for ${schedule.name} for ${hours} h`, color: 'green' });
    },
    onError: errors.set,
  });
  const zoneOf = (u: ScheduleUser) => (u.timeZone !== user.timeZone ? ` (${u.timeZone})` : '');
  return (
    <Paper withBorder p="md" radius="md" data-testid="oncall-card">
      <Stack gap="xs">
        <Text size="sm" c="dimmed">
          On call now
        </Text>
        {!oncall ? (
          <Text c="dimmed">…</Text>
        ) : oncall.users.length === 0 ? (
          <Text c="red" fw={700} fz="lg" data-testid="oncall-now">
            Nobody: this is a gap
          </Text>
        ) : (
          <Text fw={700} fz="lg" data-testid="oncall-now">
            {oncall.users.map((u) => u.name + zoneOf(u)).join(', ')}
          </Text>
        )}
        {oncall?.until && (
          <Text size="sm">
            until {spanText(oncall.until, oncall.until, user.timeZone).split(' – ')[0]} · next: <b>{oncall.next.map((u) => u.name + zoneOf(u)).join(', ') || 'nobody'}</b>
          </Text>
        )}
        <form
          onSubmit={(e) => {
            e.preventDefault();
            errors.clear();
            take.mutate();
          }}
          noValidate
        >
          <Group align="flex-end" gap="xs" mt="xs">
            <NumberInput label="Take on-call now for" suffix=" hours" min={0.5} max={168} step={1} value={hours} onChange={setHours} error={errors.field('hours')} w={200} data-testid="take-hours" />
            <Button type="submit" loading={take.isPending} data-testid="take-now">
              Take on-call now
            </Button>
          </Group>
          <FormAlert message={errors.message} />
        </form>
      </Stack>
    </Paper>
  );
}

function SpanInputs({
  start,
  end,
  setStart,
  setEnd,
  errors,
  zone,
}: {
  start: string;
  end: string;
  setStart: (v: string) => void;
  setEnd: (v: string) => void;
  errors: ReturnType<typeof useFormErrors>;
  zone: string;
}) {
  return (
    <>
      <TextInput
        type="datetime-local"
        label="From"
        description={zone}
        value={start}
        onChange={(e) => setStart(e.currentTarget.value)}
        error={errors.field('start')}
        required
        data-testid="span-start"
      />
      <TextInput type="datetime-local" label="To" value={end} onChange={(e) => setEnd(e.currentTarget.value)} error={errors.field('end')} required data-testid="span-end" />
    </>
  );
}

function OverrideForm({ schedule, span, onDone }: { schedule: Schedule; span: { start: string; end: string; n: number }; onDone: () => void }) {
  const { user } = useSession();
  const isAdmin = usePermissions().can('manage', schedule.teamId);
  const users = useUsers().data ?? [];
  const qc = useQueryClient();
  const errors = useFormErrors();
  const [who, setWho] = useState<string[]>([user.id]);
  const [start, setStart] = useState(span.start);
  const [end, setEnd] = useState(span.end);
  const [note, setNote] = useState('');
  const [seen, setSeen] = useState(span.n);
  if (seen !== span.n) {
    setSeen(span.n);
    setStart(span.start);
    setEnd(span.end);
  }
  const add = useMutation({
    mutationFn: () => api.schedules.addOverride(schedule.id, { userIds: who, start: fromLocalInput(start, user.timeZone), end: fromLocalInput(end, user.timeZone), ...(note && { note }) }),
    onSuccess: () => {
      invalidateSchedule(qc, schedule.id);
      notifications.show({ message: 'Override added', color: 'green' });
      setNote('');
      onDone();
    },
    onError: errors.set,
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    errors.clear();
    if (Number.isNaN(fromLocalInput(start, user.timeZone))) return errors.setField('start', 'Pick when the override starts');
    if (Number.isNaN(fromLocalInput(end, user.timeZone))) return errors.setField('end', 'Pick when the override ends');
    add.mutate();
  };
  return (
    <form onSubmit={submit} noValidate data-testid="override-form">
      <Stack gap="sm">
        <Title order={3} fz="lg">
          Override
        </Title>
        <Text size="sm" c="dimmed">
          Put exactly these people on call for a span, above every layer. Drag across the timeline to pick the span.
        </Text>
        <MultiSelect
          label="Who"
          data={users.map((u) => ({ value: u.id, label: u.name, disabled: !isAdmin && u.id !== user.id }))}
          value={who}
          onChange={setWho}
          searchable
          error={errors.under('userIds')}
          data-testid="override-who"
        />
        <SpanInputs start={start} end={end} setStart={setStart} setEnd={setEnd} errors={errors} zone={`Your time (${user.timeZone}, your profile)`} />
        <TextInput label="Note" placeholder="Sick day, swap with Sam…" value={note} onChange={(e) => setNote(e.currentTarget.value)} error={errors.field('note')} />
        <FormAlert message={errors.message} />
        <Button type="submit" loading={add.isPending} w="fit-content" data-testid="override-save">
          Add override
        </Button>
      </Stack>
    </form>
  );
}

function SwapSection({ schedule, span }: { schedule: Schedule; span: { start: string; end: string; n: number } }) {
  const { user } = useSession();
  const isAdmin = usePermissions().can('manage', schedule.teamId);
  const users = useUsers().data ?? [];
  const qc = useQueryClient();
  const errors = useFormErrors();
  const actionErrors = useFormErrors();
  const swaps = useQuery({ queryKey: keys.scheduleSwaps(schedule.id), queryFn: () => api.schedules.swaps(schedule.id) });
  const [start, setStart] = useState(span.start);
  const [end, setEnd] = useState(span.end);
  const [note, setNote] = useState('');
  const [seen, setSeen] = useState(span.n);
  if (seen !== span.n) {
    setSeen(span.n);
    setStart(span.start);
    setEnd(span.end);
  }
  const offer = useMutation({
    mutationFn: () => api.schedules.offerSwap(schedule.id, { start: fromLocalInput(start, user.timeZone), end: fromLocalInput(end, user.timeZone), ...(note && { note }) }),
    onSuccess: () => {
      invalidateSchedule(qc, schedule.id);
      notifications.show({ message: 'Offered to your teammates', color: 'green' });
      setNote('');
    },
    onError: errors.set,
  });
  const take = useMutation({
    mutationFn: (id: string) => api.schedules.takeSwap(id),
    onSuccess: () => {
      invalidateSchedule(qc, schedule.id);
      notifications.show({ message: 'Shift taken: you are on call for it', color: 'green' });
    },
    onError: actionErrors.set,
  });
  const cancel = useMutation({ mutationFn: (id: string) => api.schedules.cancelSwap(id), onSuccess: () => invalidateSchedule(qc, schedule.id), onError: actionErrors.set });
  const nameOf = (id: string | null) => users.find((u) => u.id === id)?.name ?? id ?? '';
  return (
    <Stack gap="sm">
      <Title order={3} fz="lg">
        Swaps
      </Title>
      {swaps.data?.length === 0 && (
        <Text size="sm" c="dimmed">
          No open offers.
        </Text>
      )}
      {swaps.data?.map((s) => (
        <Card key={s.id} withBorder radius="md" p="sm" data-testid="swap">
          <Group justify="space-between" wrap="wrap" gap="xs">
            <div>
              <Text size="sm" fw={600}>
                {nameOf(s.offeredBy)} offers {spanText(s.start, s.end, user.timeZone)}
              </Text>
              {s.note && (
                <Text size="sm" c="dimmed">
                  {s.note}
                </Text>
              )}
            </div>
            <Group gap="xs">
              {s.offeredBy !== user.id && (
                <Button size="xs" onClick={() => take.mutate(s.id)} loading={take.isPending} data-testid="swap-take">
                  Take it
                </Button>
              )}
              {(s.offeredBy === user.id || isAdmin) && (
                <Button size="xs" variant="subtle" color="red" onClick={() => cancel.mutate(s.id)} loading={cancel.isPending}>
                  Withdraw
                </Button>
              )}
            </Group>
          </Group>
        </Card>
      ))}
      <FormAlert message={actionErrors.message} />
      <form
        onSubmit={(e) => {
          e.preventDefault();
          errors.clear();
          if (Number.isNaN(fromLocalInput(start, user.timeZone)) || Number.isNaN(fromLocalInput(end, user.timeZone)))
            return errors.setField(Number.isNaN(fromLocalInput(start, user.timeZone)) ? 'start' : 'end', 'Pick a date and time');
          offer.mutate();
        }}
        noValidate
        data-testid="swap-form"
      >
        <Stack gap="sm">
          <Text size="sm" c="dimmed">
            Offer your on-call time in a span; a teammate who takes it is put in your place.
          </Text>
          <SpanInputs start={start} end={end} setStart={setStart} setEnd={setEnd} errors={errors} zone={`Your time (${user.timeZone}, your profile)`} />
          <TextInput label="Note" value={note} onChange={(e) => setNote(e.currentTarget.value)} error={errors.field('note')} />
          <FormAlert message={errors.message} />
          <Button type="submit" variant="light" loading={offer.isPending} w="fit-content" data-testid="swap-offer">
            Offer my shift
          </Button>
        </Stack>
      </form>
    </Stack>
  );
}

function OverrideList({ schedule, from, to }: { schedule: Schedule; from: number; to: number }) {
  const { user } = useSession();
  const users = useUsers().data ?? [];
  const qc = useQueryClient();
  const errors = useFormErrors();
  const q = useQuery({ queryKey: keys.scheduleOverrides(schedule.id, from, to), queryFn: () => api.schedules.overrides(schedule.id, from, to) });
  const remove = useMutation({ mutationFn: (id: string) => api.schedules.removeOverride(id), onSuccess: () => invalidateSchedule(qc, schedule.id), onError: errors.set });
  if (!q.data?.length) return null;
  return (
    <Stack gap="xs">
      <Title order={3} fz="lg">
        Overrides in view
      </Title>
      {q.data.map((o) => (
        <Group key={o.id} justify="space-between" wrap="nowrap" data-testid="override-row">
          <div>
            <Text size="sm" fw={600}>
              {o.userIds.map((id) => users.find((u) => u.id === id)?.name ?? id).join(', ')}{' '}
              <Badge size="xs" variant="light">
                {o.kind}
              </Badge>
            </Text>
            <Text size="sm" c="dimmed">
              {spanText(o.start, o.end, user.timeZone)}
              {o.note ? ` · ${o.note}` : ''}
            </Text>
          </div>
          <Tooltip label="Remove override">
            <ActionIcon variant="subtle" color="red" size="lg" onClick={() => remove.mutate(o.id)} aria-label="Remove override">
              <IconTrash size={18} />
            </ActionIcon>
          </Tooltip>
        </Group>
      ))}
      <FormAlert message={errors.message} />
    </Stack>
  );
}

function CalendarLink({ schedule }: { schedule: Schedule }) {
  const errors = useFormErrors();
  const [url, setUrl] = useState<string | null>(null);
  const m = useMutation({ mutationFn: () => api.schedules.icalSecret(schedule.id), onSuccess: setUrl, onError: errors.set });
  return (
    <Stack gap="xs">
      <Title order={3} fz="lg">
        Calendar feed
      </Title>
      <Text size="sm" c="dimmed">
        A secret iCal URL of this schedule's final shifts. Making a new one stops the old one.
      </Text>
      {url && <CopyBlock value={url} testId="schedule-ical-url" wrap />}
      <FormAlert message={errors.message} />
      <Button variant="light" onClick={() => m.mutate()} loading={m.isPending} w="fit-content">
        {url ? 'Make a new URL' : 'Get calendar URL'}
      </Button>
    </Stack>
  );
}

/** One schedule: who is on call, a timeline of its layers and final schedule, overrides and swaps. */
export default function SchedulePage() {
  const { id = '' } = useParams();
  const perms = usePermissions();
  const viewerZone = useViewerZone().zone;
  const [days, setDays] = useState(7);
  const [from, setFrom] = useState(() => startOfDay(Date.now(), viewerZone));
  const [selecting, setSelecting] = useState(false);
  const now = Date.now();
  const [span, setSpan] = useState(() => ({ start: toLocalInput(now + 3_600_000 - (now % 3_600_000), viewerZone), end: toLocalInput(now + 5 * 3_600_000 - (now % 3_600_000), viewerZone), n: 0 }));
  const to = addDays(from, days, viewerZone);
  const q = useQuery({ queryKey: keys.schedule(id), queryFn: () => api.schedules.get(id) });
  const final = useQuery({ queryKey: keys.scheduleFinal(id, from, to), queryFn: () => api.schedules.final(id, from, to), enabled: !!q.data });
  const oncall = useQuery({ queryKey: keys.scheduleOnCall(id), queryFn: () => api.schedules.onCall(id) });
  const rows = useMemo(() => (q.data && final.data ? timelineRows(q.data, final.data, viewerZone) : []), [q.data, final.data, viewerZone]);
  const gaps = final.data?.gaps ?? [];
  const s = q.data;
  // A global admin or an admin of the schedule's team may change it; its responders may act on it.
  const isAdmin = s ? perms.can('manage', s.teamId) : false;
  const canRespond = s ? perms.can('respond', s.teamId) : false;

  return (
    <QueryState isPending={q.isPending} error={q.error} retry={() => void q.refetch()}>
      {s && (
        <Stack gap="lg">
          <div>
            <Anchor component={Link} to="/schedules" size="sm">
              ← Schedules
            </Anchor>
            <Group justify="space-between" mt="xs" wrap="wrap" gap="xs">
              <Title order={1} fz={{ base: 22, sm: 26 }}>
                {s.name}
              </Title>
              {isAdmin && (
                <Button component={Link} to={`/schedules/${s.id}/edit`} variant="light" data-testid="edit-schedule">
                  Edit
                </Button>
              )}
            </Group>
            <Text size="sm" c="dimmed">
              Schedule zone {s.timeZone} (hand-offs are read there)
            </Text>
            <ZoneCaption prefix="Timeline and times in" />
          </div>
          <OnCallCard schedule={s} oncall={oncall.data} />
          <Stack gap="xs">
            <Group justify="space-between" wrap="wrap" gap="xs">
              <Segmented data={VIEWS} value={String(days)} onChange={(v) => setDays(Number(v))} data-testid="timeline-view" />
              <Group gap={4}>
                <ActionIcon variant="default" size="lg" onClick={() => setFrom(addDays(from, -days, viewerZone))} aria-label="Earlier">
                  <IconChevronLeft size={18} />
                </ActionIcon>
                <Button variant="default" onClick={() => setFrom(startOfDay(Date.now(), viewerZone))}>
                  Today
                </Button>
                <ActionIcon variant="default" size="lg" onClick={() => setFrom(addDays(from, days, viewerZone))} aria-label="Later" data-testid="timeline-later">
                  <IconChevronRight size={18} />
                </ActionIcon>
              </Group>
              <Switch label="Select a span" checked={selecting} onChange={(e) => setSelecting(e.currentTarget.checked)} description="Drag on the timeline" data-testid="select-span" />
            </Group>
            <QueryState isPending={final.isPending} error={final.error} retry={() => void final.refetch()}>
              <Timeline
                from={from}
                days={days}
                zone={viewerZone}
                rows={rows}
                now={now}
                selecting={selecting}
                onSelect={(a, b) => {
                  setSpan((x) => ({ start: toLocalInput(a, viewerZone), end: toLocalInput(b, viewerZone), n: x.n + 1 }));
                  setSelecting(false);
                  document.querySelector('[data-testid="override-form"]')?.scrollIntoView({ behavior: 'smooth', block: 'center' });
                }}
              />
            </QueryState>
            <Text size="xs" c="dimmed">
              Layer rows show where each layer is in effect after precedence and leave; hover or tap a shift for each person's own time zone.
            </Text>
            {gaps.length > 0 ? (
              <Paper withBorder p="sm" radius="md" style={{ borderColor: 'var(--mantine-color-red-filled)' }} data-testid="gap-list">
                <Text fw={700} c="red" size="sm">
                  {gaps.length} gap{gaps.length === 1 ? '' : 's'}: nobody is on call
                </Text>
                {gaps.map((g) => (
                  <Text key={g.start} size="sm">
                    {spanText(g.start, g.end, viewerZone)} ({duration(g.end - g.start)})
                  </Text>
                ))}
              </Paper>
            ) : (
              final.data && (
                <Text size="sm" c="dimmed">
                  No gaps in view.
                </Text>
              )
            )}
            {final.data && (
              <details>
                <summary style={{ cursor: 'pointer' }}>
                  <Text span size="sm" fw={600}>
                    Final shifts as a list
                  </Text>
                </summary>
                <Stack gap={2} mt="xs">
                  {final.data.shifts.map((sh) => (
                    <Text key={sh.start} size="sm" data-testid="final-shift">
                      {spanText(sh.start, sh.end, viewerZone)} · <b>{sh.userIds.map((u) => final.data.users[u]?.name ?? u).join(', ')}</b>
                      {sh.source.kind === 'override' ? ' (override)' : ''}
                    </Text>
                  ))}
                </Stack>
              </details>
            )}
          </Stack>
          <Grid gap="lg" display={canRespond ? undefined : 'none'} data-testid="schedule-actions">
            <Grid.Col span={{ base: 12, md: 6 }}>
              <Paper withBorder p="md" radius="md">
                <OverrideForm schedule={s} span={span} onDone={() => undefined} />
              </Paper>
            </Grid.Col>
            <Grid.Col span={{ base: 12, md: 6 }}>
              <Paper withBorder p="md" radius="md">
                <SwapSection schedule={s} span={span} />
              </Paper>
            </Grid.Col>
          </Grid>
          <OverrideList schedule={s} from={from} to={to} />
          {isAdmin && <CalendarLink schedule={s} />}
          {isAdmin && <ObjectHistory subjectType="schedule" subjectId={s.id} title="History of this schedule" />}
          <Text size="xs" c="dimmed">
            Showing {spanText(from, to - 1, viewerZone).replace(/ \d\d:\d\d/g, '')} · {Math.round((to - from) / DAY)} days
          </Text>
        </Stack>
      )}
    </QueryState>
  );
}
