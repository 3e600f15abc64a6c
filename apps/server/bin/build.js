// Compiles the server and CLI sources into apps/server/.build/ for bin/klaxon.js (see
// docs/architecture.md, "Running the sources"). Plain JavaScript: it runs before any TypeScript can.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** apps/server. */
export const SERVER_DIR = join(here, '..');
/** Where builds go: at the sources' depth (src/<folder>/), so paths relative to import.meta.url name the same files. */
export const BUILD_ROOT = join(SERVER_DIR, '.build');
/** Everything a build is made of. */
const SOURCES = [join(SERVER_DIR, 'src'), join(SERVER_DIR, 'migrations'), join(SERVER_DIR, '..', '..', 'packages', 'contract', 'src'), here];

/** The newest modification time (ms) of `path` or anything under it; 0 when it does not exist. */
export function newest(path) {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.mtimeMs;
  let t = st.mtimeMs;
  for (const name of readdirSync(path)) t = Math.max(t, newest(join(path, name)));
  return t;
}

/** The name of the build of the sources as they are now: their newest change. */
export function sourcesStamp() {
  return Math.max(...SOURCES.map(newest)).toFixed(0);
}

/** How long an earlier build is kept after a newer one is made, and an interrupted one. */
const KEEP_MS = 10 * 60_000;
const KEEP_TMP_MS = 60 * 60_000;

/**
 * The entry file of the build named `stamp` under `root`, compiling it first when it is not there.
 * Throws when it cannot be made (the caller runs the sources through tsx then).
 */
export async function ensureBuild({ root = BUILD_ROOT, stamp = sourcesStamp(), now = Date.now() } = {}) {
  const dir = join(root, stamp);
  if (!statSync(dir, { throwIfNoEntry: false })) {
    mkdirSync(root, { recursive: true });
    await compile(dir);
    for (const name of readdirSync(root)) {
      const age = now - (statSync(join(root, name), { throwIfNoEntry: false })?.mtimeMs ?? now);
      if (name !== stamp && age > (name.endsWith('.tmp') ? KEEP_TMP_MS : KEEP_MS)) rmSync(join(root, name), { recursive: true, force: true });
    }
  }
  return join(dir, 'klaxon.js');
}

/** Compiles src/cli/main.ts into `dir`: a chunk per lazily imported part, packages left to node_modules, source maps. */
async function compile(dir) {
  const { build } = await import('esbuild');
  const tmp = `${dir}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  try {
    await build({
      entryPoints: { klaxon: join(SERVER_DIR, 'src', 'cli', 'main.ts') },
      outdir: tmp,
      bundle: true,
      splitting: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      sourcemap: 'linked',
      logLevel: 'warning',
      plugins: [
        {
          name: 'packages-from-node-modules',
          setup: (b) => b.onResolve({ filter: /^[^./]/ }, (a) => (a.path.startsWith('@klaxon/') ? undefined : { path: a.path, external: true })),
        },
      ],
    });
    // Whole: a command starting meanwhile finds the build complete or not at all. When several
    // build at once, the first rename wins and the others are thrown away.
    renameSync(tmp, dir);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    if (!statSync(dir, { throwIfNoEntry: false })) throw e;
  }
}
