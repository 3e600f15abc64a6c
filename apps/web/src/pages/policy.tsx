import {
  ActionIcon,
  Anchor,
  Badge,
  Button,
  Card,
  Grid,
  Group,
  Input,
  MultiSelect,
  NumberInput,
  Paper,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  TextInput,
  Textarea,
  Timeline,
  Title,
  Tooltip,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { IconArrowDown, IconArrowUp, IconPlus, IconTrash } from '@tabler/icons-react';
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { ApiError, api } from '../api/client.ts';
import { keys, useSchedules, useTeams, useUsers } from '../api/queries.ts';
import type { Level, LevelCondition, Policy, PolicyInput, Target, TargetType } from '@klaxon/contract';
import { FormAlert, QueryState } from '../components/bits.tsx';
import { CHANNEL_LABEL, nextOnCallIn, onCallIn, previewPolicy, type Reachability, type ScheduleResolver } from '../escalation/preview.ts';
import { useFormErrors, type FormErrors } from '../lib/form.ts';
import { offset, timeOfDay } from '../lib/time.ts';
import { useSession } from '../session.tsx';
import { usePermissions } from '../lib/permissions.ts';
import { ObjectHistory } from '../components/audit.tsx';
import { useOrderedList } from '../lib/ordered-list.ts';

interface Draft {
  name: string;
  description: string;
  repeat: number;
  /** Kept as loaded (set by imports and klaxon.yaml; not edited here). */
  initialDelayMinutes?: number;
  levels: Level[];
}

/** How far ahead the preview reads schedules (escalation rarely runs longer; "next" looks this far). */
const PREVIEW_DAYS = 35;

const EMPTY: Draft = { name: '', description: '', repeat: 0, levels: [{ delayMinutes: 15, targets: [] }] };

const targetValue = (t: Target) => `${t.type}:${t.id}`;
const parseTarget = (v: string): Target => {
  const i = v.indexOf(':');
  return { type: v.slice(0, i) as TargetType, id: v.slice(i + 1) };
};

/** The preview: the draft policy run over people's current contact methods and rules, and, for
 * schedule targets, whoever the schedules API says is on call when each level would fire. */
function PreviewPanel({ draft }: { draft: Draft }) {
  const users = useUsers();
  const teams = useTeams();
  const { user: me } = useSession();
  const [base] = useState(() => Date.now());
  // Each schedule target's final schedule from now on, read once; who is on call (or next) when a
  // level would fire is looked up in it, so the preview follows the engine's timing exactly.
  const scheduleTargets = [...new Set(draft.levels.flatMap((l) => l.targets.filter((t) => t.type === 'schedule' || t.type === 'schedule_next').map((t) => t.id)))].sort();
  const finals = useQueries({
    queries: scheduleTargets.map((sid) => ({
      queryKey: keys.previewFinal(sid, base),
      queryFn: () => api.schedules.final(sid, base, base + PREVIEW_DAYS * 86_400_000),
      retry: false,
      staleTime: 30_000,
    })),
  });
  const scheduleIds = new Set<string>();
  const resolver: ScheduleResolver = (t, m) => {
    const q = finals[scheduleTargets.indexOf(t.id)];
    if (!q) return 'pending';
    if (q.error) return q.error instanceof ApiError && q.error.status === 404 ? 'missing' : 'pending';
    if (!q.data) return 'pending';
    const ids = t.type === 'schedule' ? onCallIn(q.data, base + m * 60_000) : nextOnCallIn(q.data, base + m * 60_000);
    ids.forEach((id) => scheduleIds.add(id));
    return { name: q.data.schedule.name, userIds: ids, userNames: Object.fromEntries(ids.map((id) => [id, q.data.users[id]?.name ?? id])) };
  };
  const valid = draft.levels.length > 0 && draft.levels.every((l) => l.delayMinutes >= 0);
  // First pass: which people the schedule targets name (with nobody reachable yet, every level fires at once; a
  // second look below covers the later times).
  if (valid) previewPolicy(draft, users.data ?? [], teams.data ?? [], {}, resolver);
  for (const q of finals) if (q.data) for (const id of Object.keys(q.data.users)) scheduleIds.add(id);
  const ids = useMemo(() => {
    const set = new Set<string>(scheduleIds);
    for (const l of draft.levels)
      for (const t of l.targets) {
        if (t.type === 'user') set.add(t.id);
        if (t.type === 'team') teams.data?.find((x) => x.id === t.id)?.members.forEach((m) => set.add(m.userId));
      }
    return [...set].sort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [draft.levels, teams.data, [...scheduleIds].sort().join(',')]);
  const methods = useQueries({ queries: ids.map((id) => ({ queryKey: keys.contactMethods(id), queryFn: () => api.contactMethods.list(id) })) });
  const rules = useQueries({ queries: ids.map((id) => ({ queryKey: keys.rules(id), queryFn: () => api.notificationRules.list(id) })) });
  const reach: Record<string, Reachability> = {};
  ids.forEach((id, i) => {
    reach[id] = { contactMethods: methods[i]?.data ?? [], rules: rules[i]?.data ?? [] };
  });
  const loading = users.isPending || teams.isPending || methods.some((m) => m.isPending) || rules.some((r) => r.isPending) || finals.some((a) => a.isPending);
  const preview = valid ? previewPolicy(draft, users.data ?? [], teams.data ?? [], reach, resolver, base) : null;
  const at = (m: number) => timeOfDay(base + m * 60_000, me.timeZone);

  return (
    <Paper withBorder p="md" radius="md" data-testid="policy-preview">
      <Title order={3} fz="lg" mb={4}>
        If an alert fired now
      </Title>
      <Text size="sm" c="dimmed" mb="md">
        Who would be paged when, on which channel, if nobody acknowledges. Times in {me.timeZone}.
      </Text>
      {loading ? (
        <Text c="dimmed">Reading contact methods and schedules…</Text>
      ) : !preview ? (
        <Text c="dimmed">Give every level a delay of at least 1 minute.</Text>
      ) : (
        <>
          {preview.nobody && (
            <Text c="red" fw={600} mb="sm" data-testid="preview-nobody">
              Nobody would be paged: add targets with verified contact methods.
            </Text>
          )}
          <Timeline bulletSize={22} lineWidth={2}>
            {preview.steps.map((s) => (
              <Timeline.Item
                key={s.step}
                color={s.skipped ? 'gray' : 'orange'}
                data-testid="preview-step"
                title={
                  <Group gap={6}>
                    <Text fw={700}>
                      {offset(s.atMinutes)} · {at(s.atMinutes)}
                    </Text>
                    <Badge variant="light" size="sm">
                      Level {s.levelIndex + 1}
                      {s.round > 0 ? `, round ${s.round + 1}` : ''}
                    </Badge>
                  </Group>
                }
              >
                {s.skipped && (
                  <Text size="sm" c="dimmed">
                    Nobody to page: skipped at once
                  </Text>
                )}
                {s.pages.map((p, i) => (
                  <Text key={i} size="sm" data-testid="preview-page">
                    {p.atMinutes !== s.atMinutes && (
                      <Text span c="dimmed">
                        {offset(p.atMinutes)}{' '}
                      </Text>
                    )}
                    <b>{p.userName}</b> by {CHANNEL_LABEL[p.channel]}{' '}
                    <Text span c="dimmed">
                      ({p.methodName})
                    </Text>
                  </Text>
                ))}
                {s.notes.map((n, i) => (
                  <Text key={`n${i}`} size="sm" c="orange">
                    {n}
                  </Text>
                ))}
              </Timeline.Item>
            ))}
            <Timeline.Item
              color="gray"
              title={
                <Text fw={700}>
                  {offset(preview.endsAtMinutes)} · {at(preview.endsAtMinutes)}
                </Text>
              }
            >
              <Text size="sm" c="dimmed">
                Escalation stops; the incident stays open.
              </Text>
            </Timeline.Item>
          </Timeline>
        </>
      )}
    </Paper>
  );
}

function LevelEditor({
  level,
  index,
  count,
  onChange,
  onMove,
  onRemove,
  errors,
  readOnly,
}: {
  level: Level;
  index: number;
  count: number;
  onChange: (l: Level) => void;
  onMove: (d: number) => void;
  onRemove: () => void;
  errors: FormErrors;
  readOnly: boolean;
}) {
  const users = useUsers().data ?? [];
  const teams = useTeams().data ?? [];
  const schedules = useSchedules().data ?? [];
  const data = [
    { group: 'People', items: users.map((u) => ({ value: `user:${u.id}`, label: u.name })) },
    {
      group: 'Teams',
      items: [
        ...teams.map((t) => ({ value: `team:${t.id}`, label: `Team ${t.name}` })),
        ...teams.map((t) => ({ value: `team_managers:${t.id}`, label: `Team ${t.name}: managers` })),
        ...teams.map((t) => ({ value: `team_random:${t.id}`, label: `Team ${t.name}: one member at random` })),
      ],
    },
    {
      group: 'Schedules',
      items: [
        ...schedules.map((s) => ({ value: `schedule:${s.id}`, label: `${s.name}: on call` })),
        ...schedules.map((s) => ({ value: `schedule_next:${s.id}`, label: `${s.name}: next on-call (backup)` })),
        ...schedules.map((s) => ({ value: `schedule_previous:${s.id}`, label: `${s.name}: previous on-call` })),
      ],
    },
  ];
  const path = `levels.${index}`;
  return (
    <Card withBorder radius="md" p="md" data-testid="level">
      <Stack gap="sm">
        <Group justify="space-between">
          <Text fw={700}>Level {index + 1}</Text>
          {!readOnly && (
            <Group gap={4}>
              <Tooltip label="Move up">
                <ActionIcon variant="subtle" size="lg" disabled={index === 0} onClick={() => onMove(-1)} aria-label="Move level up">
                  <IconArrowUp size={18} />
                </ActionIcon>
              </Tooltip>
              <Tooltip label="Move down">
                <ActionIcon variant="subtle" size="lg" disabled={index === count - 1} onClick={() => onMove(1)} aria-label="Move level down">
                  <IconArrowDown size={18} />
                </ActionIcon>
              </Tooltip>
              <Tooltip label="Remove level">
                <ActionIcon variant="subtle" color="red" size="lg" disabled={count === 1} onClick={onRemove} aria-label="Remove level">
                  <IconTrash size={18} />
                </ActionIcon>
              </Tooltip>
            </Group>
          )}
        </Group>
        <MultiSelect
          label="Page"
          placeholder={level.targets.length ? undefined : 'People, teams or schedules'}
          data={data}
          value={level.targets.map(targetValue)}
          onChange={(v) => onChange({ ...level, targets: v.map(parseTarget) })}
          searchable
          readOnly={readOnly}
          error={errors.under(`${path}.targets`)}
          data-testid={`level-${index}-targets`}
        />
        <NumberInput
          label="Escalate to the next level after (minutes)"
          min={0}
          max={1440}
          value={level.delayMinutes}
          onChange={(v) => onChange({ ...level, delayMinutes: typeof v === 'number' ? v : Number(v) || 0 })}
          readOnly={readOnly}
          error={errors.field(`${path}.delayMinutes`)}
          data-testid={`level-${index}-delay`}
        />
        <LevelOptions level={level} index={index} onChange={onChange} errors={errors} readOnly={readOnly} />
      </Stack>
    </Card>
  );
}

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;

/** A level's condition (when it applies), round robin and "keep paging after acknowledgement". */
function LevelOptions({ level, index, onChange, errors, readOnly }: { level: Level; index: number; onChange: (l: Level) => void; errors: FormErrors; readOnly: boolean }) {
  const c = level.condition ?? {};
  const path = `levels.${index}.condition`;
  const set = (next: LevelCondition) => {
    const clean = Object.fromEntries(Object.entries(next).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0))) as LevelCondition;
    const { condition: _old, ...rest } = level;
    onChange(Object.keys(clean).length ? { ...rest, condition: clean } : rest);
  };
  const time = (which: 'start' | 'end', v: string) => {
    const b = { start: c.between?.start ?? '', end: c.between?.end ?? '', [which]: v };
    set({ ...c, between: b.start || b.end ? b : undefined });
  };
  return (
    <Stack gap="xs" data-testid={`level-${index}-condition`}>
      <Text size="sm" fw={600}>
        Only when (leave empty: always)
      </Text>
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs">
        <TextInput
          label="Time zone"
          placeholder="Europe/Berlin"
          value={c.timeZone ?? ''}
          onChange={(e) => set({ ...c, timeZone: e.currentTarget.value || undefined })}
          readOnly={readOnly}
          error={errors.field(`${path}.timeZone`)}
          data-testid={`level-${index}-zone`}
        />
        <MultiSelect
          label="Days"
          placeholder={c.days?.length ? undefined : 'Any day'}
          data={DAYS.map((d) => ({ value: d, label: d }))}
          value={c.days ?? []}
          onChange={(v) => set({ ...c, days: v as LevelCondition['days'] })}
          readOnly={readOnly}
          data-testid={`level-${index}-days`}
        />
        <TextInput
          label="From (HH:MM)"
          placeholder="22:00"
          value={c.between?.start ?? ''}
          onChange={(e) => time('start', e.currentTarget.value)}
          readOnly={readOnly}
          error={errors.under(`${path}.between`)}
          data-testid={`level-${index}-from`}
        />
        <TextInput
          label="Until (HH:MM, before From: over midnight)"
          placeholder="07:00"
          value={c.between?.end ?? ''}
          onChange={(e) => time('end', e.currentTarget.value)}
          readOnly={readOnly}
          data-testid={`level-${index}-until`}
        />
        <MultiSelect
          label="Severity"
          placeholder={c.severity?.length ? undefined : 'Any severity'}
          data={[...SEVERITIES]}
          value={c.severity ?? []}
          onChange={(v) => set({ ...c, severity: v as LevelCondition['severity'] })}
          readOnly={readOnly}
          data-testid={`level-${index}-severity`}
        />
        <TextInput
          label="Label (key=value or key=a,b)"
          placeholder="team=db"
          defaultValue={c.label ? `${c.label.key}=${c.label.equals ?? (c.label.in ?? []).join(',')}` : ''}
          onBlur={(e) => {
            const [k, v] = e.currentTarget.value.split('=', 2).map((x) => x.trim());
            set({ ...c, label: k && v !== undefined ? (v.includes(',') ? { key: k, in: v.split(',').map((x) => x.trim()) } : { key: k, equals: v }) : undefined });
          }}
          readOnly={readOnly}
          error={errors.under(`${path}.label`)}
          data-testid={`level-${index}-label`}
        />
      </SimpleGrid>
      <Switch
        label="Round robin: each new incident pages the next target in turn"
        checked={Boolean(level.roundRobin)}
        onChange={(e) => {
          const { roundRobin: _r, ...rest } = level;
          onChange(e.currentTarget.checked ? { ...rest, roundRobin: true } : rest);
        }}
        disabled={readOnly}
        data-testid={`level-${index}-round-robin`}
      />
      <Switch
        label="Keep paging everyone on this level after an acknowledgement"
        checked={level.until === 'resolved'}
        onChange={(e) => {
          const { until: _u, ...rest } = level;
          onChange(e.currentTarget.checked ? { ...rest, until: 'resolved' } : rest);
        }}
        disabled={readOnly}
        data-testid={`level-${index}-until-resolved`}
      />
    </Stack>
  );
}

/** Create or edit an escalation policy, with a live preview of who would be paged. */
export default function PolicyPage() {
  const { id = 'new' } = useParams();
  const isNew = id === 'new';
  const { isAdmin: isGlobalAdmin } = useSession();
  const perms = usePermissions();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const errors = useFormErrors();
  const q = useQuery({ queryKey: keys.policy(id), queryFn: () => api.policies.get(id), enabled: !isNew });
  // Global admins, and admins of the policy's team (a new policy needs a global admin: the editor has no team field).
  const isAdmin = isNew ? isGlobalAdmin : !!q.data && perms.can('manage', q.data.teamId ?? null);
  const readOnly = !isAdmin;
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [loadedId, setLoadedId] = useState<string | null>(null);

  useEffect(() => {
    if (q.data && loadedId !== q.data.id) {
      setDraft({ name: q.data.name, description: q.data.description, repeat: q.data.repeat, initialDelayMinutes: q.data.initialDelayMinutes, levels: q.data.levels });
      setLoadedId(q.data.id);
    }
  }, [q.data, loadedId]);

  const input = (): PolicyInput => ({
    name: draft.name.trim(),
    description: draft.description,
    repeat: draft.repeat,
    ...(draft.initialDelayMinutes !== undefined && { initialDelayMinutes: draft.initialDelayMinutes }),
    levels: draft.levels,
  });
  const save = useMutation({
    mutationFn: () => (isNew ? api.policies.create(input()) : api.policies.update(id, input())),
    onSuccess: (p: Policy) => {
      qc.setQueryData(keys.policy(p.id), p);
      void qc.invalidateQueries({ queryKey: keys.policies });
      notifications.show({ message: `Saved ${p.name}`, color: 'green', autoClose: 2000 });
      if (isNew) navigate(`/escalation-policies/${p.id}`, { replace: true });
    },
    onError: errors.set,
  });
  const remove = useMutation({
    mutationFn: () => api.policies.remove(id),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: keys.policies });
      navigate('/escalation-policies');
    },
    onError: errors.set,
  });

  const levels = useOrderedList(setDraft, 'levels');

  const submit = (e: FormEvent) => {
    e.preventDefault();
    errors.clear();
    save.mutate();
  };

  return (
    <QueryState isPending={!isNew && q.isPending} error={q.error} retry={() => void q.refetch()}>
      <Anchor component={Link} to="/escalation-policies" size="sm">
        ← Escalation policies
      </Anchor>
      <Title order={1} fz={{ base: 22, sm: 26 }} my="md">
        {isNew ? 'New escalation policy' : draft.name || 'Escalation policy'}
      </Title>
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, md: 7 }}>
          <form onSubmit={submit} noValidate>
            <Stack>
              <TextInput
                label="Name"
                value={draft.name}
                onChange={(e) => setDraft({ ...draft, name: e.currentTarget.value })}
                error={errors.field('name')}
                readOnly={readOnly}
                required
                data-testid="policy-name"
              />
              <Textarea
                label="Description"
                autosize
                minRows={1}
                value={draft.description}
                onChange={(e) => setDraft({ ...draft, description: e.currentTarget.value })}
                error={errors.field('description')}
                readOnly={readOnly}
              />
              {draft.levels.map((l, i) => (
                <LevelEditor
                  key={i}
                  level={l}
                  index={i}
                  count={draft.levels.length}
                  onChange={(x) => levels.set(i, x)}
                  onMove={(d) => levels.move(i, d)}
                  onRemove={() => levels.remove(i)}
                  errors={errors}
                  readOnly={readOnly}
                />
              ))}
              {errors.field('levels') && <Input.Error>{errors.field('levels')}</Input.Error>}
              {!readOnly && (
                <Button
                  variant="light"
                  leftSection={<IconPlus size={18} />}
                  onClick={() => setDraft({ ...draft, levels: [...draft.levels, { delayMinutes: 15, targets: [] }] })}
                  disabled={draft.levels.length >= 20}
                  data-testid="add-level"
                >
                  Add level
                </Button>
              )}
              <NumberInput
                label="Then repeat all levels (times)"
                description="How many more rounds to run when nobody acknowledges"
                min={0}
                max={9}
                value={draft.repeat}
                onChange={(v) => setDraft({ ...draft, repeat: typeof v === 'number' ? v : Number(v) || 0 })}
                error={errors.field('repeat')}
                readOnly={readOnly}
                data-testid="policy-repeat"
              />
              <FormAlert message={errors.message} />
              {!readOnly && (
                <Group>
                  <Button type="submit" loading={save.isPending} data-testid="policy-save">
                    {isNew ? 'Create policy' : 'Save'}
                  </Button>
                  {!isNew && (
                    <Button
                      variant="subtle"
                      color="red"
                      loading={remove.isPending}
                      onClick={() => {
                        if (confirm(`Delete ${draft.name}? Services using it will page nobody.`)) remove.mutate();
                      }}
                    >
                      Delete
                    </Button>
                  )}
                </Group>
              )}
            </Stack>
          </form>
          {isAdmin && !isNew && q.data && (
            <div style={{ marginTop: 'var(--mantine-spacing-lg)' }}>
              <ObjectHistory subjectType="policy" subjectId={q.data.id} title="History of this policy" />
            </div>
          )}
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <div style={{ position: 'sticky', top: 76 }}>
            <PreviewPanel draft={draft} />
          </div>
        </Grid.Col>
      </Grid>
    </QueryState>
  );
}
