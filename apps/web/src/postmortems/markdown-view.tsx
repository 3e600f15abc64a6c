import { Text, Typography } from '@mantine/core';
import { useMemo } from 'react';
import { renderMarkdown } from './markdown.ts';
import './markdown.css';

/** Markdown shown as (sanitized) HTML; a dimmed placeholder when empty. */
export function MarkdownView({ text, testId }: { text: string; testId?: string }) {
  const html = useMemo(() => renderMarkdown(text), [text]);
  if (!text.trim()) {
    return (
      <Text c="dimmed" size="sm" fs="italic" data-testid={testId}>
        Nothing written yet.
      </Text>
    );
  }
  return <Typography className="klx-md" data-testid={testId} dangerouslySetInnerHTML={{ __html: html }} />;
}
