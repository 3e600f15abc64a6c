import { useEffect, useRef, useState, type ReactNode } from 'react';

/**
 * A window-scrolled list that renders only the rows near the viewport, so thousands of rows cost
 * the same as fifty. Rows have one fixed height (`rowHeight` px).
 */
export function VirtualList<T>({
  items,
  rowHeight,
  overscan = 8,
  render,
  getKey,
  onNearEnd,
}: {
  items: T[];
  rowHeight: number;
  overscan?: number;
  render: (item: T, index: number) => ReactNode;
  getKey: (item: T) => string;
  onNearEnd?: () => void;
}) {
  const ref = useRef<HTMLDivElement>(null);
  // The first render draws what measure() below finds for a list at the top of its page (a screen of
  // rows and the overscan), not a fixed 40 that measure() then cut down: on a slow phone every row
  // drawn before the first paint delays it.
  const [range, setRange] = useState<[number, number]>(() => [0, Math.ceil(window.innerHeight / rowHeight) + overscan * 2]);
  const nearEnd = useRef(onNearEnd);
  nearEnd.current = onNearEnd;

  useEffect(() => {
    let frame = 0;
    const measure = () => {
      frame = 0;
      const el = ref.current;
      if (!el) return;
      const top = el.getBoundingClientRect().top; // negative once scrolled past the list's start
      const first = Math.max(0, Math.floor(-top / rowHeight) - overscan);
      const visible = Math.ceil(window.innerHeight / rowHeight) + overscan * 2;
      const last = Math.min(items.length, first + visible);
      setRange((r) => (r[0] === first && r[1] === last ? r : [first, last]));
      if (last >= items.length - overscan) nearEnd.current?.();
    };
    const onScroll = () => {
      if (!frame) frame = requestAnimationFrame(measure);
    };
    measure();
    window.addEventListener('scroll', onScroll, { passive: true });
    window.addEventListener('resize', onScroll);
    return () => {
      window.removeEventListener('scroll', onScroll);
      window.removeEventListener('resize', onScroll);
      if (frame) cancelAnimationFrame(frame);
    };
  }, [items.length, rowHeight, overscan]);

  const [first, last] = range;
  return (
    <div ref={ref} style={{ position: 'relative', height: items.length * rowHeight }} role="list">
      {items.slice(first, last).map((item, k) => {
        const i = first + k;
        return (
          <div key={getKey(item)} role="listitem" style={{ position: 'absolute', top: i * rowHeight, left: 0, right: 0, height: rowHeight }}>
            {render(item, i)}
          </div>
        );
      })}
    </div>
  );
}
