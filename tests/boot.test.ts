import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

function start(entry: string, env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const waitFor = (pattern: RegExp, timeoutMs = 30_000) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out waiting for ${pattern}; output:\n${output}`)),
        timeoutMs,
      );
      const check = () => {
        const match = output.match(pattern);
        if (match) {
          clearTimeout(timer);
          child.stdout.off('data', check);
          resolve(match[0]);
        }
      };
      child.stdout.on('data', check);
      check();
    });
  return { child, exited, waitFor, output: () => output };
}

describe('process entry points', () => {
  it('stops at boot with one line per bad variable', async () => {
    const run = start('src/main.ts', { PORT: 'eighty', CANDOR_TRANSPORT: 'pigeon' });
    expect(await run.exited).toBe(1);
    expect(run.output()).toMatch(/Invalid configuration:\n {2}PORT: .*\n {2}CANDOR_TRANSPORT: .*/);
  });

  it('serves, then shuts down gracefully on SIGTERM', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'candor-boot-'));
    dirs.push(dir);
    const run = start('src/main.ts', {
      CANDOR_DATA_DIR: dir,
      PORT: '0',
      CANDOR_SEED: 'false',
      REDIS_URL: inject('redisUrl'),
      LOG_LEVEL: 'info',
    });
    const url = (await run.waitFor(/Candor is running at http:\/\/localhost:\d+/)).split(' ').pop()!;
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(run.output()).toMatch(/shutting down/);
  }, 60_000);
});
