// Builds the web app before `npm start` when it has not been built yet (a fresh clone), so the
// first start serves the app; later starts skip this. `npm run build -w apps/web` rebuilds by hand.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
if (!existsSync(join(root, 'apps', 'web', 'dist', 'index.html'))) {
  process.stdout.write('Building the web app (first start only)…\n');
  execSync('npm run build -w apps/web', { cwd: root, stdio: 'inherit' });
}
