import { Anchor, Badge, Button, Card, Code, Group, Modal, Paper, Select, SimpleGrid, Stack, Switch, Tabs, Text, Timeline, Title } from '@mantine/core';
import { useHotkeys } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { IconAlertTriangle, IconArrowBigUpLines, IconBell, IconBellOff, IconCheck, IconCircleCheck, IconFlame, IconMessage, IconPlayerSkipForward, IconX } from '@tabler/icons-react';
import { lazy, Suspense, useState, type ReactNode } from 'react';
import { Link, useParams } from 'react-router-dom';
import { api, errorMessage } from '../api/client.ts';
import { keys, useUsers } from '../api/queries.ts';
import type { Alert, Incident, TimelineEvent } from '../api/types.ts';
import { QueryState, SeverityBadge, StatusBadge } from '../components/bits.tsx';
import { ReassignButton } from '../incidents/reassign.tsx';
import { ago, dateTime } from '../lib/time.ts';
import { useFeatures } from '../features.ts';
import { IncidentPostmortemButton } from '../postmortems/incident-postmortem-button.tsx';
import { useSession } from '../session.tsx';
import { AffectedBusinessServices } from '../status/affected-business-services.tsx';

const WarRoomPanel = lazy(() => import('../warroom/war-room.tsx'));

/** Change the declared severity level (raising to a major level declares a major incident). */
function SeverityControl({ inc }: { inc: Incident }) {
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
  return (
    <Select
      aria-label="Severity"
      placeholder="Set severity"
      w={{ base: '100%', xs: 200 }}
      data={(levels.data ?? []).map((l) => ({ value: l.name, label: `${l.name}${l.major ? ' (major)' : ''}` }))}
      value={inc.sev ?? null}
      onChange={(v) => v && v !== inc.sev && m.mutate(v)}
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

/** Declare this incident major (optionally as a drill): opens the war room. */
function DeclareMajor({ inc }: { inc: Incident }) {
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  const [sev, setSev] = useState<string | null>(null);
  const [drill, setDrill] = useState(false);
  const levels = useQuery({ queryKey: keys.severityLevels, queryFn: api.warRoom.severityLevels, staleTime: 300_000 });
  const majors = (levels.data ?? []).filter((l) => l.major);
  const m = useMutation({
    mutationFn: () => api.warRoom.declare({ incident: inc.id, sev: sev ?? undefined, drill }),
    onSuccess: async () => {
      setOpen(false);
      await Promise.all([qc.invalidateQueries({ queryKey: keys.incident(inc.id) }), qc.invalidateQueries({ queryKey: keys.incident(String(inc.number)) })]);
      void qc.invalidateQueries({ queryKey: keys.timeline(inc.id) });
      void qc.invalidateQueries({ queryKey: keys.incidentLists });
      notifications.show({ color: 'red', message: drill ? 'Drill declared: war room open' : 'Major incident declared: war room open', autoClose: 3000 });
    },
  });
  return (
    <>
      <Button size="lg" color="red" variant="filled" leftSection={<IconFlame size={22} />} onClick={() => setOpen(true)} data-testid="declare-major">
        Declare major
      </Button>
      <Modal opened={open} onClose={() => setOpen(false)} title="Declare a major incident" centered>
        <Stack>
          <Text size="sm">Opens the war room, makes an incident manager and pages the responders for the severity.</Text>
          <Select label="Severity" placeholder={majors[0]?.name ?? 'Most severe'} data={majors.map((l) => ({ value: l.name, label: `${l.name}${l.description ? ` · ${l.description}` : ''}` }))} value={sev} onChange={setSev} comboboxProps={{ withinPortal: true }} data-testid="declare-sev" />
          <Switch label="Drill (practice: stakeholders and status page are not told)" checked={drill} onChange={(e) => setDrill(e.currentTarget.checked)} data-testid="declare-drill" />
          {m.error && <Text c="red" size="sm" role="alert">{errorMessage(m.error)}</Text>}
          <Button color="red" size="md" loading={m.isPending} onClick={() => m.mutate()} data-testid="declare-confirm">
            {drill ? 'Declare drill' : 'Declare major incident'}
          </Button>
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
  if (type === 'incident.escalated' || type === 'escalation.level' || type === 'incident.reassigned') return { icon: <IconArrowBigUpLines size={14} />, color: 'orange' };
  if (type === 'escalation.skipped' || type === 'escalation.exhausted') return { icon: <IconPlayerSkipForward size={14} />, color: 'gray' };
  if (type === 'notification.sent') return { icon: <IconBell size={14} />, color: 'indigo' };
  if (type === 'notification.failed') return { icon: <IconX size={14} />, color: 'red' };
  if (type === 'notification.cancelled') return { icon: <IconBellOff size={14} />, color: 'gray' };
  if (type === 'alert.grouped') return { icon: <IconAlertTriangle size={14} />, color: 'orange' };
  return { icon: <IconMessage size={14} />, color: 'gray' };
}

function TimelineView({ events }: { events: TimelineEvent[] }) {
  if (!events.length) return <Text c="dimmed">Nothing yet.</Text>;
  // Newest first: during an incident, what just happened matters most.
  const list = [...events].reverse();
  return (
    <Timeline bulletSize={26} lineWidth={2} data-testid="timeline">
      {list.map((e) => {
        const { icon, color } = timelineIcon(e.type);
        return (
          <Timeline.Item key={e.id} bullet={icon} color={color} title={<Text fw={600}>{e.message}</Text>} data-type={e.type}>
            <Text size="sm" c="dimmed">
              {dateTime(e.at)} · {ago(e.at)}
              {e.actor.name ? ` · ${e.actor.name}` : ''}
              {e.channel ? ` · via ${e.channel}` : ''}
            </Text>
          </Timeline.Item>
        );
      })}
    </Timeline>
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

function Actions({ inc, warRoom }: { inc: Incident; warRoom: boolean }) {
  const qc = useQueryClient();
  const m = useMutation({
    mutationFn: (action: Action) => api.incidents[action](inc.id),
    onSuccess: (r, action) => {
      qc.setQueryData(keys.incident(inc.id), r.incident);
      qc.setQueryData(keys.incident(String(inc.number)), r.incident);
      void qc.invalidateQueries({ queryKey: keys.timeline(inc.id) });
      if (!r.changed) notifications.show({ message: `Already ${r.incident.status}`, autoClose: 2500 });
      else if (action === 'escalate') notifications.show({ message: 'Escalated to the next level', color: 'orange', autoClose: 2500 });
    },
    onError: (e) => notifications.show({ color: 'red', title: 'Could not do that', message: errorMessage(e) }),
  });
  useHotkeys([
    ['a', () => inc.status === 'triggered' && m.mutate('acknowledge')],
    ['r', () => inc.status !== 'resolved' && m.mutate('resolve')],
    ['e', () => inc.status !== 'resolved' && inc.escalationPolicyName && m.mutate('escalate')],
  ]);
  const busy = m.isPending ? m.variables : null;
  if (inc.status === 'resolved') return null;
  return (
    <div className={inc.major ? 'klx-action-bar klx-action-static' : 'klx-action-bar'}>
      {warRoom && (
        <Group gap="sm" mb="sm" wrap="wrap">
          <SeverityControl inc={inc} />
          {!inc.major && <DeclareMajor inc={inc} />}
        </Group>
      )}
      <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="sm">
        {inc.status === 'triggered' && (
          <Button size="lg" color="yellow" c="dark.9" leftSection={<IconCheck size={22} />} onClick={() => m.mutate('acknowledge')} loading={busy === 'acknowledge'} data-testid="ack-button" className="klx-ack">
            Acknowledge
          </Button>
        )}
        <Button size="lg" color="green" leftSection={<IconCircleCheck size={22} />} onClick={() => m.mutate('resolve')} loading={busy === 'resolve'} data-testid="resolve-button">
          Resolve
        </Button>
        {inc.escalationPolicyName && (
          <Button size="lg" variant="outline" color="orange" leftSection={<IconArrowBigUpLines size={22} />} onClick={() => m.mutate('escalate')} loading={busy === 'escalate'} data-testid="escalate-button">
            Escalate
          </Button>
        )}
        <ReassignButton inc={inc} />
      </SimpleGrid>
    </div>
  );
}

/** One incident: what, where, who has it, the actions, its timeline and alerts, all live. */
export default function IncidentPage() {
  const { ref = '' } = useParams();
  const { user } = useSession();
  const features = useFeatures();
  const canRespond = user.role === 'admin' || user.role === 'responder';
  const users = useUsers();
  const q = useQuery({ queryKey: keys.incident(ref), queryFn: () => api.incidents.get(ref) });
  const inc = q.data;
  const timeline = useQuery({ queryKey: keys.timeline(inc?.id ?? ''), queryFn: () => api.incidents.timeline(inc!.id), enabled: !!inc });
  const alerts = useQuery({ queryKey: keys.alerts(inc?.id ?? ''), queryFn: () => api.incidents.alerts(inc!.id), enabled: !!inc });
  const nameOf = (id: string | null) => (id ? (users.data?.find((u) => u.id === id)?.name ?? 'someone') : 'Klaxon');

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
          {features.warRoom && <AffectedBusinessServices incidentId={inc.id} />}
          {canRespond && <Actions inc={inc} warRoom={features.warRoom} />}
          {features.reports && <IncidentPostmortemButton inc={inc} />}
          {features.warRoom && inc.major && (
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
                {dateTime(inc.createdAt)} <Text span c="dimmed" size="sm">({ago(inc.createdAt)})</Text>
              </Fact>
              <Fact label="Escalation">
                {inc.escalationPolicyName ? (
                  <>
                    {inc.escalationPolicyName}
                    <Text size="sm" c="dimmed">
                      {inc.escalationStep} step{inc.escalationStep === 1 ? '' : 's'} fired{inc.nextEscalationAt ? `, next ${dateTime(inc.nextEscalationAt)}` : ''}
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
                  <span data-testid="acked-by">{`${nameOf(inc.acknowledgedBy)}, ${ago(inc.acknowledgedAt)}`}</span>
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
          <Tabs defaultValue="timeline" keepMounted={false}>
            <Tabs.List grow>
              <Tabs.Tab value="timeline" fz="md" py="sm">
                Timeline
              </Tabs.Tab>
              <Tabs.Tab value="alerts" fz="md" py="sm">
                Alerts ({inc.alertCount})
              </Tabs.Tab>
            </Tabs.List>
            <Tabs.Panel value="timeline" pt="md">
              <QueryState isPending={timeline.isPending} error={timeline.error}>
                <TimelineView events={timeline.data ?? []} />
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
        </Stack>
      )}
    </QueryState>
  );
}
