import type { ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { throwawayPostgres } from '../tests/support/database.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** Peak resident set size of this process so far, in MiB (`maxRSS` is in KiB and never goes down). */
export const peakRssMiB = (): number => Math.round(process.resourceUsage().maxRSS / 1024);

/** Writes `bench/results/<name>-<timestamp>.json` and returns its path. */
export async function writeResult(name: string, result: unknown): Promise<string> {
  const dir = path.join(here, 'results');
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}

/** A throwaway PostgreSQL database for one benchmark run (the tests' helper, with a bench prefix). */
export const throwawayDatabase = (serverUrl: string, prefix = 'candor_bench') =>
  throwawayPostgres(serverUrl, { prefix, maxConnections: 4 });

/** The 1, 5 and 15 minute load averages, recorded beside every figure: other work shares this machine. */
export const loadAverage = (): number[] => os.loadavg().map((n) => Math.round(n * 100) / 100);

/** SIGTERM, up to `graceMs` for a clean exit, then SIGKILL: nothing a run started may outlive it. */
export async function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, graceMs))]);
  }
  child.kill('SIGKILL');
}
