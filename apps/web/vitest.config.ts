import { defineConfig } from 'vitest/config';

// Unit tests of the web app's pure logic (no browser): escalation preview, live cache patches, snippets.
export default defineConfig({ test: { include: ['test/**/*.test.ts'], environment: 'node' } });
