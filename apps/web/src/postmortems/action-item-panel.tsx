import { Anchor, Badge, Button, Card, Group, Paper, Select, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { IconExternalLink, IconPencil, IconPlus, IconTransferOut } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { errorMessage } from '../api/client.ts';
import { isOverdue, LIMITS, postmortemApi, type ActionItem, type ActionItemState, type Postmortem } from '../api/postmortems.ts';
import { useUsers } from '../api/queries.ts';
import { FormAlert } from '../components/bits.tsx';
import { useFormErrors } from '../lib/form.ts';
import { useViewerZone } from '../lib/zone.tsx';
import { dueTimeOf, ItemStateBadge, OwnerAndDue } from './common.tsx';
import { ITEM_STATE_OPTIONS, useItemState } from './item-state.ts';
import { keys } from '../api/keys.ts';
import { FormDialog } from '../components/form-dialog.tsx';

/** The calendar day (YYYY-MM-DD, viewer's time zone) of a due time, for a date input. */
function dayOf(at: number | null): string {
  if (at === null) return '';
  const d = new Date(at);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** The form to add an action item (what, who, by when) or change one. Validates as the API does. */
function ItemForm({ postmortem, item, onDone }: { postmortem: Postmortem; item?: ActionItem; onDone?: () => void }) {
  const qc = useQueryClient();
  const users = useUsers().data ?? [];
  const errors = useFormErrors();
  const blank = { title: item?.title ?? '', ownerId: item?.ownerId ?? null, due: dayOf(item?.dueAt ?? null) };
  const [v, setV] = useState(blank);
  const save = useMutation({
    mutationFn: () => {
      const input = { title: v.title.trim(), ownerId: v.ownerId, dueAt: v.due ? dueTimeOf(v.due) : null };
      return item ? postmortemApi.updateItem(item.id, input) : postmortemApi.addItem(postmortem.id, input);
    },
    onSuccess: () => {
      if (!item) setV({ title: '', ownerId: null, due: '' });
      void qc.invalidateQueries({ queryKey: keys.postmortems.all });
      onDone?.();
    },
    onError: errors.set,
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    e.stopPropagation();
    errors.clear();
    const title = v.title.trim();
    let ok = true;
    if (!title) {
      errors.setField('title', 'required');
      ok = false;
    } else if (title.length > LIMITS.itemTitle) {
      errors.setField('title', `at most ${LIMITS.itemTitle} characters`);
      ok = false;
    }
    if (v.due && dueTimeOf(v.due) === null) {
      errors.setField('dueAt', 'unreadable date');
      ok = false;
    }
    if (ok) save.mutate();
  };
  const fields = (
    <Stack gap="sm">
      {!item && <Text fw={600}>Add an action item</Text>}
      <TextInput
        label="What needs doing"
        placeholder="Add a circuit breaker to payments"
        value={v.title}
        onChange={(e) => setV({ ...v, title: e.currentTarget.value })}
        error={errors.field('title')}
        required
        maxLength={LIMITS.itemTitle + 50}
      />
      <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="sm">
        <Select
          label="Owner"
          placeholder="Nobody yet"
          data={users.map((u) => ({ value: u.id, label: u.name }))}
          value={v.ownerId}
          onChange={(ownerId) => setV({ ...v, ownerId })}
          searchable
          clearable
          error={errors.field('ownerId')}
          data-testid="item-owner-select"
        />
        <TextInput label="Due date" type="date" value={v.due} onChange={(e) => setV({ ...v, due: e.currentTarget.value })} error={errors.field('dueAt')} data-testid="item-due-input" />
      </SimpleGrid>
      <FormAlert message={errors.message} />
      <Group gap="xs">
        <Button type="submit" leftSection={item ? undefined : <IconPlus size={18} />} loading={save.isPending} data-testid={item ? 'item-save' : 'add-item-submit'}>
          {item ? 'Save' : 'Add action item'}
        </Button>
        {item && (
          <Button variant="subtle" color="gray" onClick={onDone}>
            Cancel
          </Button>
        )}
      </Group>
    </Stack>
  );
  return item ? (
    <form onSubmit={submit} noValidate data-testid="edit-action-item">
      {fields}
    </form>
  ) : (
    <Paper withBorder radius="md" p="md" component="form" onSubmit={submit} noValidate data-testid="add-action-item">
      {fields}
    </Paper>
  );
}

/** Hands an item over to problem management; the tracker link comes from the form or the server's setting. */
function HandOver({ item, onClose }: { item: ActionItem; onClose: () => void }) {
  const qc = useQueryClient();
  const errors = useFormErrors();
  const [v, setV] = useState({ title: item.title, externalUrl: '' });
  const m = useMutation({
    mutationFn: () => postmortemApi.handOver(item.id, { title: v.title.trim(), ...(v.externalUrl.trim() && { externalUrl: v.externalUrl.trim() }) }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: keys.postmortems.all });
      onClose();
    },
    onError: errors.set,
  });
  const submit = () => {
    const title = v.title.trim();
    const url = v.externalUrl.trim();
    let ok = true;
    if (!title || title.length > LIMITS.itemTitle) {
      errors.setField('title', title ? `at most ${LIMITS.itemTitle} characters` : 'required');
      ok = false;
    }
    if (url && (!/^https?:\/\//.test(url) || url.length > LIMITS.url)) {
      errors.setField('externalUrl', url.length > LIMITS.url ? `at most ${LIMITS.url} characters` : 'must start with http:// or https://');
      ok = false;
    }
    if (ok) m.mutate();
  };
  return (
    <FormDialog
      onClose={onClose}
      title="Hand over to problem management"
      errors={errors}
      onSubmit={submit}
      submitLabel="Create problem record"
      submitTestId="handover-submit"
      formTestId="handover-form"
      pending={m.isPending}
    >
      <Text size="sm">Creates a problem record for this action item. Without a link, Klaxon fills in the problem tracker address configured on the server, if any.</Text>
      <TextInput label="Problem title" value={v.title} onChange={(e) => setV({ ...v, title: e.currentTarget.value })} error={errors.field('title')} required />
      <TextInput
        label="Tracker link (optional)"
        placeholder="https://tracker.example.com/PRB-12"
        value={v.externalUrl}
        onChange={(e) => setV({ ...v, externalUrl: e.currentTarget.value })}
        error={errors.field('externalUrl')}
        inputMode="url"
      />
    </FormDialog>
  );
}

function ItemRow({ postmortem, item, ownerName, canEdit, now }: { postmortem: Postmortem; item: ActionItem; ownerName: string | null; canEdit: boolean; now: number }) {
  const zone = useViewerZone();
  const state = useItemState();
  const [handing, setHanding] = useState(false);
  const [editing, setEditing] = useState(false);
  if (editing) {
    return (
      <Card withBorder radius="md" p="sm" data-testid="action-item" data-state={item.state}>
        <ItemForm postmortem={postmortem} item={item} onDone={() => setEditing(false)} />
      </Card>
    );
  }
  const overdue = isOverdue(item, now);
  return (
    <Card
      withBorder
      radius="md"
      p="sm"
      data-testid="action-item"
      data-state={item.state}
      data-overdue={overdue ? 'true' : 'false'}
      style={overdue ? { borderColor: 'var(--mantine-color-red-6)', borderWidth: 2 } : undefined}
    >
      <Stack gap={6}>
        <Group justify="space-between" align="flex-start" wrap="nowrap" gap="xs">
          <Text fw={600} style={{ wordBreak: 'break-word' }} td={item.state === 'done' || item.state === 'wont_do' ? 'line-through' : undefined}>
            {item.title}
          </Text>
          <ItemStateBadge state={item.state} />
        </Group>
        <OwnerAndDue ownerName={ownerName} item={item} now={now} />
        {item.problem && (
          <Group gap="xs" wrap="wrap" data-testid="problem-record">
            <Badge color="grape" variant="light" size="sm">
              Problem
            </Badge>
            <Text size="sm" style={{ wordBreak: 'break-word' }}>
              {item.problem.title}
            </Text>
            <Text size="xs" c="dimmed">
              {zone.dateTime(item.problem.createdAt)}
            </Text>
            {item.problem.externalUrl ? (
              <Anchor href={item.problem.externalUrl} target="_blank" rel="noopener noreferrer" size="sm" data-testid="problem-link">
                Open in tracker <IconExternalLink size={14} style={{ verticalAlign: 'middle' }} />
              </Anchor>
            ) : (
              <Text size="xs" c="dimmed">
                no tracker configured
              </Text>
            )}
          </Group>
        )}
        {canEdit && (
          <Group gap="xs" wrap="wrap">
            <Select
              aria-label={`State of ${item.title}`}
              data={ITEM_STATE_OPTIONS}
              value={item.state}
              onChange={(v) => v && v !== item.state && state.mutate({ id: item.id, state: v as ActionItemState })}
              allowDeselect={false}
              disabled={state.isPending}
              style={{ flex: '1 1 130px', maxWidth: 200 }}
              size="sm"
              data-testid="item-state"
            />
            <Button variant="default" size="sm" leftSection={<IconPencil size={16} />} onClick={() => setEditing(true)} aria-label={`Change ${item.title}`} data-testid="item-edit">
              Change
            </Button>
            {!item.problem && (
              <Button variant="light" size="sm" leftSection={<IconTransferOut size={16} />} onClick={() => setHanding(true)} title="Hand over to problem management" data-testid="handover">
                Create problem record
              </Button>
            )}
          </Group>
        )}
        {state.error && (
          <Text c="red" size="sm" role="alert">
            {errorMessage(state.error)}
          </Text>
        )}
      </Stack>
      {handing && <HandOver item={item} onClose={() => setHanding(false)} />}
    </Card>
  );
}

/** A postmortem's action items: each with owner, due date, state and problem record; a form to add more. */
export function ActionItemPanel({ postmortem, canEdit }: { postmortem: Postmortem; canEdit: boolean }) {
  const users = useUsers().data ?? [];
  const now = Date.now();
  const nameOf = (id: string | null) => (id ? (users.find((u) => u.id === id)?.name ?? 'unknown user') : null);
  return (
    <Stack gap="sm" data-testid="action-items">
      <Title order={3} fz="lg">
        Action items ({postmortem.actionItems.length})
      </Title>
      {postmortem.actionItems.length === 0 && (
        <Text c="dimmed" size="sm">
          None yet. What would stop this from happening again, or make it shorter?
        </Text>
      )}
      {postmortem.actionItems.map((i) => (
        <ItemRow key={i.id} postmortem={postmortem} item={i} ownerName={nameOf(i.ownerId)} canEdit={canEdit} now={now} />
      ))}
      {canEdit && <ItemForm postmortem={postmortem} />}
    </Stack>
  );
}
