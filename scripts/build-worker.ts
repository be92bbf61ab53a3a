import { cp } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(root, 'dist', 'worker');
export const workerBundle = path.join(outdir, 'worker.js');

/**
 * Compiles the worker to one ESM file, `dist/worker/worker.js`, its packages left in node_modules.
 * `npm run start:worker` runs this rather than TypeScript through tsx: tsx's loader runs in a thread of
 * its own, ~25 MiB of RSS in a process held under 300 MB, and that memory buys the worker 16 MB
 * young-generation semi-spaces, ~5% more e-mails/s (BENCHMARKS.md, Send). The migrations go beside
 * the bundle, where the database client looks for them (next to its own module).
 */
export async function buildWorker(): Promise<string> {
  await build({
    entryPoints: [path.join(root, 'src/worker.ts')],
    outfile: workerBundle,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: true,
    logLevel: 'warning',
  });
  await cp(path.join(root, 'src/db/migrations'), path.join(outdir, 'migrations'), { recursive: true });
  return workerBundle;
}

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) await buildWorker();
