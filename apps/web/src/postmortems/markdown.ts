/*
 * Markdown to HTML for the postmortem preview (marked, GitHub flavour: tables, task lists). The
 * text is written by people and pasted from chats and alerts, so the output is made safe to put
 * into the page: raw HTML in the Markdown is shown as text, never interpreted, and links and images
 * keep only http(s), mailto and relative addresses (no javascript:, data: and the like). Everything
 * else marked writes escaped. Imported only by the postmortem editor, so marked stays out of the
 * first screen.
 */
import { Marked, type Tokens } from 'marked';
import { must } from '../lib/must.ts';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => must(ESCAPES[c], `an escape for ${c}`));
}

/**
 * True for an address a link or image may point to: http(s), mailto, or relative (no scheme).
 * Control characters and spaces are dropped first, as browsers do when they read a URL.
 */
export function isSafeUrl(href: string): boolean {
  // eslint-disable-next-line no-control-regex
  const u = href.replace(/[\u0000-\u0020\u007f-\u009f]/g, '').toLowerCase();
  if (/^(https?:|mailto:)/.test(u)) return true;
  // No scheme: relative. A colon before any / ? # would be read as a scheme.
  return !/^[^/?#]*:/.test(u) && !u.includes('&#') && !u.includes('&colon');
}

const marked = new Marked({
  gfm: true,
  breaks: false,
  async: false,
  renderer: {
    html({ text }: Tokens.HTML | Tokens.Tag): string {
      return escapeHtml(text);
    },
    link({ href, title, tokens }: Tokens.Link): string {
      const inner = this.parser.parseInline(tokens);
      if (!isSafeUrl(href)) return inner;
      return `<a href="${escapeHtml(href)}"${title ? ` title="${escapeHtml(title)}"` : ''} target="_blank" rel="noopener noreferrer">${inner}</a>`;
    },
    image({ href, title, text }: Tokens.Image): string {
      if (!isSafeUrl(href)) return escapeHtml(text);
      return `<img src="${escapeHtml(href)}" alt="${escapeHtml(text)}"${title ? ` title="${escapeHtml(title)}"` : ''} loading="lazy" referrerpolicy="no-referrer">`;
    },
  },
});

/** Safe HTML for a Markdown text. */
export function renderMarkdown(md: string): string {
  return marked.parse(md, { async: false });
}
