import { ActionIcon, Anchor, Badge, Button, Card, Checkbox, Group, NumberInput, Paper, Select, Stack, Switch, Text, Textarea, TextInput, Title, Tooltip } from '@mantine/core';
import { Segmented } from '../components/segmented.tsx';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { IconAlertTriangle, IconBook, IconChecks, IconDownload, IconPhoneCall, IconSend, IconSpeakerphone } from '@tabler/icons-react';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, ApiError, errorMessage } from '../api/client.ts';
import { keys, useUsers } from '../api/queries.ts';
import type { ChatMessage, Incident, StatusPhase, WarRoom, WarRoomRole } from '@klaxon/contract';
import { FormAlert } from '../components/bits.tsx';
import { ago } from '../lib/time.ts';
import { useViewerZone, ZoneCaption } from '../lib/zone.tsx';
import { useSession } from '../session.tsx';
import { must } from '../lib/must.ts';

const ROLE_LABEL: Record<WarRoomRole, string> = { im: 'Incident manager', comms: 'Comms lead', scribe: 'Scribe', responder: 'Responder' };

function useWarRoom(inc: Incident) {
  return useQuery({ queryKey: keys.warRoom(inc.id), queryFn: () => api.warRoom.get(inc.id) });
}

/** The roles the signed-in user holds in this war room. */
function myRole(wr: WarRoom | undefined, userId: string): WarRoomRole | null {
  return wr?.members.find((m) => m.userId === userId)?.role ?? null;
}

/** A priority message, shown apart, with who received and read it. Marks it read for me when shown. */
function PriorityMessage({ m, me }: { m: ChatMessage; me: string }) {
  const qc = useQueryClient();
  const mine = m.receipts?.find((r) => r.userId === me);
  const needsRead = m.author.id !== me && !!mine && !mine.readAt;
  useEffect(() => {
    if (!needsRead) return;
    void api.warRoom
      .receipt(m.id, 'read')
      .then(() => qc.invalidateQueries({ queryKey: keys.chat(m.incidentId) }))
      .catch(() => undefined);
  }, [needsRead, m.id, m.incidentId, qc]);
  const zone = useViewerZone();
  const receipts = m.receipts ?? [];
  const read = receipts.filter((r) => r.readAt).length;
  return (
    <Paper p="sm" radius="md" withBorder style={{ borderColor: 'var(--mantine-color-red-6)', borderWidth: 2 }} data-testid="priority-message" data-id={m.id}>
      <Group gap={6} mb={4} wrap="nowrap">
        <IconSpeakerphone size={16} color="var(--mantine-color-red-6)" />
        <Text size="sm" fw={700}>
          {m.author.name}
        </Text>
        <Text size="xs" c="dimmed">
          {ago(m.at)}
        </Text>
      </Group>
      <Text fw={600} style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
        {m.text}
      </Text>
      {receipts.length > 0 && (
        <Group gap={4} mt={6} data-testid="receipts">
          <IconChecks size={14} />
          <Text size="xs" c="dimmed" mr={4}>
            Read by {read}/{receipts.length}
          </Text>
          {receipts.map((r) => (
            <Tooltip key={r.userId} label={r.readAt ? `Read ${zone.dateTime(r.readAt)}` : r.receivedAt ? `Received ${zone.dateTime(r.receivedAt)}` : 'Not received yet'}>
              <Badge
                size="xs"
                variant={r.readAt ? 'filled' : 'outline'}
                color={r.readAt ? 'green' : r.receivedAt ? 'yellow' : 'gray'}
                data-testid="receipt"
                data-state={r.readAt ? 'read' : r.receivedAt ? 'received' : 'none'}
              >
                {r.name}
              </Badge>
            </Tooltip>
          ))}
        </Group>
      )}
    </Paper>
  );
}

function ChatLine({ m, me }: { m: ChatMessage; me: string }) {
  const system = m.source === 'system' || m.author.id === null;
  const own = m.author.id === me;
  const zone = useViewerZone();
  return (
    <div className="klx-chat-line" data-own={own} data-system={system} data-testid="chat-message">
      <Text size="xs" c="dimmed">
        {system ? 'Klaxon' : m.author.name} · <span data-testid="chat-time">{zone.dateTime(m.at)}</span>
        {m.source !== 'web' && m.source !== 'system' ? ` · ${m.source}` : ''}
      </Text>
      <Text size="sm" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }} ff={system ? 'monospace' : undefined}>
        {m.text}
      </Text>
    </div>
  );
}

/** Chat: priority messages apart on top, the stream, and a composer stuck to the bottom. */
function Chat({ inc, wr }: { inc: Incident; wr: WarRoom | undefined }) {
  const qc = useQueryClient();
  const { user } = useSession();
  const chat = useQuery({ queryKey: keys.chat(inc.id), queryFn: () => api.warRoom.chat(inc.id) });
  const [text, setText] = useState('');
  const [priority, setPriority] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const role = myRole(wr, user.id);
  const canPriority = user.role === 'admin' || role === 'im' || role === 'comms';
  const canPost = user.role === 'admin' || user.role === 'responder';
  const end = useRef<HTMLDivElement>(null);
  const messages = chat.data ?? [];
  const prio = messages.filter((m) => m.priority);
  const normal = messages.filter((m) => !m.priority);
  useEffect(() => {
    end.current?.scrollIntoView({ block: 'nearest' });
  }, [normal.length]);

  const send = useMutation({
    mutationFn: () => api.warRoom.post(inc.id, text.trim(), priority && !text.trim().startsWith('/')),
    onSuccess: (r) => {
      setText('');
      setPriority(false);
      setError(null);
      if (r.result && !r.result.ok) notifications.show({ color: 'red', message: r.result.text });
      // /help answers only the asker, here; nothing is posted to the room.
      if (r.result?.ok && r.result.command === 'help')
        notifications.show({
          title: 'War room commands',
          message: (
            <span style={{ whiteSpace: 'pre-wrap' }} data-testid="help-answer">
              {r.result.text}
            </span>
          ),
          autoClose: 30_000,
        });
      void qc.invalidateQueries({ queryKey: keys.chat(inc.id) });
      if (r.result) {
        void qc.invalidateQueries({ queryKey: keys.incident(inc.id) });
        void qc.invalidateQueries({ queryKey: keys.incident(String(inc.number)) });
        void qc.invalidateQueries({ queryKey: keys.warRoom(inc.id) });
      }
    },
    onError: (e) => setError(errorMessage(e)),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (text.trim()) send.mutate();
  };

  return (
    <Stack gap="sm" data-testid="chat">
      {prio.length > 0 && (
        <Stack gap="xs" data-testid="priority-messages">
          <Text size="xs" tt="uppercase" fw={700} c="red">
            Priority
          </Text>
          {[...prio].reverse().map((m) => (
            <PriorityMessage key={m.id} m={m} me={user.id} />
          ))}
        </Stack>
      )}
      <div className="klx-chat-stream" data-testid="chat-stream" tabIndex={0} role="log" aria-label="Chat messages">
        {normal.length === 0 && (
          <Text c="dimmed" size="sm">
            No messages yet. Type /help for commands.
          </Text>
        )}
        {normal.map((m) => (
          <ChatLine key={m.id} m={m} me={user.id} />
        ))}
        <div ref={end} />
      </div>
      {canPost && (
        <form onSubmit={submit} className="klx-composer" data-testid="composer">
          <FormAlert message={error} />
          {priority && (
            <Text size="xs" c="red" fw={700} mb={4}>
              Priority message: pages every war-room member
            </Text>
          )}
          <Group gap="xs" wrap="nowrap" align="flex-end">
            {canPriority && (
              <Tooltip label="Priority message (pages every member)">
                <ActionIcon
                  size={44}
                  radius="md"
                  variant={priority ? 'filled' : 'default'}
                  color={priority ? 'red' : undefined}
                  aria-label="Priority message"
                  aria-pressed={priority}
                  onClick={() => setPriority(!priority)}
                  data-testid="priority-toggle"
                  data-on={priority}
                >
                  <IconSpeakerphone size={22} />
                </ActionIcon>
              </Tooltip>
            )}
            <Textarea
              aria-label="Chat message"
              name="message"
              placeholder={priority ? 'Priority message' : 'Message, or /help'}
              autosize
              minRows={1}
              maxRows={5}
              value={text}
              onChange={(e) => setText(e.currentTarget.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && !e.shiftKey) {
                  e.preventDefault();
                  if (text.trim()) send.mutate();
                }
              }}
              style={{ flex: 1 }}
              size="md"
            />
            <ActionIcon type="submit" size={44} radius="md" color={priority ? 'red' : undefined} loading={send.isPending} aria-label="Send" data-testid="chat-send">
              <IconSend size={22} />
            </ActionIcon>
          </Group>
        </form>
      )}
    </Stack>
  );
}

function Roles({ inc, wr }: { inc: Incident; wr: WarRoom }) {
  const qc = useQueryClient();
  const users = useUsers();
  const { user } = useSession();
  const [role, setRole] = useState<WarRoomRole>('comms');
  const [who, setWho] = useState<string | null>(null);
  const canAssign = user.role === 'admin' || wr.incidentManager?.id === user.id;
  const m = useMutation({
    mutationFn: () => api.warRoom.assignRole(inc.id, role, must(who, 'the person')),
    onSuccess: (w) => {
      qc.setQueryData(keys.warRoom(inc.id), w);
      void qc.invalidateQueries({ queryKey: keys.incident(String(inc.number)) });
      void qc.invalidateQueries({ queryKey: keys.incident(inc.id) });
      setWho(null);
      notifications.show({ message: role === 'im' ? 'Incident manager handed over' : 'Role assigned', autoClose: 2500 });
    },
    onError: (e) => notifications.show({ color: 'red', title: 'Could not assign', message: errorMessage(e) }),
  });
  const order: WarRoomRole[] = ['im', 'comms', 'scribe', 'responder'];
  const members = [...wr.members].sort((a, b) => order.indexOf(a.role) - order.indexOf(b.role));
  return (
    <Stack gap="xs" data-testid="roles">
      {members.map((mb) => (
        <Group key={mb.userId} justify="space-between" wrap="nowrap">
          <Text size="sm">{mb.name}</Text>
          <Badge variant={mb.role === 'im' ? 'filled' : 'light'} color={mb.role === 'im' ? 'violet' : 'gray'}>
            {ROLE_LABEL[mb.role]}
          </Badge>
        </Group>
      ))}
      {canAssign && (
        <Stack gap={6} mt="xs">
          <Group gap="xs" grow>
            <Select
              aria-label="Role"
              data={order.map((r) => ({ value: r, label: r === 'im' ? 'Hand over IM' : ROLE_LABEL[r] }))}
              value={role}
              onChange={(v) => v && setRole(v as WarRoomRole)}
              allowDeselect={false}
              comboboxProps={{ withinPortal: true }}
            />
            <Select
              aria-label="Person"
              placeholder="Person"
              searchable
              data={(users.data ?? []).filter((u) => u.role !== 'viewer' && u.role !== 'stakeholder').map((u) => ({ value: u.id, label: u.name }))}
              value={who}
              onChange={setWho}
              data-testid="role-user"
            />
          </Group>
          <Button variant="light" disabled={!who} loading={m.isPending} onClick={() => m.mutate()} data-testid="assign-role">
            {role === 'im' ? 'Hand over' : 'Assign'}
          </Button>
        </Stack>
      )}
    </Stack>
  );
}

function Tasks({ inc, wr }: { inc: Incident; wr: WarRoom }) {
  const qc = useQueryClient();
  const [text, setText] = useState('');
  const add = useMutation({
    mutationFn: () => api.warRoom.addTask(inc.id, text.trim()),
    onSuccess: () => {
      setText('');
      void qc.invalidateQueries({ queryKey: keys.warRoom(inc.id) });
    },
    onError: (e) => notifications.show({ color: 'red', message: errorMessage(e) }),
  });
  return (
    <Stack gap="xs" data-testid="tasks">
      {wr.tasks.length === 0 && (
        <Text size="sm" c="dimmed">
          No tasks. Add one here or with /task "text" @owner.
        </Text>
      )}
      {wr.tasks.map((t) => (
        <Checkbox key={t.id} readOnly checked={!!t.doneAt} label={`${t.text}${t.ownerName ? ` · ${t.ownerName}` : ''}`} />
      ))}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (text.trim()) add.mutate();
        }}
      >
        <Group gap="xs" wrap="nowrap">
          <TextInput aria-label="New task" placeholder="New task" value={text} onChange={(e) => setText(e.currentTarget.value)} style={{ flex: 1 }} />
          <Button type="submit" variant="light" loading={add.isPending}>
            Add
          </Button>
        </Group>
      </form>
    </Stack>
  );
}

function Runbooks({ inc }: { inc: Incident }) {
  const q = useQuery({ queryKey: keys.runbooks(inc.id), queryFn: () => api.warRoom.runbooks(inc.id) });
  const [open, setOpen] = useState<string | null>(null);
  if (q.isPending)
    return (
      <Text size="sm" c="dimmed">
        Loading…
      </Text>
    );
  if (!q.data?.length)
    return (
      <Text size="sm" c="dimmed">
        No runbooks for {inc.serviceName}.
      </Text>
    );
  return (
    <Stack gap="xs" data-testid="runbooks">
      {q.data.map((r) => (
        <div key={r.id}>
          <Group gap={6} wrap="nowrap">
            <IconBook size={16} />
            <Anchor component="button" type="button" onClick={() => setOpen(open === r.id ? null : r.id)} size="sm">
              {r.title}
            </Anchor>
            {r.stale && (
              <Badge size="xs" color="orange" variant="light">
                stale
              </Badge>
            )}
          </Group>
          {open === r.id && (
            <Text size="sm" component="pre" style={{ whiteSpace: 'pre-wrap', fontFamily: 'inherit' }}>
              {r.body}
            </Text>
          )}
        </div>
      ))}
    </Stack>
  );
}

const PHASES: StatusPhase[] = ['investigating', 'identified', 'monitoring', 'resolved'];

/** The incident manager's status update form: phase, message (or the template), impact, next update, public. */
export function StatusUpdateForm({ inc }: { inc: Incident }) {
  const qc = useQueryClient();
  const [phase, setPhase] = useState<StatusPhase>('investigating');
  const [message, setMessage] = useState('');
  const [impact, setImpact] = useState('');
  const [next, setNext] = useState<number | string>(30);
  const [pub, setPub] = useState(false);
  const [publicTitle, setPublicTitle] = useState('');
  const updates = useQuery({ queryKey: keys.statusUpdates(inc.id), queryFn: () => api.status.updates(inc.id) });
  const m = useMutation({
    mutationFn: () =>
      api.status.postUpdate(inc.id, {
        phase,
        message: message.trim() || undefined,
        publicTitle: (pub && publicTitle.trim()) || undefined,
        businessImpact: impact.trim() || undefined,
        nextUpdateInMinutes: typeof next === 'number' && next > 0 ? next : undefined,
        public: pub,
      }),
    onSuccess: () => {
      setMessage('');
      notifications.show({ message: 'Status update posted', autoClose: 2500 });
      void qc.invalidateQueries({ queryKey: keys.statusUpdates(inc.id) });
      void qc.invalidateQueries({ queryKey: keys.internalStatus });
      void qc.invalidateQueries({ queryKey: keys.timeline(inc.id) });
    },
  });
  const err = m.error instanceof ApiError ? m.error : null;
  const latest = updates.data?.[updates.data.length - 1] ?? null;
  return (
    <Stack gap="sm" data-testid="status-update-form">
      {latest && (
        <Text size="sm" c="dimmed">
          Latest ({latest.phase}, {latest.public ? 'public' : 'internal'}, {ago(latest.at)}): {latest.message}
        </Text>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          m.mutate();
        }}
      >
        <Stack gap="sm">
          <Segmented fullWidth data={PHASES.map((p) => ({ value: p, label: p.charAt(0).toUpperCase() + p.slice(1) }))} value={phase} onChange={(v) => setPhase(v as StatusPhase)} size="xs" />
          <Textarea
            label="Update message"
            description="Leave empty to use the template for this phase and severity"
            name="status-message"
            autosize
            minRows={2}
            value={message}
            onChange={(e) => setMessage(e.currentTarget.value)}
            error={err?.field('message')}
          />
          <TextInput label="Business impact" name="business-impact" value={impact} onChange={(e) => setImpact(e.currentTarget.value)} error={err?.field('businessImpact')} />
          <Group grow align="flex-end">
            <NumberInput label="Next update in (minutes)" min={1} max={10080} value={next} onChange={setNext} error={err?.field('nextUpdateInMinutes')} />
            <Switch label="Public (status page)" checked={pub} onChange={(e) => setPub(e.currentTarget.checked)} mb={8} data-testid="status-public" />
          </Group>
          {pub && (
            <TextInput
              label="Public title"
              description="What the status page shows instead of the incident title; kept until changed (default: Issue affecting <business services>)"
              name="public-title"
              maxLength={200}
              value={publicTitle}
              onChange={(e) => setPublicTitle(e.currentTarget.value)}
              error={err?.field('publicTitle')}
            />
          )}
          <FormAlert message={m.error && !err?.details.length ? errorMessage(m.error) : null} />
          <Button type="submit" loading={m.isPending} data-testid="post-status-update">
            Post status update
          </Button>
        </Stack>
      </form>
    </Stack>
  );
}

function Section({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <Card withBorder radius="md" p="md">
      <Title order={3} fz="md" mb="sm">
        {title}
      </Title>
      {children}
    </Card>
  );
}

/** The war room of a major incident: bridge, IM, chat, roles, tasks, runbooks, status update, export. */
export default function WarRoomPanel({ inc }: { inc: Incident }) {
  const wr = useWarRoom(inc);
  const { user } = useSession();
  const w = wr.data;
  const role = myRole(w, user.id);
  const canUpdate = user.role === 'admin' || role === 'im' || role === 'comms';
  if (wr.error) {
    return (
      <Paper withBorder p="md" radius="md">
        <Group gap="xs">
          <IconAlertTriangle size={18} />
          <Text size="sm">{errorMessage(wr.error)}</Text>
        </Group>
      </Paper>
    );
  }
  return (
    <Stack gap="md" data-testid="war-room">
      <Group justify="space-between" align="center" gap="sm">
        <Title order={2} fz={{ base: 20, sm: 24 }}>
          War room{w?.drill ? ' · DRILL' : ''}
        </Title>
        <Anchor href={api.warRoom.timelineMarkdownUrl(inc.id)} target="_blank" rel="noreferrer" size="sm" data-testid="export-timeline">
          <Group gap={4} wrap="nowrap">
            <IconDownload size={16} /> Export timeline (Markdown)
          </Group>
        </Anchor>
      </Group>
      <ZoneCaption />
      {w?.bridgeUrl ? (
        <Button component="a" href={w.bridgeUrl} target="_blank" rel="noreferrer" size="xl" color="teal" leftSection={<IconPhoneCall size={26} />} fullWidth data-testid="join-bridge">
          Join bridge
        </Button>
      ) : (
        w && (
          <Text size="sm" c="dimmed">
            No bridge set for this incident.
          </Text>
        )
      )}
      <div className="klx-warroom-grid">
        <div className="klx-warroom-chat">
          <Section title="Chat">
            <Chat inc={inc} wr={w} />
          </Section>
        </div>
        <Stack gap="md" className="klx-warroom-side">
          {w && (
            <Section title="Roles">
              <Roles inc={inc} wr={w} />
            </Section>
          )}
          {canUpdate && (
            <Section title="Status update">
              <StatusUpdateForm inc={inc} />
            </Section>
          )}
          {w && (
            <Section title="Tasks">
              <Tasks inc={inc} wr={w} />
            </Section>
          )}
          <Section title="Runbooks">
            <Runbooks inc={inc} />
          </Section>
        </Stack>
      </div>
    </Stack>
  );
}
