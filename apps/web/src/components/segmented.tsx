import { useId, type ReactNode } from 'react';

/** One choice of a Segmented control: its value, and the label shown (the value when a plain string). */
export type SegmentedItem = string | { value: string; label: ReactNode };

/**
 * A row of mutually exclusive choices, drawn as one bar with the chosen one raised: native radio
 * inputs in labels, styled by app.css (klx-seg). The app's one segmented control, in place of
 * Mantine's SegmentedControl, whose
 * sliding indicator measures its target (getComputedStyle and a layout) and draws the whole screen
 * again once it has: on the incident list of a phone-class CPU that cost about 200 ms of the first
 * screen (issue 20, bench/web-load.ts). Keys and screen readers treat it as a radio group; every
 * choice is at least 44 px high at size "md".
 */
export function Segmented({
  value,
  onChange,
  data,
  size = 'sm',
  fullWidth = false,
  compact = false,
  style,
  'data-testid': testId,
  'aria-label': ariaLabel,
}: {
  value: string;
  onChange: (value: string) => void;
  data: readonly SegmentedItem[];
  size?: 'xs' | 'sm' | 'md';
  fullWidth?: boolean;
  /** Less space around each label (a phone's five status choices). */
  compact?: boolean;
  style?: React.CSSProperties;
  'data-testid'?: string;
  'aria-label'?: string;
}) {
  const name = useId();
  return (
    <div className="klx-seg" role="radiogroup" aria-label={ariaLabel} data-size={size} data-full={fullWidth || undefined} data-compact={compact || undefined} style={style} data-testid={testId}>
      {data.map((d) => {
        const item = typeof d === 'string' ? { value: d, label: d } : d;
        return (
          <label key={item.value} className="klx-seg-item">
            <input type="radio" name={name} value={item.value} checked={value === item.value} onChange={() => onChange(item.value)} />
            <span>{item.label}</span>
          </label>
        );
      })}
    </div>
  );
}
