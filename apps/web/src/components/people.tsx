import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Card,
  Checkbox,
  Code,
  Group,
  Modal,
  NumberInput,
  PasswordInput,
  PinInput,
  Select,
  Stack,
  Switch,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
  Tooltip,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { IconAlertTriangle, IconBellRinging, IconCircleCheck, IconDeviceMobile, IconPlus, IconRefresh, IconTrash } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { api, errorMessage, request } from '../api/client.ts';
import { useChannels, type ChannelStatus } from '../api/setup.ts';
import { keys, useContactMethods, useRules, useTeams } from '../api/queries.ts';
import type { Channel, ContactMethod, TelegramLinkAnswer } from '@klaxon/contract';
import { CHANNEL_LABEL } from '../escalation/preview.ts';
import { useFormErrors } from '../lib/form.ts';
import { useViewerZone } from '../lib/zone.tsx';
import { useSession } from '../session.tsx';
import { enablePush, pushUnsupportedReason, type PushStep } from '../push/enable-push.ts';
import { CopyBlock, FormAlert, QueryState } from './bits.tsx';

const ADDRESS: Record<Exclude<Channel, 'push'>, { label: string; placeholder: string }> = {
  email: { label: 'Email address', placeholder: 'you@example.com' },
  sms: { label: 'Mobile number (with country code)', placeholder: '+14155550100' },
  voice: { label: 'Phone number (with country code)', placeholder: '+14155550100' },
  slack: { label: 'Slack member or channel ID', placeholder: 'U012AB3CD' },
  webhook: { label: 'Webhook URL', placeholder: 'https://example.com/hooks/klaxon' },
  mattermost: { label: 'Mattermost user ID (or #channel ID)', placeholder: 'rnina9994bde8mua79zqcg5hmo' },
  discord: { label: 'Discord user ID (or #channel ID)', placeholder: '80351110224678912' },
  matrix: { label: 'Matrix user ID (or #!room ID)', placeholder: '@ada:example.org' },
  ntfy: { label: 'Topic', placeholder: 'maya-pages-7f3k' },
  pushover: { label: 'Pushover user key', placeholder: 'uQiRzpo4DXghDmr9QzzfQu27cmVRsG' },
  whatsapp: { label: 'WhatsApp number (with country code)', placeholder: '+14155550100' },
  googlechat: { label: 'Google Chat space (spaces/<id> or its webhook URL), or users/<id> for you', placeholder: 'https://chat.googleapis.com/v1/spaces/AAAA/messages?key=...&token=...' },
  telegram: { label: 'Telegram chat id (or link a chat below)', placeholder: '123456789' },
  teams: { label: 'Teams Workflows webhook URL (or your Entra object ID)', placeholder: 'https://prod-00.westus.logic.azure.com/workflows/...' },
};

function describeAddress(m: ContactMethod): string {
  if (m.type === 'ntfy') {
    // The address may hold an access token: show the topic and server only.
    try {
      const a = JSON.parse(m.address) as { server?: string; topic: string; token?: string };
      return `ntfy topic ${a.topic} on ${a.server ? new URL(a.server).host : 'the default server'}${a.token ? ' (with access token)' : ''}`;
    } catch {
      return 'ntfy topic';
    }
  }
  if (m.type !== 'push') return m.address;
  try {
    const host = new URL((JSON.parse(m.address) as { endpoint: string }).endpoint).host;
    return `browser push via ${host}`;
  } catch {
    return 'browser push';
  }
}

/** The channel's status when the server says it is NOT configured (nothing can be sent on it), else null. */
function useUnconfigured(type: Channel): ChannelStatus | null {
  const channels = useChannels();
  return channels.data?.find((c) => c.channel === type && !c.configured) ?? null;
}

/** Says plainly that a channel is not configured on this server, and how an administrator configures it. */
export function ChannelNotConfigured({ status, what }: { status: ChannelStatus; what: string }) {
  const name = CHANNEL_LABEL[status.channel];
  return (
    <Alert color="orange" variant="light" icon={<IconAlertTriangle size={18} />} title={`${name} is not configured on this server`} data-testid="channel-unconfigured" data-channel={status.channel}>
      <Text size="sm">
        {what} An administrator sets{' '}
        {status.settings.map((k, i) => (
          <span key={k}>
            {i > 0 && (i === status.settings.length - 1 ? ' and ' : ', ')}
            <Code>{k}</Code>
          </span>
        ))}{' '}
        and restarts Klaxon (see docs/configuration.md); then use “Send a new code”.
      </Text>
    </Alert>
  );
}

function VerifyForm({ m }: { m: ContactMethod }) {
  const unconfigured = useUnconfigured(m.type);
  const qc = useQueryClient();
  const [code, setCode] = useState('');
  const errors = useFormErrors();
  const verify = useMutation({
    mutationFn: (c: string) => api.contactMethods.verify(m.id, c),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: keys.contactMethods(m.userId) });
      notifications.show({ message: `${m.name} verified`, color: 'green', autoClose: 2000 });
    },
    onError: (e) => {
      errors.set(e);
      setCode('');
    },
  });
  const resend = useMutation({
    mutationFn: () => api.contactMethods.sendVerification(m.id),
    onSuccess: () => notifications.show({ message: 'A new code is on its way', autoClose: 2500 }),
    onError: errors.set,
  });
  const submit = (e?: FormEvent) => {
    e?.preventDefault();
    errors.clear();
    if (code.length === 6) verify.mutate(code);
  };
  return (
    <form onSubmit={submit} noValidate>
      <Stack gap={6}>
        {unconfigured ? (
          <ChannelNotConfigured status={unconfigured} what={`No code was sent to ${describeAddress(m)}, so it cannot be verified and nobody can page it.`} />
        ) : (
          <Text size="sm">Enter the 6-digit code we sent to {m.type === 'push' ? 'this device' : describeAddress(m)}:</Text>
        )}
        <Group gap="sm" align="flex-start">
          {!unconfigured && (
            <PinInput
              length={6}
              type="number"
              oneTimeCode
              size="md"
              value={code}
              onChange={setCode}
              onComplete={(c) => {
                errors.clear();
                verify.mutate(c);
              }}
              error={!!errors.field('code')}
              aria-label={`Verification code for ${m.name}`}
              data-testid="verify-code"
            />
          )}
          {!unconfigured && (
            <Button type="submit" loading={verify.isPending} disabled={code.length !== 6} data-testid="verify-button">
              Verify
            </Button>
          )}
          <Button variant="subtle" leftSection={<IconRefresh size={16} />} loading={resend.isPending} onClick={() => resend.mutate()}>
            Send a new code
          </Button>
        </Group>
        <FormAlert message={errors.message} />
      </Stack>
    </form>
  );
}

/**
 * An administrator's choices for someone else's unverified contact method: send the code again, or
 * mark it verified without a code, recording how its owner consented
 * (POST /contact-methods/{id}/mark-verified; the statement goes to the audit log).
 */
function AdminVerify({ m }: { m: ContactMethod }) {
  const qc = useQueryClient();
  const unconfigured = useUnconfigured(m.type);
  const errors = useFormErrors();
  const [asking, setAsking] = useState(false);
  const [consent, setConsent] = useState('');
  const resend = useMutation({
    mutationFn: () => api.contactMethods.sendVerification(m.id),
    onSuccess: () => notifications.show({ message: `A new code is on its way to ${describeAddress(m)}`, autoClose: 2500 }),
    onError: (e) => notifications.show({ color: 'red', message: errorMessage(e) }),
  });
  const mark = useMutation({
    mutationFn: () => request<{ contactMethod: ContactMethod }>('POST', `/contact-methods/${encodeURIComponent(m.id)}/mark-verified`, { body: { consent: consent.trim() } }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: keys.contactMethods(m.userId) });
      notifications.show({ message: `${m.name} marked verified; the consent is in the audit log`, color: 'green', autoClose: 3000 });
      setAsking(false);
      setConsent('');
    },
    onError: errors.set,
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    errors.clear();
    if (consent.trim().length < 3) return errors.setField('consent', 'Say how they agreed to be paged here (at least 3 characters)');
    mark.mutate();
  };
  return (
    <Stack gap={6}>
      {unconfigured ? (
        <ChannelNotConfigured status={unconfigured} what={`No code can be sent to ${describeAddress(m)}.`} />
      ) : (
        <Text size="sm" c="dimmed">
          Waiting for {m.type === 'push' ? 'the device' : 'its owner'} to enter the code.
        </Text>
      )}
      <Group gap="xs">
        {m.type !== 'push' && !unconfigured && (
          <Button variant="subtle" leftSection={<IconRefresh size={16} />} loading={resend.isPending} onClick={() => resend.mutate()} data-testid="admin-resend-code">
            Send the code again
          </Button>
        )}
        <Button variant="light" leftSection={<IconCircleCheck size={16} />} onClick={() => setAsking(true)} data-testid="mark-verified">
          Mark verified…
        </Button>
      </Group>
      <Modal opened={asking} onClose={() => setAsking(false)} title={`Mark ${m.name} verified`} zIndex={400}>
        <form onSubmit={submit} noValidate data-testid="mark-verified-form">
          <Stack>
            <Text size="sm">
              Klaxon will page {describeAddress(m)} without a code having been entered. Do this only when its owner has agreed to be paged there. Say how they agreed: it is recorded in the audit log
              with your name.
            </Text>
            <Textarea
              label="Their consent"
              placeholder="Confirmed by phone with Lee on Monday"
              value={consent}
              onChange={(e) => setConsent(e.currentTarget.value)}
              error={errors.field('consent')}
              autosize
              minRows={2}
              maxLength={1000}
              required
              data-testid="consent"
            />
            <FormAlert message={errors.message} />
            <Group grow>
              <Button variant="default" onClick={() => setAsking(false)}>
                Cancel
              </Button>
              <Button type="submit" loading={mark.isPending} data-testid="mark-verified-confirm">
                Mark verified
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </Stack>
  );
}

function MethodCard({ m, self }: { m: ContactMethod; self: boolean }) {
  const { isAdmin } = useSession();
  const qc = useQueryClient();
  const test = useMutation({
    mutationFn: () => api.contactMethods.test(m.id),
    onSuccess: () => notifications.show({ message: `Test page sent to ${m.name}`, color: 'green', autoClose: 2500 }),
    onError: (e) => notifications.show({ color: 'red', message: errorMessage(e) }),
  });
  const remove = useMutation({
    mutationFn: () => api.contactMethods.remove(m.id),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: keys.contactMethods(m.userId) });
      void qc.invalidateQueries({ queryKey: keys.rules(m.userId) });
    },
    onError: (e) => notifications.show({ color: 'red', message: errorMessage(e) }),
  });
  return (
    <Card withBorder radius="md" p="md" data-testid="contact-method" data-name={m.name} data-verified={m.verified}>
      <Stack gap="sm">
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <div style={{ minWidth: 0 }}>
            <Group gap={8}>
              <Text fw={700}>{m.name}</Text>
              <Badge variant="light">{CHANNEL_LABEL[m.type]}</Badge>
              {m.verified ? (
                <Badge color="green" variant="light">
                  verified
                </Badge>
              ) : (
                <Badge color="orange" variant="light">
                  not verified
                </Badge>
              )}
              {m.disabled && <Badge color="gray">disabled</Badge>}
            </Group>
            <Text size="sm" c="dimmed" truncate>
              {describeAddress(m)}
            </Text>
          </div>
          <Group gap={4} wrap="nowrap">
            {m.verified && (
              <Tooltip label="Send me a test page">
                <Button variant="light" size="sm" leftSection={<IconBellRinging size={16} />} loading={test.isPending} onClick={() => test.mutate()} data-testid="test-page">
                  Test
                </Button>
              </Tooltip>
            )}
            <Tooltip label="Remove">
              <ActionIcon
                variant="subtle"
                color="red"
                size="lg"
                loading={remove.isPending}
                onClick={() => confirm(`Remove ${m.name}? Rules using it go too.`) && remove.mutate()}
                aria-label={`Remove ${m.name}`}
              >
                <IconTrash size={18} />
              </ActionIcon>
            </Tooltip>
          </Group>
        </Group>
        {!m.verified && self && <VerifyForm m={m} />}
        {!m.verified && !self && isAdmin && <AdminVerify m={m} />}
        {!m.verified && !self && !isAdmin && (
          <Text size="sm" c="dimmed">
            Waiting for {m.type === 'push' ? 'the device' : 'its owner'} to enter the code.
          </Text>
        )}
      </Stack>
    </Card>
  );
}

function AddMethod({ userId }: { userId: string }) {
  const qc = useQueryClient();
  const channels = useChannels();
  const errors = useFormErrors();
  const [v, setV] = useState<{ name: string; type: Exclude<Channel, 'push'>; address: string }>({ name: '', type: 'email', address: '' });
  // ntfy: the server (empty: the server's default) and an optional access token, beside the topic.
  const [ntfy, setNtfy] = useState({ server: '', token: '' });
  const [repeat, setRepeat] = useState(false);
  const address = () =>
    v.type === 'ntfy'
      ? JSON.stringify({ ...(ntfy.server.trim() && { server: ntfy.server.trim() }), topic: v.address.trim(), ...(ntfy.token.trim() && { token: ntfy.token.trim() }) })
      : v.address.trim();
  const m = useMutation({
    mutationFn: () =>
      api.contactMethods.create(userId, { name: v.name.trim() || CHANNEL_LABEL[v.type], type: v.type, address: address(), ...(v.type === 'voice' && repeat && { repeatIfUnanswered: true }) }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: keys.contactMethods(userId) });
      setV({ name: '', type: v.type, address: '' });
      setNtfy({ server: '', token: '' });
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
        <Group grow wrap="wrap" align="flex-start">
          <Select
            label="Type"
            data={(Object.keys(ADDRESS) as (keyof typeof ADDRESS)[]).map((t) => ({ value: t, label: CHANNEL_LABEL[t] }))}
            value={v.type}
            onChange={(t) => setV({ ...v, type: (t as keyof typeof ADDRESS) ?? 'email' })}
            allowDeselect={false}
            error={errors.field('type')}
            style={{ minWidth: 140 }}
            data-testid="method-type"
          />
          <TextInput
            label="Name"
            placeholder={CHANNEL_LABEL[v.type]}
            value={v.name}
            onChange={(e) => setV({ ...v, name: e.currentTarget.value })}
            error={errors.field('name')}
            style={{ minWidth: 160 }}
            data-testid="method-name"
          />
        </Group>
        <TextInput
          label={ADDRESS[v.type].label}
          placeholder={ADDRESS[v.type].placeholder}
          value={v.address}
          onChange={(e) => setV({ ...v, address: e.currentTarget.value })}
          error={errors.field('address')}
          required
          data-testid="method-address"
        />
        {v.type === 'voice' && (
          <Checkbox
            label="Call again at once when a page is not answered (iPhone lets a second call within three minutes through Do Not Disturb)"
            checked={repeat}
            onChange={(e) => setRepeat(e.currentTarget.checked)}
            data-testid="voice-repeat"
          />
        )}
        {v.type === 'ntfy' && (
          <Group grow wrap="wrap" align="flex-start">
            <TextInput
              label="ntfy server"
              description="Leave empty for the server's default (ntfy.sh unless your administrator set another)"
              placeholder="https://ntfy.example.com"
              value={ntfy.server}
              onChange={(e) => setNtfy({ ...ntfy, server: e.currentTarget.value })}
              style={{ minWidth: 200 }}
              data-testid="ntfy-server"
            />
            <PasswordInput
              label="Access token (optional)"
              description="For a protected topic: a token (tk_…) that may publish to it"
              value={ntfy.token}
              onChange={(e) => setNtfy({ ...ntfy, token: e.currentTarget.value })}
              style={{ minWidth: 200 }}
              data-testid="ntfy-token"
            />
          </Group>
        )}
        {(() => {
          const off = channels.data?.find((c) => c.channel === v.type && !c.configured);
          return off && <ChannelNotConfigured status={off} what="No verification code can be sent, so a new address of this type cannot be verified." />;
        })()}
        <FormAlert message={errors.field('address') || errors.field('name') ? null : errors.message} />
        <Button type="submit" leftSection={<IconPlus size={18} />} loading={m.isPending} w="fit-content" data-testid="add-method">
          {channels.data?.some((c) => c.channel === v.type && !c.configured) ? 'Add' : 'Add and send a code'}
        </Button>
      </Stack>
    </form>
  );
}

const STEP_LABEL: Record<PushStep, string> = {
  permission: 'Asking for permission…',
  subscribing: 'Subscribing…',
  registering: 'Registering this device…',
  'waiting-code': 'Waiting for the code to arrive by push…',
  verifying: 'Verifying…',
  done: 'Done',
};

function EnablePush({ userId }: { userId: string }) {
  const qc = useQueryClient();
  const [step, setStep] = useState<PushStep | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<string | null>(null);
  const unsupported = pushUnsupportedReason();
  const m = useMutation({
    mutationFn: () => enablePush(userId, setStep),
    onSuccess: async (r) => {
      await qc.invalidateQueries({ queryKey: keys.contactMethods(userId) });
      setResult(r.verified ? `Push is on for ${r.method.name}.` : 'The code did not arrive within a minute: enter it below when it does, or send a new one.');
      setStep(null);
    },
    onError: (e) => {
      setError(errorMessage(e));
      setStep(null);
    },
  });
  return (
    <Card withBorder radius="md" p="md">
      <Stack gap="sm">
        <Group gap="sm">
          <IconDeviceMobile size={28} />
          <div>
            <Text fw={700}>Push on this device</Text>
            <Text size="sm" c="dimmed">
              Pages arrive as notifications with Acknowledge and Open, even on the lock screen. No account anywhere else needed.
            </Text>
          </div>
        </Group>
        {unsupported ? (
          <Text size="sm" c="orange">
            {unsupported}
          </Text>
        ) : (
          <Button
            size="lg"
            fullWidth
            h="auto"
            mih={52}
            styles={{ label: { whiteSpace: 'normal', textAlign: 'center' } }}
            leftSection={<IconBellRinging size={20} />}
            loading={m.isPending}
            onClick={() => {
              setError(null);
              setResult(null);
              m.mutate();
            }}
            data-testid="enable-push"
          >
            Enable push on this device
          </Button>
        )}
        {step && <Text size="sm">{STEP_LABEL[step]}</Text>}
        {result && (
          <Alert color="green" variant="light">
            {result}
          </Alert>
        )}
        <FormAlert message={error} />
      </Stack>
    </Card>
  );
}

/**
 * The vCard of every number Klaxon sends SMS and calls from, with the steps that let those numbers
 * ring through Do Not Disturb (shown when SMS or voice is configured).
 */
function DoNotDisturbCard() {
  const channels = useChannels();
  const phone = channels.data?.some((c) => (c.channel === 'sms' || c.channel === 'voice') && c.configured);
  if (!phone) return null;
  return (
    <Card withBorder radius="md" p="md" data-testid="dnd-card">
      <Stack gap="xs">
        <Text fw={700}>Let pages through Do Not Disturb</Text>
        <Text size="sm">Save Klaxon as a contact: the card lists every number Klaxon texts and calls from.</Text>
        <Button component="a" href="/api/v1/channels/vcard" download="klaxon.vcf" variant="light" mih={44} w="fit-content" data-testid="dnd-vcard">
          Download contact card (vCard)
        </Button>
        <Text size="sm" fw={600}>
          iPhone
        </Text>
        <Text size="sm" component="ol" m={0} pl="lg">
          <li>Open the downloaded card and tap Create New Contact.</li>
          <li>In the contact, tap Edit, then Ringtone, and turn on Emergency Bypass; do the same under Text Tone.</li>
          <li>Done: calls and texts from Klaxon now sound even in Do Not Disturb, Focus and silent mode.</li>
        </Text>
        <Text size="sm" fw={600}>
          Android
        </Text>
        <Text size="sm" component="ol" m={0} pl="lg">
          <li>Open the downloaded card and save it to Contacts.</li>
          <li>Star the contact (Favorites).</li>
          <li>In Settings, Do Not Disturb (or Modes), allow calls and messages from starred contacts, or add Klaxon under the people who can interrupt.</li>
        </Text>
      </Stack>
    </Card>
  );
}

/** Links a Telegram chat: a one-time code to send to Klaxon's bot as `/start CODE` (shown when the server has a bot). */
function LinkTelegram({ userId }: { userId: string }) {
  const qc = useQueryClient();
  const channels = useChannels();
  const m = useMutation({ mutationFn: () => request<TelegramLinkAnswer>('POST', `/users/${userId}/telegram-link`) });
  if (!channels.data?.some((c) => c.channel === 'telegram' && c.configured)) return null;
  return (
    <Card withBorder radius="md" p="md" data-testid="link-telegram">
      <Stack gap="sm">
        <Text fw={700}>Telegram</Text>
        {!m.data ? (
          <Text size="sm">Get pages in a Telegram chat with Acknowledge and Resolve buttons.</Text>
        ) : (
          <Stack gap="xs">
            <Text size="sm">Send this to {m.data.botUsername ? <b>@{m.data.botUsername}</b> : "Klaxon's bot"} in Telegram within 15 minutes; the chat is then added below, verified:</Text>
            <CopyBlock value={`/start ${m.data.code}`} testId="telegram-start" />
            {m.data.startUrl && (
              <Button component="a" href={m.data.startUrl} target="_blank" rel="noreferrer" variant="light" w="fit-content">
                Open the bot in Telegram
              </Button>
            )}
          </Stack>
        )}
        <FormAlert message={m.error ? errorMessage(m.error) : null} />
        <Group gap="sm">
          <Button onClick={() => m.mutate()} loading={m.isPending} w="fit-content" data-testid="link-telegram-button">
            {m.data ? 'New code' : 'Link Telegram'}
          </Button>
          {m.data && (
            <Button variant="subtle" leftSection={<IconRefresh size={16} />} onClick={() => void qc.invalidateQueries({ queryKey: keys.contactMethods(userId) })}>
              I sent it
            </Button>
          )}
        </Group>
      </Stack>
    </Card>
  );
}

/** A user's contact methods: add, verify by code, send a test page, remove; and push for this device. */
export function ContactMethodsSection({ userId, self }: { userId: string; self: boolean }) {
  const q = useContactMethods(userId);
  return (
    <Stack gap="sm">
      <Title order={3}>Contact methods</Title>
      {self && <EnablePush userId={userId} />}
      {self && <DoNotDisturbCard />}
      {self && <LinkTelegram userId={userId} />}
      <QueryState isPending={q.isPending} error={q.error} retry={() => void q.refetch()}>
        {q.data?.length === 0 && <Text c="dimmed">No contact methods: Klaxon cannot page {self ? 'you' : 'this person'}.</Text>}
        {q.data?.map((m) => (
          <MethodCard key={m.id} m={m} self={self} />
        ))}
      </QueryState>
      <Card withBorder radius="md" p="md">
        <Text fw={700} mb="xs">
          Add a contact method
        </Text>
        <AddMethod userId={userId} />
      </Card>
    </Stack>
  );
}

/** A user's notification rules: which method, how many minutes after being paged. */
export function RulesSection({ userId }: { userId: string }) {
  const qc = useQueryClient();
  const rules = useRules(userId);
  const methods = useContactMethods(userId);
  const errors = useFormErrors();
  const [v, setV] = useState<{ contactMethodId: string | null; delayMinutes: number }>({ contactMethodId: null, delayMinutes: 0 });
  const add = useMutation({
    mutationFn: () => api.notificationRules.create(userId, { contactMethodId: v.contactMethodId ?? '', delayMinutes: v.delayMinutes }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: keys.rules(userId) });
      setV({ contactMethodId: null, delayMinutes: v.delayMinutes + 5 });
    },
    onError: errors.set,
  });
  const remove = useMutation({
    mutationFn: (id: string) => api.notificationRules.remove(id),
    onSuccess: () => void qc.invalidateQueries({ queryKey: keys.rules(userId) }),
    onError: (e) => notifications.show({ color: 'red', message: errorMessage(e) }),
  });
  const byId = new Map((methods.data ?? []).map((m) => [m.id, m]));
  const sorted = [...(rules.data ?? [])].sort((a, b) => a.delayMinutes - b.delayMinutes);
  return (
    <Stack gap="sm">
      <Title order={3}>Notification rules</Title>
      <Text size="sm" c="dimmed">
        When you are paged, Klaxon notifies each method at its delay until you acknowledge. Without rules, every verified method is used at once.
      </Text>
      <QueryState isPending={rules.isPending} error={rules.error}>
        <Stack gap={6}>
          {sorted.map((r) => {
            const m = byId.get(r.contactMethodId);
            return (
              <Card key={r.id} withBorder radius="md" p="sm" data-testid="rule">
                <Group justify="space-between" wrap="nowrap">
                  <Text>
                    <b>{r.delayMinutes === 0 ? 'At once' : `After ${r.delayMinutes} min`}</b> → {m ? `${m.name} (${CHANNEL_LABEL[m.type]})` : 'a removed method'}
                    {m && !m.verified && (
                      <Text span c="orange" size="sm">
                        {' '}
                        · not verified, skipped
                      </Text>
                    )}
                  </Text>
                  <ActionIcon variant="subtle" color="red" size="lg" onClick={() => remove.mutate(r.id)} aria-label="Remove rule">
                    <IconTrash size={18} />
                  </ActionIcon>
                </Group>
              </Card>
            );
          })}
        </Stack>
      </QueryState>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          errors.clear();
          add.mutate();
        }}
        noValidate
      >
        <Group align="flex-start" wrap="wrap" gap="sm">
          <Select
            label="Method"
            placeholder="Choose"
            data={(methods.data ?? []).map((m) => ({ value: m.id, label: `${m.name} (${CHANNEL_LABEL[m.type]})` }))}
            value={v.contactMethodId}
            onChange={(x) => setV({ ...v, contactMethodId: x })}
            error={errors.field('contactMethodId')}
            style={{ flex: 2, minWidth: 200 }}
            data-testid="rule-method"
          />
          <NumberInput
            label="After (minutes)"
            min={0}
            max={1440}
            value={v.delayMinutes}
            onChange={(n) => setV({ ...v, delayMinutes: Number(n) || 0 })}
            error={errors.field('delayMinutes')}
            style={{ flex: 1, minWidth: 120 }}
            data-testid="rule-delay"
          />
          <Button type="submit" mt={{ base: 0, xs: 28 }} leftSection={<IconPlus size={18} />} loading={add.isPending} data-testid="add-rule">
            Add rule
          </Button>
        </Group>
        <FormAlert message={errors.field('contactMethodId') || errors.field('delayMinutes') ? null : errors.message} />
      </form>
    </Stack>
  );
}

/** A user's API tokens: create (the secret is shown once) and revoke. */
export function TokensSection({ userId }: { userId: string }) {
  const zone = useViewerZone();
  const qc = useQueryClient();
  const q = useQuery({ queryKey: keys.tokens(userId), queryFn: () => api.tokens.list(userId) });
  const [name, setName] = useState('');
  const [readOnly, setReadOnly] = useState(false);
  const [teamId, setTeamId] = useState<string | null>(null);
  const [days, setDays] = useState<string | number>('');
  const teams = useTeams().data ?? [];
  const [secret, setSecret] = useState<string | null>(null);
  const errors = useFormErrors();
  const create = useMutation({
    mutationFn: () =>
      api.tokens.create(userId, { name: name.trim(), ...(readOnly ? { readOnly: true } : {}), ...(teamId ? { teamId } : {}), ...(typeof days === 'number' ? { expiresInDays: days } : {}) }),
    onSuccess: (r) => {
      setSecret(r.token);
      setName('');
      setReadOnly(false);
      setTeamId(null);
      setDays('');
      void qc.invalidateQueries({ queryKey: keys.tokens(userId) });
    },
    onError: errors.set,
  });
  const revoke = useMutation({
    mutationFn: (id: string) => api.tokens.revoke(id),
    onSuccess: () => void qc.invalidateQueries({ queryKey: keys.tokens(userId) }),
    onError: (e) => notifications.show({ color: 'red', message: errorMessage(e) }),
  });
  return (
    <Stack gap="sm">
      <Title order={3}>API tokens</Title>
      <Text size="sm" c="dimmed">
        For the CLI and scripts: <code>Authorization: Bearer &lt;token&gt;</code>. A token acts as its user.
      </Text>
      {secret && (
        <Alert color="orange" variant="light" title="Copy the token now: it is shown only once" withCloseButton onClose={() => setSecret(null)}>
          <CopyBlock value={secret} testId="new-token" />
        </Alert>
      )}
      <QueryState isPending={q.isPending} error={q.error}>
        {q.data && q.data.length > 0 && (
          <Table.ScrollContainer minWidth={420}>
            <Table verticalSpacing="sm">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Created</Table.Th>
                  <Table.Th>Last used</Table.Th>
                  <Table.Th>Limits</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {q.data.map((t) => (
                  <Table.Tr key={t.id} style={t.revoked ? { opacity: 0.5 } : undefined}>
                    <Table.Td>{t.name}</Table.Td>
                    <Table.Td>{zone.dateTime(t.createdAt)}</Table.Td>
                    <Table.Td>{t.lastUsedAt ? zone.dateTime(t.lastUsedAt) : 'never'}</Table.Td>
                    <Table.Td data-testid="token-limits">
                      {[t.readOnly ? 'read-only' : '', t.teamId ? `team ${teams.find((x) => x.id === t.teamId)?.name ?? t.teamId}` : '', t.expiresAt ? `expires ${zone.dateTime(t.expiresAt)}` : '']
                        .filter(Boolean)
                        .join(', ') || 'none'}
                    </Table.Td>
                    <Table.Td>
                      {t.revoked ? (
                        <Badge color="gray">revoked</Badge>
                      ) : (
                        <Button size="xs" variant="subtle" color="red" onClick={() => confirm(`Revoke ${t.name}?`) && revoke.mutate(t.id)}>
                          Revoke
                        </Button>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </QueryState>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          errors.clear();
          create.mutate();
        }}
        noValidate
      >
        <Group align="flex-start" gap="sm">
          <TextInput placeholder="Token name, e.g. laptop CLI" value={name} onChange={(e) => setName(e.currentTarget.value)} error={errors.field('name')} style={{ flex: 1 }} aria-label="Token name" />
          <Button type="submit" loading={create.isPending}>
            Create token
          </Button>
        </Group>
        <Group align="flex-end" gap="sm" mt="xs" wrap="wrap">
          <Switch label="Read-only" checked={readOnly} onChange={(e) => setReadOnly(e.currentTarget.checked)} data-testid="token-read-only" />
          <Select label="Only team" placeholder="Any" clearable data={teams.map((t) => ({ value: t.id, label: t.name }))} value={teamId} onChange={setTeamId} error={errors.field('teamId')} w={180} />
          <NumberInput label="Expires in days" placeholder="Never" min={1} max={3650} value={days} onChange={setDays} error={errors.field('expiresInDays')} w={150} />
        </Group>
        <FormAlert message={errors.field('name') ? null : errors.message} />
      </form>
    </Stack>
  );
}
