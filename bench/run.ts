import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `npm run bench` runs every benchmark in this folder; `npm run bench -- <name>` runs one.
 * Each benchmark is `bench/<name>.ts` exporting `run()`, which prints a table and writes JSON to
 * `bench/results/`.
 */
const here = path.dirname(fileURLToPath(import.meta.url));
const available = (await readdir(here))
  .filter((f) => f.endsWith('.ts') && !['run.ts', 'lib.ts'].includes(f))
  .map((f) => f.slice(0, -3))
  .sort();
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = wanted.filter((name) => !available.includes(name));
if (unknown.length > 0) {
  console.error(`Unknown benchmark(s): ${unknown.join(', ')}. Available: ${available.join(', ') || 'none'}.`);
  process.exit(2);
}
for (const name of wanted.length > 0 ? wanted : available) {
  const module = (await import(path.join(here, `${name}.ts`))) as { run?: () => Promise<unknown> };
  if (typeof module.run !== 'function') {
    console.error(`bench/${name}.ts does not export run()`);
    process.exit(2);
  }
  console.log(`\n== ${name} ==`);
  await module.run();
}
