/**
 * Widths for filter controls that never cut their text: the widest of a control's placeholder and
 * options, measured in the input's own font, plus the input's padding and its right section
 * (chevron or clear button). The incident list's filters use it at every width (issue 20: "Any
 * severit" at 1280 px).
 */

let canvas: HTMLCanvasElement | null = null;

/** The pixel width of `text` in a CSS font ("14px Inter, sans-serif"); a generous estimate without a canvas. */
export function textWidth(text: string, font: string): number {
  if (typeof document !== 'undefined') {
    canvas ??= document.createElement('canvas');
    const ctx = canvas.getContext('2d');
    if (ctx) {
      ctx.font = font;
      return ctx.measureText(text).width;
    }
  }
  const size = Number(/(\d+(?:\.\d+)?)px/.exec(font)?.[1] ?? 14);
  return text.length * size * 0.62;
}

/** The font Mantine's inputs use (size sm): the body's family at the sm font size. */
export function inputFont(): string {
  if (typeof document === 'undefined') return '14px sans-serif';
  const root = getComputedStyle(document.documentElement);
  const size = root.getPropertyValue('--mantine-font-size-sm').trim() || '14px';
  const px = size.endsWith('rem') ? `${parseFloat(size) * parseFloat(root.fontSize || '16')}px` : size;
  return `${px} ${getComputedStyle(document.body).fontFamily || 'sans-serif'}`;
}

/**
 * The width (px) a Select needs to show the longest of `texts` uncut: the text, the left padding
 * (12 px, or the left section's 36 px), the right section (36 px: chevron or clear button), borders
 * and a little slack for font hinting.
 */
export function fitWidth(texts: string[], o: { leftSection?: boolean; font?: string } = {}): number {
  const font = o.font ?? inputFont();
  const widest = Math.max(0, ...texts.map((t) => textWidth(t, font)));
  return Math.ceil(widest + (o.leftSection ? 36 : 12) + 36 + 2 + 6);
}
