import { Text, Tooltip } from '@mantine/core';
import { useRef, useState, type PointerEvent as ReactPointerEvent, type ReactNode } from 'react';
import { dayMarks, place, snap, wallClock } from './time.ts';
import { must } from '../lib/must.ts';

/** One bar on a timeline row. */
export interface Bar {
  key: string;
  start: number;
  end: number;
  label: string;
  /** Shown on hover, focus and tap. */
  detail: ReactNode;
  kind: 'shift' | 'override' | 'gap';
  color?: string;
}

/** One row: a layer, the overrides, or the final schedule. */
export interface Row {
  key: string;
  label: string;
  bars: Bar[];
  testId?: string;
}

const PX_PER_DAY: Record<number, number> = { 1: 1200, 7: 130, 14: 72 };
export const PALETTE = ['blue', 'teal', 'grape', 'indigo', 'cyan', 'lime', 'violet', 'pink'];

/** A stable colour per person (or set of people). */
export function colorFor(id: string): string {
  let h = 0;
  for (const c of id) h = (h * 31 + c.charCodeAt(0)) | 0;
  return PALETTE[Math.abs(h) % PALETTE.length] ?? 'blue';
}

/**
 * A horizontal timeline: one row per layer plus the final schedule, days across, bars labelled with
 * names. Scrolls sideways on a phone. Drag across a row (mouse, or touch in select mode) to pick a
 * span; `onSelect` gets it snapped to half hours.
 */
export function Timeline({
  from,
  days,
  rows,
  now,
  selecting,
  onSelect,
  zone,
}: {
  from: number;
  days: number;
  rows: Row[];
  now: number;
  selecting: boolean;
  onSelect?: (start: number, end: number) => void;
  zone?: string;
}) {
  const marks = dayMarks(from, days, zone);
  const to = must(marks.at(-1), 'the end of the timeline');
  const width = (PX_PER_DAY[days] ?? 150) * days;
  const [drag, setDrag] = useState<{ a: number; b: number } | null>(null);
  const track = useRef<HTMLDivElement | null>(null);
  const at = (e: ReactPointerEvent, el: HTMLElement) => {
    const r = el.getBoundingClientRect();
    const x = Math.min(Math.max(e.clientX - r.left, 0), r.width);
    return snap(from + (x / r.width) * (to - from));
  };
  const down = (e: ReactPointerEvent<HTMLDivElement>) => {
    if (!onSelect || (e.pointerType !== 'mouse' && !selecting) || e.button !== 0) return;
    if ((e.target as HTMLElement).closest('[data-bar]') && e.pointerType !== 'mouse') return;
    track.current = e.currentTarget;
    e.currentTarget.setPointerCapture(e.pointerId);
    const t = at(e, e.currentTarget);
    setDrag({ a: t, b: t });
  };
  const move = (e: ReactPointerEvent<HTMLDivElement>) => {
    if (!drag || !track.current) return;
    setDrag({ a: drag.a, b: at(e, track.current) });
  };
  const up = () => {
    if (drag && onSelect) {
      const s = Math.min(drag.a, drag.b);
      const en = Math.max(drag.a, drag.b);
      if (en - s >= 30 * 60_000) onSelect(s, en);
    }
    setDrag(null);
    track.current = null;
  };
  const hours = days === 1 ? Array.from({ length: 24 }, (_, h) => h) : [];
  const nowPos = place(now, now + 1, from, to);
  const sel = drag ? place(Math.min(drag.a, drag.b), Math.max(drag.a, drag.b), from, to) : null;

  return (
    <div className="klx-tl" data-testid="timeline-grid">
      <div className="klx-tl-inner" style={{ width: `max(100%, calc(var(--klx-tl-label) + ${width}px))` }}>
        <div className="klx-tl-row klx-tl-head">
          <div className="klx-tl-label" />
          <div className="klx-tl-track">
            {marks.slice(0, -1).map((m, i) => {
              const next = marks[i + 1];
              const p = next === undefined ? null : place(m, next, from, to);
              if (!p) return null;
              const wd = zone ? wallClock(m, zone).wd : new Date(m).getDay();
              const weekend = wd === 0 || wd === 6;
              return (
                <div key={m} className="klx-tl-day" data-weekend={weekend} style={{ left: `${p.left}%`, width: `${p.width}%` }}>
                  {new Intl.DateTimeFormat('en-GB', days > 7 ? { weekday: 'narrow', day: 'numeric', timeZone: zone } : { weekday: 'short', day: 'numeric', month: 'short', timeZone: zone }).format(m)}
                </div>
              );
            })}
            {hours.map((h) => (
              <div key={h} className="klx-tl-hour" style={{ left: `${(h / 24) * 100}%` }}>
                {String(h).padStart(2, '0')}
              </div>
            ))}
          </div>
        </div>
        {rows.map((row) => (
          <div key={row.key} className="klx-tl-row" data-testid={row.testId ?? 'timeline-row'} data-row={row.key}>
            <div className="klx-tl-label">
              <Text fz={{ base: 12, sm: 14 }} fw={600} lineClamp={2} style={{ wordBreak: 'break-word' }}>
                {row.label}
              </Text>
            </div>
            <div className="klx-tl-track" data-selecting={selecting} onPointerDown={down} onPointerMove={move} onPointerUp={up} onPointerCancel={() => setDrag(null)}>
              {marks.slice(1, -1).map((m) => {
                const p = place(m, m + 1, from, to);
                return p && <div key={m} className="klx-tl-grid" style={{ left: `${p.left}%` }} />;
              })}
              {row.bars.map((b) => {
                const p = place(b.start, b.end, from, to);
                if (!p) return null;
                return (
                  <Tooltip key={b.key} label={b.detail} events={{ hover: true, focus: true, touch: true }} multiline maw={320} withArrow>
                    <div
                      className="klx-tl-bar"
                      data-bar={b.kind}
                      data-testid={b.kind === 'gap' ? 'gap' : 'shift-bar'}
                      data-start={b.start}
                      data-end={b.end}
                      tabIndex={0}
                      aria-label={`${b.label}: ${typeof b.detail === 'string' ? b.detail : ''}`}
                      style={{
                        left: `${p.left}%`,
                        width: `${p.width}%`,
                        ...(b.kind !== 'gap' && { background: `var(--mantine-color-${b.color ?? 'blue'}-light)`, borderColor: `var(--mantine-color-${b.color ?? 'blue'}-filled)` }),
                      }}
                    >
                      <span>{b.label}</span>
                    </div>
                  </Tooltip>
                );
              })}
              {nowPos && <div className="klx-tl-now" style={{ left: `${nowPos.left}%` }} />}
              {sel && <div className="klx-tl-sel" style={{ left: `${sel.left}%`, width: `${sel.width}%` }} />}
            </div>
          </div>
        ))}
      </div>
    </div>
  );
}
