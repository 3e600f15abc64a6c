#!/usr/bin/env node
// The `klaxon` command. The TypeScript sources run with no build step to run by hand: the first run
// after a change compiles them with esbuild into apps/server/.build/ (bin/build.js), and later runs
// load that build. When it cannot be made (a read-only install, say) the sources run through tsx.
// docs/architecture.md, "Running the sources".
import { pathToFileURL } from 'node:url';
import { ensureBuild } from './build.js';

let entry;
try {
  entry = pathToFileURL(await ensureBuild()).href;
  process.setSourceMapsEnabled(true); // stack traces name the .ts files and lines
} catch {
  const { register } = await import('tsx/esm/api');
  register();
  entry = new URL('../src/cli/main.ts', import.meta.url).href;
}
await import(entry);
