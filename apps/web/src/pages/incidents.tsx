import { ActionIcon, Badge, Button, Center, CloseButton, Collapse, Group, Loader, Select, Stack, Text, TextInput, Textarea, Tooltip } from '@mantine/core';
import { useDebouncedValue, useDisclosure, useHotkeys } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { IconAdjustments, IconCheck, IconListCheck, IconPlus, IconSearch } from '@tabler/icons-react';
import { memo, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { api, errorMessage, type IncidentQuery } from '../api/client.ts';
import { keys, useServices, useTeams, useUserNames, useUsers } from '../api/queries.ts';
import { SEVERITIES } from '@klaxon/contract/lists';
import type { Incident, IncidentStatus, Severity } from '@klaxon/contract';
import { PageHeader, QueryState, SeverityBadge, StatusBadge } from '../components/bits.tsx';
import { SetupBanner } from '../components/setup-banner.tsx';
import { offerUndoResolve } from '../incidents/undo-resolve.tsx';
import { BulkBar } from '../incidents/bulk-bar.tsx';
import { distinctParts } from '../incidents/distinct.ts';
import { fitWidth, inputFont } from '../incidents/fit-width.ts';
import { Segmented } from '../components/segmented.tsx';
import { VirtualList } from '../components/virtual-list.tsx';
import { useFormErrors } from '../lib/form.ts';
import { ago } from '../lib/time.ts';
import { useSession } from '../session.tsx';
import { usePermissions } from '../lib/permissions.ts';
import { usePhone } from '../lib/phone.ts';
import { FormDialog } from '../components/form-dialog.tsx';

const PAGE_SIZE = 100;

const STATUS_FILTERS: Record<string, IncidentStatus[] | undefined> = {
  open: ['triggered', 'acknowledged'],
  triggered: ['triggered'],
  acknowledged: ['acknowledged'],
  resolved: ['resolved'],
  all: undefined,
};

/** URL parameters a report figure drills down with (see docs/reports.md); `report` is the chip's label. */
const REPORT_PARAMS = ['since', 'until', 'ids', 'level', 'drill', 'acknowledged', 'acknowledgedBy'] as const;

/** The report drill-down filters in the URL, as the API takes them. */
function reportFilter(p: URLSearchParams): NonNullable<IncidentQuery['report']> {
  const out: NonNullable<IncidentQuery['report']> = {};
  for (const k of REPORT_PARAMS) {
    if (k === 'ids') {
      if (p.has('ids')) out.ids = p.getAll('ids');
    } else {
      const v = p.get(k);
      if (v) out[k] = v;
    }
  }
  return out;
}

/** Words for the range of a drill-down: "2 Mar – 9 Mar 2026" (UTC). */
function rangeText(p: URLSearchParams): string {
  const fmt = (v: string | null, end = false) => {
    if (!v) return null;
    const t = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
    if (Number.isNaN(t)) return v;
    return new Date(end ? t - 1 : t).toLocaleDateString(undefined, { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
  };
  const a = fmt(p.get('since'));
  const b = fmt(p.get('until'), true);
  return a || b ? `${a ?? '…'} – ${b ?? 'now'} (UTC)` : '';
}

const STRIPE: Record<IncidentStatus, string> = {
  triggered: 'var(--mantine-color-red-6)',
  acknowledged: 'var(--mantine-color-yellow-5)',
  resolved: 'var(--mantine-color-green-6)',
};

/** Whether an incident matches the search box: "#12" or "12" by number, otherwise words in title, service or details. */
export function matchesSearch(i: Incident, search: string): boolean {
  const s = search.trim().toLowerCase();
  if (!s) return true;
  const n = /^#?(\d+)$/.exec(s);
  if (n?.[1]) return String(i.number).startsWith(n[1]);
  const hay = `${i.title} ${i.serviceName} ${i.details} ${i.severity}`.toLowerCase();
  return s.split(/\s+/).every((w) => hay.includes(w));
}

function useAct() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, action }: { id: string; action: 'acknowledge' | 'resolve' }) => api.incidents[action](id),
    onSuccess: (r, v) => {
      qc.setQueryData(keys.incident(r.incident.id), r.incident);
      if (v.action === 'resolve' && r.changed) return offerUndoResolve(qc, r.incident);
      notifications.show({ message: `#${r.incident.number} ${r.incident.status}`, color: r.incident.status === 'resolved' ? 'green' : 'yellow', autoClose: 2500 });
    },
    onError: (e) => notifications.show({ color: 'red', title: 'Could not do that', message: errorMessage(e) }),
  });
}

/**
 * The acknowledge button of a row. Its "Acknowledge (a)" tooltip is drawn only while a mouse is over
 * the button: a Tooltip around every row's button set up its positioning on each of the first
 * screen's rows before the first paint (issue 20: the list on a slow phone).
 */
function AckButton({ number, onAck }: { number: number; onAck: () => void }) {
  const ref = useRef<HTMLButtonElement>(null);
  const [hover, setHover] = useState(false);
  return (
    <>
      <ActionIcon
        ref={ref}
        className="klx-ack"
        size={48}
        variant="outline"
        color="yellow"
        aria-label={`Acknowledge #${number}`}
        onPointerEnter={(e) => e.pointerType === 'mouse' && setHover(true)}
        onPointerLeave={() => setHover(false)}
        onClick={(e) => {
          e.preventDefault();
          e.stopPropagation();
          onAck();
        }}
      >
        <IconCheck size={24} />
      </ActionIcon>
      {hover && <Tooltip label="Acknowledge (a)" target={ref} opened />}
    </>
  );
}

/**
 * One incident of the list, in plain elements styled by app.css (klx-row-*) rather than Mantine's
 * Stack, Group and Text: each of those is several hooks and a style computation, times every row of
 * the first screen on a slow phone. Memoised: the list's other data arriving (services, teams,
 * people) draws the rows again only where what they show changed. Select mode is the list's
 * (data-picking on incident-list, app.css): each row has its checkbox from the start, shown only
 * then, so starting or ending it draws no row again (on a phone-class CPU that took 200 ms).
 */
const Row = memo(function Row({
  i,
  selected,
  onAct,
  canRespond,
  phone,
  im,
  assignee,
  distinct,
  picked,
  onPick,
}: {
  i: Incident;
  selected: boolean;
  onAct: (v: { id: string; action: 'acknowledge' | 'resolve' }) => void;
  canRespond: boolean;
  phone: boolean;
  im?: string | null;
  assignee?: string | null;
  distinct?: string | null;
  picked: boolean;
  onPick: (id: string) => void;
}) {
  return (
    <Link
      to={`/incidents/${i.number}`}
      className="klx-row"
      data-selected={selected || picked}
      data-testid="incident-row"
      data-number={i.number}
      data-status={i.status}
      onClick={(e) => {
        // In select mode a tap anywhere on the row picks it, never opens it.
        if (e.currentTarget.closest('[data-picking="true"]')) {
          e.preventDefault();
          e.stopPropagation();
          onPick(i.id);
        }
      }}
    >
      <span className="klx-stripe" style={{ background: STRIPE[i.status] }} />
      <input type="checkbox" className="klx-pick" checked={picked} onChange={() => onPick(i.id)} onClick={(e) => e.stopPropagation()} aria-label={`Select #${i.number}`} data-testid="row-pick" />
      <div className="klx-row-body">
        <span className="klx-row-title">
          {distinct ? (
            <span className="klx-row-distinct" data-testid="row-distinct">
              {distinct}
            </span>
          ) : null}
          {i.title}
        </span>
        <div className="klx-row-meta">
          {i.sev ? (
            <Badge color="red" size="sm" variant={i.major ? 'filled' : 'outline'} style={{ flexShrink: 0 }} data-testid="row-severity">
              {i.sev}
            </Badge>
          ) : (
            <span style={{ flexShrink: 0, display: 'inline-flex' }} data-testid="row-severity">
              <SeverityBadge severity={i.severity} />
            </span>
          )}
          <p className="klx-row-sub">
            {im ? (
              <span className="klx-row-person" style={{ fontWeight: 700 }} data-testid="row-im">
                IM {im} ·{' '}
              </span>
            ) : null}
            {assignee ? (
              <span className="klx-row-person" style={{ fontWeight: 600 }} data-testid="row-assignee">
                {assignee} ·{' '}
              </span>
            ) : null}
            #{i.number} · <span data-testid="row-age">{ago(i.createdAt)}</span> · {i.serviceName}
            {i.alertCount > 1 ? ` · ${i.alertCount} alerts` : ''}
          </p>
        </div>
      </div>
      {!phone && <StatusBadge status={i.status} />}
      {canRespond && i.status === 'triggered' && <AckButton number={i.number} onAck={() => onAct({ id: i.id, action: 'acknowledge' })} />}
    </Link>
  );
});

function NewIncident({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const services = useServices();
  const navigate = useNavigate();
  const errors = useFormErrors();
  const [v, setV] = useState<{ service: string | null; title: string; severity: Severity; details: string }>({ service: null, title: '', severity: 'critical', details: '' });
  const m = useMutation({
    mutationFn: () => api.incidents.create({ service: v.service ?? '', title: v.title, severity: v.severity, ...(v.details && { details: v.details }) }),
    onSuccess: (inc) => {
      onClose();
      navigate(`/incidents/${inc.number}`);
    },
    onError: errors.set,
  });
  return (
    <FormDialog opened={opened} onClose={onClose} title="Open an incident" errors={errors} onSubmit={() => m.mutate()} submitLabel="Open incident and page" submitColor="red" pending={m.isPending}>
      <Select
        label="Service"
        data={(services.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
        value={v.service}
        onChange={(s) => setV({ ...v, service: s })}
        error={errors.field('service')}
        searchable
        required
      />
      <TextInput label="What is wrong?" value={v.title} onChange={(e) => setV({ ...v, title: e.currentTarget.value })} error={errors.field('title')} required />
      <Select
        label="Severity"
        data={[...SEVERITIES]}
        value={v.severity}
        onChange={(s) => setV({ ...v, severity: (s as Severity) ?? 'critical' })}
        allowDeselect={false}
        error={errors.field('severity')}
      />
      <Textarea label="Details" autosize minRows={3} value={v.details} onChange={(e) => setV({ ...v, details: e.currentTarget.value })} error={errors.field('details')} />
    </FormDialog>
  );
}

/** The live incident list: filters, search, keyboard navigation, cursor pagination and a virtual list. */
export default function Incidents() {
  const { user } = useSession();
  const perms = usePermissions();
  // Bulk actions: globally, or for a team responder or admin (the server checks each incident's team).
  const canRespond = user.role === 'admin' || user.role === 'responder' || perms.teamAccess.size > 0;
  const [params, setParams] = useSearchParams();
  const statusKey = params.get('status') ?? 'open';
  const service = params.get('service') ?? '';
  const severity = params.get('severity') ?? '';
  const sev = params.get('sev') ?? '';
  const team = params.get('team') ?? '';
  const assigneeParam = params.get('assignee') ?? '';
  // "Mine" is where a responder starts (docs/web.md); everyone else, and a drill-down from a report
  // (which lists exactly the incidents behind a figure), starts on every incident.
  const view = params.get('view') ?? (user.role === 'responder' && !REPORT_PARAMS.some((k) => params.has(k)) ? 'mine' : 'all');
  const [picking, setPicking] = useState(false);
  const [picked, setPicked] = useState<Set<string>>(() => new Set());
  const [filtersOpen, setFiltersOpen] = useState(false);
  // On a phone the filters are folded away: they are drawn from their first opening on, not before
  // the first paint (six inputs whose widths are measured in the input's font: issue 20).
  const [filtersDrawn, setFiltersDrawn] = useState(false);
  const reportLabel = params.get('report');
  const reportKey = REPORT_PARAMS.map((k) => params.getAll(k).join(',')).join('|');
  const [search, setSearch] = useState(params.get('q') ?? '');
  const [debouncedSearch] = useDebouncedValue(search, 150);
  const [selected, setSelected] = useState(-1);
  const searchRef = useRef<HTMLInputElement>(null);
  const phone = usePhone();
  const rowHeight = phone ? 92 : 72;
  const navigate = useNavigate();
  const services = useServices();
  const teams = useTeams();
  const levels = useQuery({ queryKey: keys.severityLevels, queryFn: api.warRoom.severityLevels, staleTime: 300_000, retry: false });
  const assignee = assigneeParam === 'me' ? user.id : assigneeParam;
  const [creating, createControls] = useDisclosure(false);
  const act = useAct();

  const serverSearch = /^#?\d+$/.test(debouncedSearch.trim()) ? '' : debouncedSearch.trim();
  const query: IncidentQuery = useMemo(
    () => ({
      status: STATUS_FILTERS[statusKey],
      ...(service && { service }),
      ...(severity && { severity }),
      ...(sev && { sev }),
      ...(team && { team }),
      ...(assignee && { assignee }),
      ...(view === 'mine' && { mine: true }),
      ...(serverSearch && { q: serverSearch }),
      ...(reportKey.replace(/[|,]/g, '') && { report: reportFilter(params) }),
    }),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- reportKey stands for the report parameters
    [statusKey, service, severity, sev, team, assignee, view, serverSearch, reportKey],
  );
  const list = useInfiniteQuery({
    queryKey: keys.incidentList(query),
    queryFn: ({ pageParam, signal }) => api.incidents.list({ ...query, limit: PAGE_SIZE, before: pageParam }, signal),
    initialPageParam: undefined as number | undefined,
    getNextPageParam: (last) => (last.incidents.length < PAGE_SIZE ? undefined : (last.next ?? undefined)),
  });

  // Every person feeds the assignee filter only: on a phone it loads when the filters are first
  // opened or an assignee is set, so a storm's list on a phone of a large organisation does not wait
  // for ten thousand people to download (issue 19). The names in the rows come by id.
  const users = useUsers(!phone || filtersDrawn || Boolean(assigneeParam));
  const loaded = useMemo(() => list.data?.pages.flatMap((p) => p.incidents) ?? [], [list.data]);
  const userNames = useUserNames(loaded.flatMap((i) => [i.incidentManagerId, i.acknowledgedBy].filter((id): id is string => Boolean(id))));
  const shown = useMemo(() => (serverSearch ? loaded : loaded.filter((i) => matchesSearch(i, debouncedSearch))), [loaded, serverSearch, debouncedSearch]);
  const distinct = useMemo(() => distinctParts(shown), [shown]);
  const togglePick = useCallback(
    (id: string) =>
      setPicked((prev) => {
        const next = new Set(prev);
        if (next.has(id)) next.delete(id);
        else next.add(id);
        return next;
      }),
    [],
  );
  const stopPicking = () => {
    setPicking(false);
    setPicked(new Set());
  };
  const activeFilters = [service, severity, sev, team, assigneeParam].filter(Boolean).length;
  // Filter options, and widths that fit the longest option or placeholder uncut (fit-width.ts).
  const serviceOptions = useMemo(() => (services.data ?? []).map((x) => ({ value: x.id, label: x.name })), [services.data]);
  const sevOptions = useMemo(() => (levels.data ?? []).map((l) => l.name), [levels.data]);
  const teamOptions = useMemo(() => (teams.data ?? []).map((x) => ({ value: x.id, label: x.name })), [teams.data]);
  const assigneeOptions = useMemo(
    () => [{ value: 'me', label: 'Me (IM or acked)' }, ...(users.data ?? []).filter((u) => u.id !== user.id).map((u) => ({ value: u.id, label: u.name }))],
    [users.data, user.id],
  );
  const drawFilters = !phone || filtersDrawn;
  const widths = useMemo(() => {
    if (!drawFilters) return null;
    const font = inputFont();
    const fit = (options: (string | { label: string })[], placeholder: string) => ({
      flex: `1 0 ${fitWidth([placeholder, ...options.map((o) => (typeof o === 'string' ? o : o.label))], { font })}px`,
      maxWidth: '100%',
    });
    return {
      service: fit(serviceOptions, 'All services'),
      severity: fit([...SEVERITIES], 'Any severity'),
      sev: fit(sevOptions, 'Any SEV level'),
      team: fit(teamOptions, 'All teams'),
      assignee: fit(assigneeOptions, 'Anyone'),
    };
  }, [drawFilters, serviceOptions, sevOptions, teamOptions, assigneeOptions]);

  const setParam = (k: string, v: string | null) => {
    const next = new URLSearchParams(params);
    if (v) next.set(k, v);
    else next.delete(k);
    setParams(next, { replace: true });
    setSelected(-1);
  };

  useEffect(() => {
    if (selected >= shown.length) setSelected(shown.length - 1);
  }, [shown.length, selected]);

  const move = (d: number) => {
    if (!shown.length) return;
    const next = Math.max(0, Math.min(shown.length - 1, selected + d));
    setSelected(next);
    const listTop = (document.querySelector('[data-testid="incident-list"]') as HTMLElement | null)?.getBoundingClientRect().top ?? 0;
    const rowTop = listTop + window.scrollY + next * rowHeight;
    if (rowTop < window.scrollY + 80 || rowTop + rowHeight > window.scrollY + window.innerHeight - 16) window.scrollTo({ top: rowTop - window.innerHeight / 3 });
  };
  const current = selected >= 0 ? shown[selected] : undefined;

  useHotkeys([
    ['j', () => move(1)],
    ['k', () => move(-1)],
    ['ArrowDown', () => move(1)],
    ['ArrowUp', () => move(-1)],
    ['Enter', () => current && navigate(`/incidents/${current.number}`)],
    ['a', () => current && canRespond && current.status === 'triggered' && act.mutate({ id: current.id, action: 'acknowledge' })],
    ['r', () => current && canRespond && current.status !== 'resolved' && act.mutate({ id: current.id, action: 'resolve' })],
    ['/', () => searchRef.current?.focus()],
  ]);

  const searchNumber = /^#?(\d+)$/.exec(debouncedSearch.trim())?.[1];

  return (
    <>
      <SetupBanner />
      <PageHeader title="Incidents">
        {canRespond && (
          <Group gap="xs">
            <Button size="md" leftSection={<IconListCheck size={18} />} variant={picking ? 'filled' : 'default'} onClick={() => (picking ? stopPicking() : setPicking(true))} data-testid="select-mode">
              {picking ? 'Done' : 'Select'}
            </Button>
            <Button size="md" leftSection={<IconPlus size={18} />} variant="light" onClick={createControls.open}>
              {phone ? 'Open' : 'Open incident'}
            </Button>
          </Group>
        )}
      </PageHeader>
      <Stack gap="sm" mb="sm">
        <Group gap="sm" wrap="nowrap">
          <Segmented
            size="md"
            style={{ flex: 1 }}
            value={view}
            onChange={(v) => setParam('view', v)}
            data={[
              { value: 'mine', label: 'Mine' },
              { value: 'all', label: 'Everyone' },
            ]}
            aria-label="Whose incidents"
            data-testid="view-filter"
          />
          {phone && (
            <Button
              size="md"
              variant={activeFilters ? 'light' : 'default'}
              leftSection={<IconAdjustments size={18} />}
              onClick={() => {
                setFiltersDrawn(true);
                setFiltersOpen((o) => !o);
              }}
              aria-expanded={filtersOpen}
              data-testid="filters-toggle"
            >
              Filters{activeFilters ? ` (${activeFilters})` : ''}
            </Button>
          )}
        </Group>
        <Segmented
          fullWidth
          size={phone ? 'sm' : 'md'}
          compact={!!phone}
          value={statusKey}
          onChange={(v) => setParam('status', v === 'open' ? null : v)}
          data={[
            { value: 'open', label: 'Open' },
            { value: 'triggered', label: 'Triggered' },
            { value: 'acknowledged', label: phone ? 'Acked' : 'Acknowledged' },
            { value: 'resolved', label: 'Resolved' },
            { value: 'all', label: 'All' },
          ]}
          aria-label="Status"
          data-testid="status-filter"
        />
        <Collapse expanded={!phone || filtersOpen} data-testid="filters">
          {widths && (
            <Group gap="sm" wrap="wrap" align="flex-start" data-testid="filter-controls">
              <TextInput
                ref={searchRef}
                leftSection={<IconSearch size={18} />}
                placeholder="Search   ( / )"
                value={search}
                onChange={(e) => {
                  setSearch(e.currentTarget.value);
                  setSelected(-1);
                }}
                onKeyDown={(e) => {
                  if (e.key === 'Escape') e.currentTarget.blur();
                  if (e.key === 'Enter' && searchNumber) navigate(`/incidents/${searchNumber}`);
                }}
                aria-label="Search incidents"
                style={{ flex: '2 0 220px', maxWidth: '100%' }}
                data-testid="incident-search"
              />
              <Select
                placeholder="All services"
                data={serviceOptions}
                value={service || null}
                onChange={(v) => setParam('service', v)}
                clearable
                searchable
                aria-label="Service"
                style={widths.service}
                data-testid="service-filter"
              />
              <Select
                placeholder="Any severity"
                data={[...SEVERITIES]}
                value={severity || null}
                onChange={(v) => setParam('severity', v)}
                clearable
                aria-label="Severity"
                style={widths.severity}
                data-testid="severity-filter"
              />
              <Select
                placeholder="Any SEV level"
                data={sevOptions}
                value={sev || null}
                onChange={(v) => setParam('sev', v)}
                clearable
                aria-label="Severity level"
                style={widths.sev}
                data-testid="sev-filter"
              />
              <Select
                placeholder="All teams"
                data={teamOptions}
                value={team || null}
                onChange={(v) => setParam('team', v)}
                clearable
                searchable
                aria-label="Team"
                style={widths.team}
                data-testid="team-filter"
              />
              <Select
                placeholder="Anyone"
                style={widths.assignee}
                data={assigneeOptions}
                value={assigneeParam || null}
                onChange={(v) => setParam('assignee', v)}
                clearable
                searchable
                aria-label="Assignee"
                data-testid="assignee-filter"
              />
            </Group>
          )}
        </Collapse>
      </Stack>

      {(reportLabel || reportKey.replace(/[|,]/g, '')) && (
        <Group mb="sm" gap="xs">
          <Group gap={4} wrap="nowrap" maw="100%" data-testid="report-chip" style={{ background: 'var(--mantine-color-blue-light)', borderRadius: 18, padding: '4px 4px 4px 14px' }}>
            <Text size="sm" style={{ minWidth: 0 }}>
              Filtered from report: <b>{reportLabel ?? 'figure'}</b>
              {params.has('ids') ? ` · ${params.getAll('ids').length} incidents` : rangeText(params) ? ` · ${rangeText(params)}` : ''}
            </Text>
            <CloseButton
              radius="xl"
              aria-label="Remove the report filter"
              onClick={() => {
                const next = new URLSearchParams(params);
                for (const k of [...REPORT_PARAMS, 'report']) next.delete(k);
                setParams(next, { replace: true });
              }}
            />
          </Group>
        </Group>
      )}
      <QueryState isPending={list.isPending} error={list.error} retry={() => void list.refetch()}>
        {shown.length === 0 ? (
          <Center py={48}>
            <Stack align="center" gap={6}>
              <Text fw={600} fz="lg">
                {loaded.length === 0 ? (statusKey === 'open' ? 'All quiet: nothing is open.' : 'No incidents.') : 'Nothing matches.'}
              </Text>
              {searchNumber && (
                <Button variant="subtle" component={Link} to={`/incidents/${searchNumber}`}>
                  Open incident #{searchNumber}
                </Button>
              )}
            </Stack>
          </Center>
        ) : (
          <div data-testid="incident-list" className="klx-list" data-picking={picking} style={{ border: '1px solid var(--mantine-color-default-border)', borderRadius: 12, overflow: 'hidden' }}>
            <VirtualList
              items={shown}
              rowHeight={rowHeight}
              getKey={(i) => i.id}
              onNearEnd={() => {
                // Filtering loaded rows on the client: load older pages only when asked, not in a loop.
                if (!severity && !debouncedSearch.trim() && list.hasNextPage && !list.isFetchingNextPage) void list.fetchNextPage();
              }}
              render={(i, idx) => (
                <Row
                  i={i}
                  im={i.incidentManagerId ? (userNames.get(i.incidentManagerId) ?? 'someone') : null}
                  assignee={i.status !== 'resolved' && i.acknowledgedBy && i.acknowledgedBy !== i.incidentManagerId ? (userNames.get(i.acknowledgedBy) ?? 'someone') : null}
                  distinct={distinct.get(i.id) ?? null}
                  phone={!!phone}
                  selected={idx === selected}
                  canRespond={canRespond}
                  onAct={act.mutate}
                  picked={picked.has(i.id)}
                  onPick={togglePick}
                />
              )}
            />
          </div>
        )}
        <Group justify="space-between" mt="sm" c="dimmed">
          <Text size="sm" data-testid="incident-count">
            {shown.length === loaded.length ? `${loaded.length} incident${loaded.length === 1 ? '' : 's'}` : `${shown.length} of ${loaded.length} loaded incidents`}
            {list.hasNextPage ? ' · older ones load as you scroll' : ''}
          </Text>
          {list.isFetchingNextPage ? (
            <Loader size="sm" />
          ) : (
            list.hasNextPage && (
              <Button variant="subtle" size="sm" onClick={() => void list.fetchNextPage()}>
                Load older
              </Button>
            )
          )}
        </Group>
      </QueryState>
      {picking && (
        <>
          <div style={{ height: 120 }} />
          <BulkBar ids={[...picked]} onDone={stopPicking} onCancel={stopPicking} />
        </>
      )}
      <NewIncident opened={creating} onClose={createControls.close} />
    </>
  );
}
