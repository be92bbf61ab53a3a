import type { ChildProcess } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
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

/** Peak RSS of another process in MiB, from the kernel's high-water mark. */
export async function peakRssOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = Number(status.match(/VmHWM:\s+(\d+)/)?.[1] ?? 0);
  return Math.round(kib / 1024);
}

/**
 * User and system CPU seconds from a `/proc/<pid>/stat` line, and those of its children that exited and
 * were waited for, and the process's command name.
 */
function parseStat(stat: string): { command: string; cpuSeconds: number; exitedChildrenCpuSeconds: number } {
  // Fields after the command name (which may hold spaces) start at `) `; utime, stime, cutime and cstime
  // are fields 14 to 17.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return {
    command: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
    cpuSeconds: (Number(fields[11]) + Number(fields[12])) / 100,
    exitedChildrenCpuSeconds: (Number(fields[13]) + Number(fields[14])) / 100,
  };
}

/** CPU seconds (user + system) a process has used so far, from the kernel's accounting. */
export async function cpuSecondsOf(pid: number): Promise<number> {
  return parseStat(await readFile(`/proc/${pid}/stat`, 'utf8')).cpuSeconds;
}

/**
 * CPU seconds used so far by every process with this command name (`postgres`: the server and all its
 * backends), counting those that have exited too: the server reaps its backends and autovacuum workers,
 * and the kernel adds their time to its children's total. (Live processes alone went backwards when a
 * busy backend exited between two readings.)
 */
export async function cpuSecondsOfCommand(command: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => undefined);
    if (!stat) continue;
    const parsed = parseStat(stat);
    if (parsed.command === command) total += parsed.cpuSeconds + parsed.exitedChildrenCpuSeconds;
  }
  return total;
}
