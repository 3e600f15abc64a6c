import { Anchor, Badge, Button, Card, Code, Group, Modal, Paper, Radio, Select, SimpleGrid, Stack, Switch, Tabs, Text, Timeline, Title } from '@mantine/core';
import { useHotkeys } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  IconAlertTriangle,
  IconArrowBigUpLines,
  IconBell,
  IconBellOff,
  IconCheck,
  IconCircleCheck,
  IconFlame,
  IconMessage,
  IconPlayerSkipForward,
  IconRotateClockwise,
  IconX,
} from '@tabler/icons-react';
import { lazy, Suspense, useEffect, useMemo, useState, type ReactNode } from 'react';
import { Link, useParams } from 'react-router-dom';
import { api, errorMessage } from '../api/client.ts';
import { setupApi } from '../api/setup.ts';
import { keys, useUserNames } from '../api/queries.ts';
import type { Alert, Incident, IncidentTrace, TimelineEvent } from '@klaxon/contract';
import { QueryState, SeverityBadge, StatusBadge } from '../components/bits.tsx';
import { MoreButton, SnoozeButton } from '../incidents/action-extras.tsx';
import { offerUndoResolve, showIncident } from '../incidents/undo-resolve.tsx';
import { timelineWords } from '../incidents/timeline-words.ts';
import { ago } from '../lib/time.ts';
import { useViewerZone, ZoneCaption, type ViewerZone } from '../lib/zone.tsx';
import { IncidentPostmortemButton } from '../postmortems/incident-postmortem-button.tsx';
import { usePermissions } from '../lib/permissions.ts';
import { AffectedBusinessServices } from '../status/affected-business-services.tsx';
import { must } from '../lib/must.ts';

const WarRoomPanel = lazy(() => import('../warroom/war-room.tsx'));

/**
 * Change the declared severity level. Raising a non-major incident to a major level declares it
 * major, which opens the war room and pages people: that goes through the declare confirmation.
 */
function SeverityControl({ inc, onMajor }: { inc: Incident; onMajor: (sev: string) => void }) {
  const qc = useQueryClient();
  const levels = useQuery({ queryKey: keys.severityLevels, queryFn: api.warRoom.severityLevels, staleTime: 300_000 });
  const m = useMutation({
    mutationFn: (sev: string) => api.warRoom.setSeverity(inc.id, sev),
    onSuccess: (i) => {
      qc.setQueryData(keys.incident(inc.id), i);
      qc.setQueryData(keys.incident(String(inc.number)), i);
      void qc.invalidateQueries({ queryKey: keys.timeline(inc.id) });
      void qc.invalidateQueries({ queryKey: keys.incidentLists });
      notifications.show({ message: `Severity set to ${i.sev ?? ''}`, autoClose: 2500 });
    },
    onError: (e) => notifications.show({ color: 'red', title: 'Could not change severity', message: errorMessage(e) }),
  });
  const choose = (v: string | null) => {
    if (!v || v === inc.sev) return;
    if (!inc.major && levels.data?.find((l) => l.name === v)?.major) onMajor(v);
    else m.mutate(v);
  };
  return (
    <Select
      aria-label="Severity"
      placeholder="Set severity"
      w={{ base: '100%', xs: 200 }}
      data={(levels.data ?? []).map((l) => ({ value: l.name, label: `${l.name}${l.major ? ' (major)' : ''}` }))}
      value={inc.sev ?? null}
      onChange={choose}
      disabled={m.isPending || inc.status === 'resolved'}
      allowDeselect={false}
      data-testid="severity-select"
      comboboxProps={{ width: 360, position: 'bottom-start' }}
      renderOption={({ option }) => (
        <div>
          <Text size="sm" fw={600}>
            {option.label}
          </Text>
          <Text size="xs" c="dimmed">
            {levels.data?.find((l) => l.name === option.value)?.description}
          </Text>
        </div>
      )}
    />
  );
}

/**
 * Declare this incident major (optionally as a drill): opens the war room and pages people. Kept
 * away from the action bar (one slip must not page a war room), and confirmed in a dialog that
 * names the incident manager and everyone who will be paged, from the server's own preview.
 */
function DeclareMajorDialog({ inc, opened, initialSev, onClose }: { inc: Incident; opened: boolean; initialSev: string | null; onClose: () => void }) {
  const qc = useQueryClient();
  const [sev, setSev] = useState<string | null>(initialSev);
  const [drill, setDrill] = useState(false);
  // The confirm button arms a moment after the dialog opens: the second tap of a double tap on
  // "Declare major…" must not land on it.
  const [armed, setArmed] = useState(false);
  useEffect(() => {
    if (!opened) return;
    setSev(initialSev);
    setArmed(false);
    const t = setTimeout(() => setArmed(true), ARM_MS);
    return () => clearTimeout(t);
  }, [opened, initialSev]);
  const levels = useQuery({ queryKey: keys.severityLevels, queryFn: api.warRoom.severityLevels, staleTime: 300_000 });
  const majors = (levels.data ?? []).filter((l) => l.major);
  const preview = useQuery({ queryKey: keys.declarePreview(inc.id, sev ?? ''), queryFn: () => setupApi.declarePreview(inc.id, sev ?? undefined), enabled: opened, staleTime: 0 });
  const m = useMutation({
    mutationFn: () => api.warRoom.declare({ incident: inc.id, sev: preview.data?.sev ?? sev ?? undefined, drill }),
    onSuccess: async () => {
      onClose();
      await Promise.all([qc.invalidateQueries({ queryKey: keys.incident(inc.id) }), qc.invalidateQueries({ queryKey: keys.incident(String(inc.number)) })]);
      void qc.invalidateQueries({ queryKey: keys.timeline(inc.id) });
      void qc.invalidateQueries({ queryKey: keys.incidentLists });
      notifications.show({ color: 'red', message: drill ? 'Drill declared: war room open' : 'Major incident declared: war room open', autoClose: 3000 });
    },
  });
  const p = preview.data;
  const n = p?.paged.length ?? 0;
  return (
    <Modal opened={opened} onClose={onClose} title="Declare a major incident?" centered>
      <Stack>
        <Text size="sm">Opens the war room, makes an incident manager and pages people now.</Text>
        <Select
          label="Severity"
          placeholder={majors[0]?.name ?? 'Most severe'}
          data={majors.map((l) => ({ value: l.name, label: `${l.name}${l.description ? ` · ${l.description}` : ''}` }))}
          value={sev}
          onChange={setSev}
          comboboxProps={{ withinPortal: true }}
          data-testid="declare-sev"
        />
        <Switch label="Drill (practice: stakeholders and status page are not told)" checked={drill} onChange={(e) => setDrill(e.currentTarget.checked)} data-testid="declare-drill" />
        <Paper withBorder p="sm" radius="md" data-testid="declare-preview">
          {preview.isPending ? (
            <Text size="sm" c="dimmed">
              Working out who will be paged…
            </Text>
          ) : preview.error ? (
            <Text size="sm" c="red" role="alert">
              {errorMessage(preview.error)}
            </Text>
          ) : (
            p && (
              <Stack gap={4}>
                <Text size="sm" data-testid="declare-im">
                  Incident manager: <b>{p.incidentManager ? `${p.incidentManager.name} (${p.incidentManager.why})` : 'nobody'}</b>
                </Text>
                <Text size="sm" fw={700} c={n ? 'red' : undefined} data-testid="declare-paged">
                  {n ? `Pages now: ${p.paged.map((x) => x.name).join(', ')}` : 'Pages nobody'}
                </Text>
                {p.notes.map((note) => (
                  <Text key={note} size="xs" c="dimmed">
                    {note}
                  </Text>
                ))}
              </Stack>
            )
          )}
        </Paper>
        {m.error && (
          <Text c="red" size="sm" role="alert">
            {errorMessage(m.error)}
          </Text>
        )}
        <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="sm">
          <Button variant="default" onClick={onClose} data-testid="declare-cancel">
            Cancel
          </Button>
          <Button color="red" loading={m.isPending} disabled={!p || !armed} onClick={() => m.mutate()} data-testid="declare-confirm">
            {drill ? 'Declare drill' : n ? `Declare and page ${n}` : 'Declare major'}
          </Button>
        </SimpleGrid>
      </Stack>
    </Modal>
  );
}

/** How long the declare confirmation waits before its confirm button can be pressed. */
const ARM_MS = 800;

/** Severity and "Declare major", below the incident's facts: out of the thumb's way. */
function MajorSection({ inc }: { inc: Incident }) {
  const [declare, setDeclare] = useState<{ sev: string | null } | null>(null);
  if (inc.status === 'resolved' && !inc.major) return null;
  return (
    <Paper withBorder p="md" radius="md" data-testid="major-section">
      <Group gap="sm" wrap="wrap" justify="space-between">
        <SeverityControl inc={inc} onMajor={(sev) => setDeclare({ sev })} />
        {!inc.major && inc.status !== 'resolved' && (
          <Button variant="outline" color="red" leftSection={<IconFlame size={18} />} onClick={() => setDeclare({ sev: null })} data-testid="declare-major">
            Declare major…
          </Button>
        )}
      </Group>
      <DeclareMajorDialog inc={inc} opened={declare !== null} initialSev={declare?.sev ?? null} onClose={() => setDeclare(null)} />
    </Paper>
  );
}

/** Reopen a resolved incident: acknowledged (nobody paged), or paging again from level 1. */
function ReopenButton({ inc }: { inc: Incident }) {
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  const [how, setHow] = useState<'ack' | 'page'>('ack');
  const m = useMutation({
    mutationFn: () => setupApi.reopen(inc.id, how === 'page'),
    onSuccess: (r) => {
      setOpen(false);
      showIncident(qc, r.incident);
      notifications.show({ message: how === 'page' ? `#${inc.number} reopened: paging from level 1` : `#${inc.number} reopened`, autoClose: 3000 });
    },
  });
  return (
    <>
      <Button size="lg" variant="outline" leftSection={<IconRotateClockwise size={22} />} onClick={() => setOpen(true)} data-testid="reopen-button">
        Reopen
      </Button>
      <Modal opened={open} onClose={() => setOpen(false)} title={`Reopen #${inc.number}?`} centered>
        <Stack>
          <Radio.Group value={how} onChange={(v) => setHow(v as 'ack' | 'page')}>
            <Stack gap="sm">
              <Radio value="ack" label="Reopen acknowledged: nobody is paged" data-testid="reopen-ack" />
              <Radio value="page" label={`Page again from level 1${inc.escalationPolicyName ? ` of ${inc.escalationPolicyName}` : ''}`} data-testid="reopen-page" />
            </Stack>
          </Radio.Group>
          {m.error && (
            <Text c="red" size="sm" role="alert">
              {errorMessage(m.error)}
            </Text>
          )}
          <Group grow>
            <Button variant="default" onClick={() => setOpen(false)}>
              Cancel
            </Button>
            <Button loading={m.isPending} onClick={() => m.mutate()} data-testid="reopen-confirm">
              Reopen
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}

type Action = 'acknowledge' | 'resolve' | 'escalate';

function timelineIcon(type: string): { icon: ReactNode; color: string } {
  if (type === 'incident.opened' || type === 'alert.triggered') return { icon: <IconFlame size={14} />, color: 'red' };
  if (type.endsWith('.acknowledged')) return { icon: <IconCheck size={14} />, color: 'yellow' };
  if (type.endsWith('.resolved')) return { icon: <IconCircleCheck size={14} />, color: 'green' };
  if (type === 'incident.reopened') return { icon: <IconRotateClockwise size={14} />, color: 'yellow' };
  if (type === 'incident.escalated' || type === 'escalation.level' || type === 'incident.reassigned') return { icon: <IconArrowBigUpLines size={14} />, color: 'orange' };
  if (type === 'escalation.skipped' || type === 'escalation.exhausted') return { icon: <IconPlayerSkipForward size={14} />, color: 'gray' };
  if (type === 'notification.sent' || type === 'notification.bundled') return { icon: <IconBell size={14} />, color: 'indigo' };
  if (type === 'notification.failed') return { icon: <IconX size={14} />, color: 'red' };
  if (type === 'notification.cancelled') return { icon: <IconBellOff size={14} />, color: 'gray' };
  if (type === 'alert.grouped') return { icon: <IconAlertTriangle size={14} />, color: 'orange' };
  return { icon: <IconMessage size={14} />, color: 'gray' };
}

/** The timeline in people's words (incidents/timeline-words.ts), times in the viewer's profile zone. */
function TimelineView({ events, zone, nameOf }: { events: TimelineEvent[]; zone: ViewerZone; nameOf: (userId: string) => string | undefined }) {
  if (!events.length) return <Text c="dimmed">Nothing yet.</Text>;
  // Newest first: during an incident, what just happened matters most.
  const list = [...events].reverse();
  return (
    <Timeline bulletSize={26} lineWidth={2} data-testid="timeline">
      {list.map((e) => {
        const { icon, color } = timelineIcon(e.type);
        return (
          <Timeline.Item
            key={e.id}
            bullet={icon}
            color={color}
            title={
              <Text fw={600} style={{ wordBreak: 'break-word' }} data-testid="timeline-words">
                {timelineWords(e, { nameOf, timeOfDay: zone.timeOfDay })}
              </Text>
            }
            data-type={e.type}
          >
            <Text size="sm" c="dimmed" data-testid="timeline-time">
              {zone.dateTime(e.at)} · {ago(e.at)}
            </Text>
            {(e.type === 'action.run' || e.type === 'drill.summary') && e.message.includes('\n') && (
              <details>
                <summary style={{ cursor: 'pointer' }}>
                  <Text span size="sm">
                    Details
                  </Text>
                </summary>
                <Code block style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
                  {e.message}
                </Code>
              </details>
            )}
          </Timeline.Item>
        );
      })}
    </Timeline>
  );
}

/** The routing trace (GET /incidents/{id}/trace): why the incident went where it went, and who was or was not paged. */
function TraceView({ trace, zone }: { trace: IncidentTrace; zone: ViewerZone }) {
  const wrap = { wordBreak: 'break-word' as const, overflowWrap: 'anywhere' as const };
  return (
    <Stack gap="sm" data-testid="trace">
      <Paper withBorder p="md" radius="md" bg={trace.paged ? undefined : 'var(--mantine-color-red-light)'}>
        <Text fw={700} style={wrap} data-testid="trace-why">
          {trace.why}
        </Text>
      </Paper>
      <Card withBorder radius="md" p="md">
        <Text fw={600}>Where it came from</Text>
        {trace.alerts.map((a) => (
          <Stack key={a.id} gap={4} mt="xs">
            <Text size="sm" style={wrap}>
              {a.integration ? `Integration ${a.integration.name} (${a.integration.kind})` : 'Opened by hand'}: {a.summary} [{a.severity}]
            </Text>
            {a.events.slice(0, 3).map((e, i) => (
              <Code key={i} block style={{ ...wrap, whiteSpace: 'pre-wrap', maxHeight: 160, overflow: 'auto' }}>
                {zone.timeOfDay(e.receivedAt)} {e.action} → {e.outcome}
                {'\n'}
                {typeof e.payload === 'string' ? e.payload : JSON.stringify(e.payload, null, 2)}
              </Code>
            ))}
          </Stack>
        ))}
        {!trace.alerts.length && (
          <Text size="sm" c="dimmed">
            Opened by hand: no alerts.
          </Text>
        )}
      </Card>
      <Card withBorder radius="md" p="md">
        <Text fw={600}>Event rules</Text>
        {trace.rules.length ? (
          trace.rules.map((r, i) => (
            <Text key={i} size="sm" style={wrap}>
              {r.matched ? '✓' : '✗'} {r.rule}
              {r.detail ? `: ${r.detail}` : ''}
            </Text>
          ))
        ) : (
          <Text size="sm" c="dimmed" data-testid="trace-no-rules">
            No event rules
          </Text>
        )}
      </Card>
      <Card withBorder radius="md" p="md">
        <Text fw={600} style={wrap}>
          Service {trace.service.name}: {trace.policy ? `policy ${trace.policy.name}` : 'no escalation policy'}
        </Text>
        <Stack gap={4} mt="xs" data-testid="trace-decisions">
          {trace.decisions.map((d, i) => (
            <Text key={i} size="sm" style={wrap} data-type={d.type}>
              {zone.timeOfDay(d.at)} {d.message}
            </Text>
          ))}
        </Stack>
      </Card>
      <Card withBorder radius="md" p="md">
        <Text fw={600}>Notifications</Text>
        <Stack gap={4} mt="xs" data-testid="trace-deliveries">
          {trace.deliveries.map((n, i) => (
            <Text key={i} size="sm" style={wrap}>
              {n.user} by {n.channel} ({n.contactMethod}), due {zone.timeOfDay(n.dueAt)}: {n.decision}
              {n.messages.map((m) => `; message ${m.status}${m.attempts.map((a) => `, attempt ${a.status}${a.error ? ` (${a.error})` : ''}`).join('')}`).join('')}
            </Text>
          ))}
          {!trace.deliveries.length && (
            <Text size="sm" c="dimmed">
              No notifications.
            </Text>
          )}
        </Stack>
      </Card>
    </Stack>
  );
}

function AlertCard({ a }: { a: Alert }) {
  const details = Object.entries(a.details ?? {});
  return (
    <Card withBorder radius="md" p="md">
      <Stack gap={8}>
        <Group justify="space-between" align="flex-start" wrap="nowrap">
          <Text fw={600} style={{ wordBreak: 'break-word' }}>
            {a.summary}
          </Text>
          <Badge color={a.status === 'resolved' ? 'green' : a.status === 'acknowledged' ? 'yellow' : 'red'} variant="light">
            {a.status}
          </Badge>
        </Group>
        <Group gap="xs">
          <SeverityBadge severity={a.severity} />
          {a.source && (
            <Text size="sm" c="dimmed">
              from {a.source}
            </Text>
          )}
          <Text size="sm" c="dimmed">
            · {a.eventCount} event{a.eventCount === 1 ? '' : 's'} · {ago(a.createdAt)}
          </Text>
        </Group>
        <Text size="xs" c="dimmed" style={{ wordBreak: 'break-all' }}>
          dedup key {a.dedupKey}
        </Text>
        {a.links.length > 0 && (
          <Group gap="sm">
            {a.links.map((l) => (
              <Anchor key={l.href} href={l.href} target="_blank" rel="noreferrer" size="sm">
                {l.text || l.href}
              </Anchor>
            ))}
          </Group>
        )}
        {details.length > 0 && (
          <Code block style={{ maxHeight: 260, overflow: 'auto', fontSize: 12 }}>
            {JSON.stringify(a.details, null, 2)}
          </Code>
        )}
      </Stack>
    </Card>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
        {label}
      </Text>
      <Text component="div">{children}</Text>
    </div>
  );
}

/**
 * The action bar: Acknowledge, Snooze, Resolve, More (escalate, reassign, add a responder, a
 * note). Every button keeps its place whatever the state (an acknowledged incident shows a disabled
 * "Acknowledged" where Acknowledge was), so a second tap lands on the same button, never on the one
 * that used to be next to it. Resolve offers Undo for a few seconds; a resolved incident shows
 * Reopen where More was.
 */
function Actions({ inc }: { inc: Incident }) {
  const qc = useQueryClient();
  const m = useMutation({
    mutationFn: (action: Action) => api.incidents[action](inc.id),
    onSuccess: (r, action) => {
      showIncident(qc, r.incident);
      if (!r.changed) notifications.show({ message: `Already ${r.incident.status}`, autoClose: 2500 });
      else if (action === 'escalate') notifications.show({ message: 'Escalated to the next level', color: 'orange', autoClose: 2500 });
      else if (action === 'resolve') offerUndoResolve(qc, r.incident);
    },
    onError: (e) => notifications.show({ color: 'red', title: 'Could not do that', message: errorMessage(e) }),
  });
  useHotkeys([
    ['a', () => inc.status === 'triggered' && m.mutate('acknowledge')],
    ['r', () => inc.status !== 'resolved' && m.mutate('resolve')],
    ['e', () => inc.status !== 'resolved' && inc.escalationPolicyName && m.mutate('escalate')],
  ]);
  const busy = m.isPending ? m.variables : null;
  const resolved = inc.status === 'resolved';
  return (
    <div className={inc.major ? 'klx-action-bar klx-action-static' : 'klx-action-bar'} data-testid="action-bar">
      <SimpleGrid cols={{ base: 3, sm: 4 }} spacing="sm">
        <Button
          size="lg"
          color="yellow"
          c={inc.status === 'triggered' ? 'dark.9' : undefined}
          leftSection={<IconCheck size={22} />}
          onClick={() => inc.status === 'triggered' && m.mutate('acknowledge')}
          disabled={inc.status !== 'triggered' || m.isPending}
          loading={busy === 'acknowledge'}
          data-testid="ack-button"
          data-state={inc.status}
          className="klx-ack"
        >
          {inc.status === 'triggered' ? 'Acknowledge' : 'Acknowledged'}
        </Button>
        <SnoozeButton inc={inc} disabled={m.isPending} />
        <Button
          size="lg"
          color="green"
          leftSection={<IconCircleCheck size={22} />}
          onClick={() => !resolved && m.mutate('resolve')}
          disabled={resolved || m.isPending}
          loading={busy === 'resolve'}
          data-testid="resolve-button"
        >
          {resolved ? 'Resolved' : 'Resolve'}
        </Button>
        {resolved ? <ReopenButton inc={inc} /> : <MoreButton inc={inc} />}
      </SimpleGrid>
    </div>
  );
}

/** One incident: what, where, who has it, the actions, its timeline and alerts, all live. */
export default function IncidentPage() {
  const { ref = '' } = useParams();
  const perms = usePermissions();
  // Globally, or through a team role on the incident's service's team.
  const q = useQuery({ queryKey: keys.incident(ref), queryFn: () => api.incidents.get(ref) });
  const inc = q.data;
  const canRespond = inc ? perms.canOnService('respond', inc.serviceId) : false;
  const timeline = useQuery({ queryKey: keys.timeline(inc?.id ?? ''), queryFn: () => api.incidents.timeline(must(inc, 'the incident').id), enabled: !!inc });
  const alerts = useQuery({ queryKey: keys.alerts(inc?.id ?? ''), queryFn: () => api.incidents.alerts(must(inc, 'the incident').id), enabled: !!inc });
  const [tab, setTab] = useState<string | null>('timeline');
  const trace = useQuery({ queryKey: keys.trace(inc?.id ?? ''), queryFn: () => api.incidents.trace(must(inc, 'the incident').id), enabled: !!inc && tab === 'why' });
  const zone = useViewerZone();
  // The names this page shows (who has it, and the people its timeline names), asked for by id: a
  // large organisation's whole directory is not part of opening an incident on a phone (issue 19).
  const named = useMemo(() => {
    const ids = new Set<string>();
    for (const id of [inc?.incidentManagerId, inc?.acknowledgedBy, inc?.resolvedBy]) if (id) ids.add(id);
    const note = (id: string) => {
      ids.add(id);
      return undefined;
    };
    for (const e of timeline.data ?? []) timelineWords(e, { nameOf: note, timeOfDay: zone.timeOfDay });
    return [...ids];
  }, [inc?.incidentManagerId, inc?.acknowledgedBy, inc?.resolvedBy, timeline.data, zone.timeOfDay]);
  const userNames = useUserNames(named);
  const nameOf = (id: string | null) => (id ? (userNames.get(id) ?? 'someone') : 'Klaxon');

  return (
    <QueryState isPending={q.isPending} error={q.error} retry={() => void q.refetch()}>
      {inc && (
        <Stack gap="md" data-testid="incident-page" data-status={inc.status}>
          <Anchor component={Link} to="/incidents" size="sm">
            ← Incidents
          </Anchor>
          <Stack gap={6}>
            <Group gap="xs">
              <StatusBadge status={inc.status} size="lg" />
              {inc.sev ? (
                <Badge color="red" variant={inc.major ? 'filled' : 'outline'} data-testid="incident-sev">
                  {inc.sev}
                </Badge>
              ) : (
                <SeverityBadge severity={inc.severity} />
              )}
              {inc.priority && (
                <Badge color="grape" variant="light" data-testid="incident-priority">
                  {inc.priority}
                </Badge>
              )}
              {inc.urgency === 'low' && (
                <Badge color="gray" variant="light" data-testid="incident-urgency">
                  Low urgency
                </Badge>
              )}
              {inc.major && (
                <Badge color="red" variant="light" data-testid="major-badge">
                  {inc.drill ? 'DRILL' : 'Major'}
                </Badge>
              )}
              <Text c="dimmed">#{inc.number}</Text>
            </Group>
            <Title order={1} fz={{ base: 22, sm: 28 }} style={{ wordBreak: 'break-word' }}>
              {inc.title}
            </Title>
            {inc.incidentManagerId && (
              <Text fw={600} data-testid="incident-manager">
                Incident manager: {nameOf(inc.incidentManagerId)}
              </Text>
            )}
          </Stack>
          <AffectedBusinessServices incidentId={inc.id} />
          {canRespond && <Actions inc={inc} />}
          <IncidentPostmortemButton inc={inc} />
          {inc.major && (
            <Suspense fallback={<Text c="dimmed">Opening the war room…</Text>}>
              <WarRoomPanel inc={inc} />
            </Suspense>
          )}
          <Paper withBorder p="md" radius="md">
            <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="md">
              <Fact label="Service">
                <Anchor component={Link} to={`/services/${inc.serviceId}`}>
                  {inc.serviceName}
                </Anchor>
              </Fact>
              <Fact label="Opened">
                {zone.dateTime(inc.createdAt)}{' '}
                <Text span c="dimmed" size="sm">
                  ({ago(inc.createdAt)})
                </Text>
              </Fact>
              <Fact label="Escalation">
                {inc.escalationPolicyName ? (
                  <>
                    {inc.escalationPolicyName}
                    <Text size="sm" c="dimmed">
                      {inc.escalationStep} step{inc.escalationStep === 1 ? '' : 's'} fired{inc.nextEscalationAt ? `, next ${zone.dateTime(inc.nextEscalationAt)}` : ''}
                    </Text>
                  </>
                ) : (
                  <Text c="dimmed">No policy: nobody is paged</Text>
                )}
              </Fact>
              <Fact label={inc.status === 'resolved' ? 'Resolved' : inc.status === 'acknowledged' ? 'Acknowledged' : 'Alerts'}>
                {inc.status === 'resolved' && inc.resolvedAt ? (
                  `${nameOf(inc.resolvedBy)}, ${ago(inc.resolvedAt)}`
                ) : inc.status === 'acknowledged' && inc.acknowledgedAt ? (
                  <>
                    <span data-testid="acked-by">{`${nameOf(inc.acknowledgedBy)}, ${ago(inc.acknowledgedAt)}`}</span>
                    {inc.snoozedUntil ? (
                      <Text size="sm" fw={700} c="yellow" data-testid="snoozed-until">
                        Snoozed: pages again at {zone.timeOfDay(inc.snoozedUntil)}
                      </Text>
                    ) : null}
                  </>
                ) : (
                  `${inc.alertCount} alert${inc.alertCount === 1 ? '' : 's'}`
                )}
              </Fact>
            </SimpleGrid>
            {inc.details && (
              <Code block mt="md" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word', maxHeight: 240, overflow: 'auto' }}>
                {inc.details}
              </Code>
            )}
          </Paper>
          {canRespond && <MajorSection inc={inc} />}
          <Tabs value={tab} onChange={setTab} keepMounted={false}>
            <Tabs.List grow>
              <Tabs.Tab value="timeline" fz="md" py="sm">
                Timeline
              </Tabs.Tab>
              <Tabs.Tab value="alerts" fz="md" py="sm">
                Alerts ({inc.alertCount})
              </Tabs.Tab>
              <Tabs.Tab value="why" fz="md" py="sm" data-testid="why-tab">
                Why
              </Tabs.Tab>
            </Tabs.List>
            <Tabs.Panel value="timeline" pt="md">
              <QueryState isPending={timeline.isPending} error={timeline.error}>
                <ZoneCaption zone={zone} />
                <TimelineView events={timeline.data ?? []} zone={zone} nameOf={(id) => userNames.get(id)} />
              </QueryState>
            </Tabs.Panel>
            <Tabs.Panel value="why" pt="md">
              <QueryState isPending={trace.isPending} error={trace.error}>
                {trace.data && <TraceView trace={trace.data} zone={zone} />}
              </QueryState>
            </Tabs.Panel>
            <Tabs.Panel value="alerts" pt="md">
              <QueryState isPending={alerts.isPending} error={alerts.error}>
                <Stack>
                  {(alerts.data ?? []).map((a) => (
                    <AlertCard key={a.id} a={a} />
                  ))}
                  {alerts.data?.length === 0 && <Text c="dimmed">Opened by hand: no alerts.</Text>}
                </Stack>
              </QueryState>
            </Tabs.Panel>
          </Tabs>
          {canRespond && !inc.major && <div className="klx-action-spacer" />}
        </Stack>
      )}
    </QueryState>
  );
}
