import { describe, expect, it } from 'vitest';
import { isOverdue } from '../src/api/postmortems.ts';
import { isSafeUrl, renderMarkdown } from '../src/postmortems/markdown.ts';

describe('postmortem Markdown preview', () => {
  it('renders the draft Markdown: headings, lists, emphasis, GitHub tables', () => {
    const html = renderMarkdown('### Who did what\n\n- **Dana**: acknowledged\n\n| Time (UTC) | Event | By |\n| --- | --- | --- |\n| 2026-03-02 09:04:00 | Acknowledged by Dana | Dana |');
    expect(html).toContain('<h3>Who did what</h3>');
    expect(html).toContain('<li><strong>Dana</strong>: acknowledged</li>');
    expect(html).toContain('<table>');
    expect(html).toContain('<td>Acknowledged by Dana</td>');
  });

  it('shows raw HTML as text instead of running it', () => {
    const html = renderMarkdown('Before <script>alert(1)</script> after\n\n<img src=x onerror="alert(2)">\n\n<div onclick="x()">block</div>');
    expect(html).not.toMatch(/<script|<img|<div/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=&quot;alert(2)&quot;&gt;');
  });

  it('keeps http(s), mailto and relative links; drops javascript:, data: and obfuscated schemes', () => {
    expect(renderMarkdown('[runbook](https://wiki.example.com/rb?a=1&b=2)')).toContain('<a href="https://wiki.example.com/rb?a=1&amp;b=2" target="_blank" rel="noopener noreferrer">runbook</a>');
    expect(renderMarkdown('[incident](/incidents/4)')).toContain('href="/incidents/4"');
    for (const bad of ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'java\tscript:alert(1)', 'data:text/html,<b>x</b>', 'vbscript:x', 'javascript&#58;alert(1)']) {
      expect(isSafeUrl(bad)).toBe(false);
      const html = renderMarkdown(`[click](${bad}) ![img](${bad})`);
      expect(html).not.toMatch(/href=|src=/);
      expect(html.toLowerCase()).not.toContain('javascript:');
    }
    expect(renderMarkdown('<javascript:alert(1)>')).not.toContain('href=');
    expect(isSafeUrl('mailto:sre@example.com')).toBe(true);
  });

  it('calls an open item overdue only after its due time', () => {
    expect(isOverdue({ state: 'open', dueAt: 1000 }, 1001)).toBe(true);
    expect(isOverdue({ state: 'in_progress', dueAt: 1000 }, 1000)).toBe(false);
    expect(isOverdue({ state: 'done', dueAt: 1000 }, 5000)).toBe(false);
    expect(isOverdue({ state: 'open', dueAt: null }, 5000)).toBe(false);
  });
});
