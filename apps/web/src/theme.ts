import { createTheme, darken, DEFAULT_THEME, localStorageColorSchemeManager, type CSSVariablesResolver } from '@mantine/core';
import { must } from './lib/must.ts';

/** Klaxon's look: calm indigo chrome so red means only "something is on fire"; large type and targets. */
export const theme = createTheme({
  primaryColor: 'indigo',
  // Filled buttons and badges use shade 8 (white text on indigo 8 is 5.7:1), and pick black or white
  // text by the background's luminance, whichever contrasts more (the crossover is 0.179).
  primaryShade: { light: 8, dark: 8 },
  autoContrast: true,
  luminanceThreshold: 0.179,
  defaultRadius: 'md',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  fontFamilyMonospace: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace',
  headings: { fontWeight: '700' },
  cursorType: 'pointer',
  components: {
    Button: { defaultProps: { size: 'md' } },
    TextInput: { defaultProps: { size: 'md' } },
    PasswordInput: { defaultProps: { size: 'md' } },
    NumberInput: { defaultProps: { size: 'md' } },
    Select: { defaultProps: { size: 'md' } },
    MultiSelect: { defaultProps: { size: 'md' } },
    Textarea: { defaultProps: { size: 'md' } },
  },
});

/** Remembers an explicit light/dark choice; "auto" (the default) follows the operating system. */
export const colorSchemeManager = localStorageColorSchemeManager({ key: 'klaxon-color-scheme' });

/** WCAG relative luminance of a #rrggbb colour. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const v = parseInt(hex.slice(i, i + 2), 16) / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG contrast ratio of two #rrggbb colours. */
export function contrast(a: string, b: string): number {
  const [x, y] = [luminance(a), luminance(b)];
  return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
}

function toHex(color: string): string {
  if (color.startsWith('#')) return color;
  const m = /rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(color);
  return m
    ? '#' +
        m
          .slice(1, 4)
          .map((n) => Number(n).toString(16).padStart(2, '0'))
          .join('')
    : color;
}

/** The colour's shade darkened just enough to read at 4.6:1 on white and on the colour's own light tint. */
function readableOnLight(shades: readonly string[]): string {
  const base = must(shades[9], 'shade 9');
  const tint = must(shades[1], 'shade 1');
  for (let amount = 0; amount < 1; amount += 0.05) {
    const c = toHex(darken(base, amount));
    if (contrast(c, '#ffffff') >= 4.6 && contrast(c, tint) >= 4.6) return c;
  }
  return '#000000';
}

/**
 * Colours that pass WCAG AA (4.5:1) in both schemes (issue 20: axe finds no contrast violation):
 * in light, secondary ("dimmed") text is gray 7, and coloured text, outlines and light badges use a
 * shade dark enough for white and for their own tint; in dark, dimmed text is dark 1 and links indigo 3.
 */
export const cssVariablesResolver: CSSVariablesResolver = (t) => {
  const light: Record<string, string> = { '--mantine-color-dimmed': 'var(--mantine-color-gray-7)' };
  for (const [name, shades] of Object.entries(t.colors)) {
    if (name === 'dark' || name === 'gray' || !(name in DEFAULT_THEME.colors)) continue;
    const ink = readableOnLight(shades);
    light[`--mantine-color-${name}-text`] = ink;
    light[`--mantine-color-${name}-outline`] = ink;
    light[`--mantine-color-${name}-light-color`] = ink;
  }
  return { variables: {}, light, dark: { '--mantine-color-dimmed': 'var(--mantine-color-dark-1)', '--mantine-color-anchor': 'var(--mantine-color-indigo-3)' } };
};
