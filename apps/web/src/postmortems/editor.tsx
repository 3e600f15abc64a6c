import { Alert, Anchor, Badge, Button, Card, Divider, Group, Paper, SimpleGrid, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { Segmented } from '../components/segmented.tsx';
import { notifications } from '@mantine/notifications';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { IconArrowBackUp, IconCheck, IconDownload, IconEye, IconPencil, IconSend } from '@tabler/icons-react';
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { Link, useParams } from 'react-router-dom';
import { errorMessage } from '../api/client.ts';
import { duration } from '../lib/duration.ts';
import { LIMITS, postmortemApi, SECTIONS, usePostmortem, type Postmortem, type PostmortemPatch, type PostmortemState, type SectionKey } from '../api/postmortems.ts';
import { FormAlert, QueryState } from '../components/bits.tsx';
import { useFormErrors } from '../lib/form.ts';
import { useViewerZone } from '../lib/zone.tsx';
import { usePermissions } from '../lib/permissions.ts';
import { ActionItemPanel } from './action-item-panel.tsx';
import { StateBadge } from './common.tsx';
import { MarkdownView } from './markdown-view.tsx';
import { keys } from '../api/keys.ts';

/** The review moves offered in each state (the server allows exactly these). */
const MOVES: Record<PostmortemState, { to: PostmortemState; label: string; icon: ReactNode; primary: boolean }[]> = {
  draft: [{ to: 'in_review', label: 'Send to review', icon: <IconSend size={18} />, primary: true }],
  in_review: [
    { to: 'published', label: 'Publish', icon: <IconCheck size={18} />, primary: true },
    { to: 'draft', label: 'Back to draft', icon: <IconArrowBackUp size={18} />, primary: false },
  ],
  published: [{ to: 'in_review', label: 'Reopen review', icon: <IconArrowBackUp size={18} />, primary: false }],
};

/** Downloads the postmortem as a Markdown file (fetched, so an error shows in place). */
async function download(p: Postmortem): Promise<void> {
  const text = await postmortemApi.markdown(p.id);
  const url = URL.createObjectURL(new Blob([text], { type: 'text/markdown;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = `postmortem-incident-${p.facts.incidentNumber}.md`;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Review state buttons and the Markdown export. */
function ReviewBar({ p, canEdit, dirty }: { p: Postmortem; canEdit: boolean; dirty: boolean }) {
  const qc = useQueryClient();
  const move = useMutation({
    mutationFn: (to: PostmortemState) => postmortemApi.setState(p.id, to),
    onSuccess: (next) => {
      qc.setQueryData(keys.postmortems.one(p.id), next);
      void qc.invalidateQueries({ queryKey: keys.postmortems.all });
      notifications.show({ message: next.state === 'published' ? 'Postmortem published' : `Postmortem moved to ${next.state === 'in_review' ? 'review' : 'draft'}`, autoClose: 2500 });
    },
  });
  const exp = useMutation({ mutationFn: () => download(p) });
  return (
    <Stack gap={6}>
      <Group gap="xs" wrap="wrap">
        {canEdit &&
          MOVES[p.state].map((m) => (
            <Button
              key={m.to}
              variant={m.primary ? 'filled' : 'default'}
              leftSection={m.icon}
              loading={move.isPending && move.variables === m.to}
              disabled={dirty}
              onClick={() => move.mutate(m.to)}
              data-testid={`move-${m.to}`}
            >
              {m.label}
            </Button>
          ))}
        <Button variant="default" leftSection={<IconDownload size={18} />} loading={exp.isPending} onClick={() => exp.mutate()} data-testid="export-markdown">
          Export Markdown
        </Button>
      </Group>
      {canEdit && dirty && (
        <Text size="sm" c="dimmed">
          Save your changes before moving the postmortem through review.
        </Text>
      )}
      {move.error && (
        <Text c="red" size="sm" role="alert" data-testid="state-error">
          {errorMessage(move.error)}
        </Text>
      )}
      {exp.error && (
        <Text c="red" size="sm" role="alert">
          Could not export: {errorMessage(exp.error)}
        </Text>
      )}
    </Stack>
  );
}

function Measure({ label, ms }: { label: string; ms: number | null }) {
  return (
    <div>
      <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
        {label}
      </Text>
      <Text fw={600} fz="lg">
        {duration(ms, { seconds: true })}
      </Text>
    </div>
  );
}

/** What the draft was generated from: the four durations, the key events and who did what. */
function Facts({ p }: { p: Postmortem }) {
  const zone = useViewerZone();
  const f = p.facts;
  const [all, setAll] = useState(false);
  const events = all ? f.keyEvents : f.keyEvents.slice(0, 8);
  return (
    <Paper withBorder radius="md" p="md" data-testid="postmortem-facts">
      <Stack gap="md">
        <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="md">
          <Measure label="Time to detect" ms={f.timeToDetect} />
          <Measure label="Time to acknowledge" ms={f.timeToAcknowledge} />
          <Measure label="Time to mitigate" ms={f.timeToMitigate} />
          <Measure label="Time to resolve" ms={f.timeToResolve} />
        </SimpleGrid>
        <Divider />
        <div>
          <Text fw={600} mb={6}>
            Key events
          </Text>
          <Stack gap={4} data-testid="key-events">
            {events.map((e, i) => (
              <Text key={`${e.at}-${i}`} size="sm" style={{ wordBreak: 'break-word' }}>
                <Text span c="dimmed" size="sm" mr={8} style={{ whiteSpace: 'nowrap' }}>
                  {zone.dateTime(e.at)}
                </Text>
                {e.message}
                {e.actor && e.actor !== 'Klaxon' && !e.message.includes(e.actor) && (
                  <Text span c="dimmed" size="sm">
                    {' '}
                    · {e.actor}
                  </Text>
                )}
              </Text>
            ))}
            {f.keyEvents.length === 0 && (
              <Text size="sm" c="dimmed">
                No key events.
              </Text>
            )}
          </Stack>
          {f.keyEvents.length > 8 && (
            <Button variant="subtle" size="xs" mt={4} onClick={() => setAll(!all)}>
              {all ? 'Show fewer' : `Show all ${f.keyEvents.length}`}
            </Button>
          )}
        </div>
        {f.participants.length > 0 && (
          <div>
            <Text fw={600} mb={6}>
              Who did what
            </Text>
            <Stack gap={4}>
              {f.participants.map((x) => (
                <Text key={x.name} size="sm" style={{ wordBreak: 'break-word' }}>
                  <b>{x.name}</b>: {x.actions.join('; ')}
                </Text>
              ))}
            </Stack>
          </div>
        )}
      </Stack>
    </Paper>
  );
}

/** One Markdown section: shown rendered; when editing, a Markdown text box with a preview tab. */
function SectionCard(props: {
  k: SectionKey;
  title: string;
  hint: string;
  placeholder?: string | undefined;
  value: string;
  changed: boolean;
  editable: boolean;
  error: string | undefined;
  onChange: (v: string) => void;
}) {
  const { k, title, hint, placeholder, value, changed, editable, error, onChange } = props;
  const [mode, setMode] = useState<'view' | 'write' | 'preview'>('view');
  const editing = mode !== 'view' || !!error;
  return (
    <Card withBorder radius="md" p="md" data-testid={`section-${k}`}>
      <Group justify="space-between" mb="xs" wrap="nowrap" gap="xs">
        <Group gap="xs" wrap="nowrap">
          <Title order={3} fz="lg">
            {title}
          </Title>
          {changed && (
            <Badge color="orange" variant="light" size="sm">
              unsaved
            </Badge>
          )}
        </Group>
        {editable &&
          (editing ? (
            <Segmented
              size="xs"
              value={mode === 'preview' ? 'preview' : 'write'}
              onChange={(m) => setMode(m as 'write' | 'preview')}
              data={[
                {
                  value: 'write',
                  label: (
                    <Group gap={4} wrap="nowrap">
                      <IconPencil size={14} />
                      Write
                    </Group>
                  ),
                },
                {
                  value: 'preview',
                  label: (
                    <Group gap={4} wrap="nowrap">
                      <IconEye size={14} />
                      Preview
                    </Group>
                  ),
                },
              ]}
              data-testid={`section-mode-${k}`}
            />
          ) : (
            <Button variant="subtle" size="xs" leftSection={<IconPencil size={14} />} onClick={() => setMode('write')} aria-label={`Edit ${title}`} data-testid={`edit-${k}`}>
              Edit
            </Button>
          ))}
      </Group>
      {editing && mode !== 'preview' ? (
        <Textarea
          aria-label={`${title} (Markdown)`}
          description={hint ? `${hint} Markdown: **bold**, - lists, [links](https://…), | tables |.` : 'Markdown: **bold**, - lists, [links](https://…), | tables |.'}
          value={value}
          placeholder={placeholder}
          onChange={(e) => onChange(e.currentTarget.value)}
          autosize
          minRows={4}
          maxRows={24}
          error={error}
          styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 13 } }}
          data-testid={`input-${k}`}
        />
      ) : (
        <MarkdownView text={value} testId={`preview-${k}`} />
      )}
      {editing && (
        <Group justify="flex-end" mt="xs">
          <Button variant="subtle" size="xs" onClick={() => setMode('view')} data-testid={`done-${k}`}>
            Done
          </Button>
        </Group>
      )}
    </Card>
  );
}

/** The title and sections, edited locally and saved together; the API's errors show under each field. */
function SectionsForm({ p, canEdit }: { p: Postmortem; canEdit: boolean }) {
  const zone = useViewerZone();
  const qc = useQueryClient();
  const errors = useFormErrors();
  const [title, setTitle] = useState<string | null>(null);
  const [edits, setEdits] = useState<Partial<Record<SectionKey, string>>>({});
  const editable = canEdit && p.state !== 'published';
  const patch = (): PostmortemPatch => {
    const sections: Partial<Record<SectionKey, string>> = {};
    for (const [k, v] of Object.entries(edits) as [SectionKey, string][]) if (v !== p.sections[k]) sections[k] = v;
    return { ...(title !== null && title.trim() !== p.title && { title: title.trim() }), ...(Object.keys(sections).length > 0 && { sections }) };
  };
  const pending = patch();
  const dirty = pending.title !== undefined || pending.sections !== undefined;
  // Closing or reloading the tab with unsaved Markdown asks first.
  useEffect(() => {
    if (!dirty) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);
  const save = useMutation({
    mutationFn: () => postmortemApi.update(p.id, pending),
    onSuccess: (next) => {
      qc.setQueryData(keys.postmortems.one(p.id), next);
      void qc.invalidateQueries({ queryKey: keys.postmortems.all });
      setTitle(null);
      setEdits({});
      notifications.show({ message: 'Postmortem saved', autoClose: 2000 });
    },
    onError: errors.set,
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    errors.clear();
    let ok = true;
    if (pending.title !== undefined && (!pending.title || pending.title.length > LIMITS.title)) {
      errors.setField('title', pending.title ? `at most ${LIMITS.title} characters` : 'required');
      ok = false;
    }
    if (title !== null && !title.trim()) {
      errors.setField('title', 'required');
      ok = false;
    }
    for (const [k, v] of Object.entries(pending.sections ?? {})) {
      if (v.length > LIMITS.section) {
        errors.setField(`sections.${k}`, `at most ${LIMITS.section.toLocaleString()} characters`);
        ok = false;
      }
    }
    if (ok && dirty) save.mutate();
  };
  return (
    <Stack gap="md">
      <ReviewBar p={p} canEdit={canEdit} dirty={dirty} />
      {canEdit && p.state === 'published' && (
        <Alert variant="light" color="green" data-testid="published-note">
          Published {p.publishedAt ? zone.dateTime(p.publishedAt) : ''}: read-only. Reopen the review to change it.
        </Alert>
      )}
      <Facts p={p} />
      <form onSubmit={submit} noValidate data-testid="postmortem-form">
        <Stack gap="md">
          {editable && (
            <TextInput
              label="Title"
              value={title ?? p.title}
              onChange={(e) => {
                setTitle(e.currentTarget.value);
                errors.setField('title', undefined);
              }}
              error={errors.field('title')}
              required
              data-testid="postmortem-title"
            />
          )}
          {SECTIONS.map((s) => (
            <SectionCard
              key={s.key}
              k={s.key}
              title={s.title}
              hint={s.hint}
              placeholder={s.placeholder}
              value={edits[s.key] ?? p.sections[s.key]}
              changed={edits[s.key] !== undefined && edits[s.key] !== p.sections[s.key]}
              editable={editable}
              error={errors.field(`sections.${s.key}`)}
              onChange={(v) => {
                setEdits((e) => ({ ...e, [s.key]: v }));
                errors.setField(`sections.${s.key}`, undefined);
              }}
            />
          ))}
          {editable && (dirty || errors.message) && (
            <div className="klx-save-bar">
              <Stack gap="xs">
                <FormAlert message={errors.message} />
                <Group gap="xs">
                  <Button type="submit" loading={save.isPending} data-testid="save-postmortem">
                    Save changes
                  </Button>
                  <Button
                    variant="subtle"
                    color="gray"
                    onClick={() => {
                      setTitle(null);
                      setEdits({});
                      errors.clear();
                    }}
                  >
                    Discard
                  </Button>
                </Group>
              </Stack>
            </div>
          )}
        </Stack>
      </form>
    </Stack>
  );
}

/** One postmortem: the generated facts, the Markdown sections (edit and preview), review, export and action items. */
export default function PostmortemEditor() {
  const zone = useViewerZone();
  const { id = '' } = useParams();
  const perms = usePermissions();
  const q = usePostmortem(id);
  const p = q.data;
  // Responders globally, or of the team the postmortem's incident belonged to (the server checks the incident's service's team again).
  const canEdit = perms.can('respond', p?.teamId ?? null);
  return (
    <QueryState isPending={q.isPending} error={q.error} retry={() => void q.refetch()}>
      {p && (
        <Stack gap="md" data-testid="postmortem-editor" data-state={p.state}>
          <Group gap="md">
            <Anchor component={Link} to="/postmortems" size="sm">
              ← Postmortems
            </Anchor>
            <Anchor component={Link} to={`/incidents/${p.facts.incidentNumber}`} size="sm">
              Incident #{p.facts.incidentNumber}
            </Anchor>
          </Group>
          <Stack gap={6}>
            <Group gap="xs">
              <StateBadge state={p.state} size="lg" />
              <Text c="dimmed" size="sm">
                updated {zone.dateTime(p.updatedAt)}
              </Text>
            </Group>
            <Title order={1} fz={{ base: 22, sm: 28 }} style={{ wordBreak: 'break-word' }} data-testid="postmortem-title-text">
              {p.title}
            </Title>
          </Stack>
          <SectionsForm key={p.id} p={p} canEdit={canEdit} />
          <ActionItemPanel postmortem={p} canEdit={canEdit} />
        </Stack>
      )}
    </QueryState>
  );
}
