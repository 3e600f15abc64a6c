import cliProgress from 'cli-progress';
import type { Progress } from './types.js';

/**
 * Progress of an import or compare on standard error: a bar per resource type on a terminal,
 * plain lines otherwise (CI logs, pipes), so standard output stays the YAML or JSON.
 */
export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): Progress & { stop(): void } {
  if (!stream.isTTY) return plainProgress(stream);
  const multi = new cliProgress.MultiBar(
    { stream, format: ' {resource} |{bar}| {value}/{total}', hideCursor: true, clearOnComplete: false, stopOnComplete: false, autopadding: true },
    cliProgress.Presets.shades_classic,
  );
  const bars = new Map<string, cliProgress.SingleBar>();
  const counts = new Map<string, number>();
  const bar = (resource: string, total?: number) => {
    let b = bars.get(resource);
    if (!b) {
      b = multi.create(total ?? 0, 0, { resource: resource.padEnd(22) });
      bars.set(resource, b);
    }
    return b;
  };
  return {
    start(resource, total) {
      counts.set(resource, 0);
      bar(resource, total);
    },
    advance(resource, n, total) {
      const v = (counts.get(resource) ?? 0) + n;
      counts.set(resource, v);
      const b = bar(resource, total);
      if (total !== undefined) b.setTotal(total);
      else if (v > b.getTotal()) b.setTotal(v);
      b.update(v);
    },
    done(resource) {
      const b = bar(resource);
      const v = counts.get(resource) ?? 0;
      b.setTotal(v);
      b.update(v);
    },
    stop() {
      multi.stop();
    },
  };
}

/** One line per resource type as it finishes, and a line every 500 objects of a long one. */
export function plainProgress(stream: NodeJS.WritableStream = process.stderr): Progress & { stop(): void } {
  const counts = new Map<string, number>();
  return {
    start(resource, total) {
      counts.set(resource, 0);
      stream.write(`reading ${resource}${total !== undefined ? ` (${total})` : ''}…\n`);
    },
    advance(resource, n) {
      const before = counts.get(resource) ?? 0;
      const v = before + n;
      counts.set(resource, v);
      if (Math.floor(v / 500) > Math.floor(before / 500)) stream.write(`  ${resource}: ${v}\n`);
    },
    done(resource) {
      stream.write(`  ${resource}: ${counts.get(resource) ?? 0} read\n`);
    },
    stop() {},
  };
}
