import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { redisAnswers } from '../../src/redis/local-server.js';
import { freePort } from './net.js';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

let child: ChildProcess | undefined;
let dir: string | undefined;

/** Uses REDIS_URL when it answers; otherwise starts a throwaway redis-server on a free port. */
export default async function setup(project: TestProject) {
  const configured = process.env.REDIS_URL;
  if (configured && (await redisAnswers(configured))) {
    project.provide('redisUrl', configured);
    return;
  }
  const port = await freePort();
  dir = await mkdtemp(path.join(os.tmpdir(), 'candor-test-redis-'));
  child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--maxmemory-policy',
      'noeviction',
      '--dir',
      dir,
    ],
    { stdio: 'ignore' },
  );
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 100 && !(await redisAnswers(url)); i++) await new Promise((r) => setTimeout(r, 50));
  if (!(await redisAnswers(url)))
    throw new Error('could not start redis-server for the tests; install it or set REDIS_URL');
  project.provide('redisUrl', url);
  return async () => {
    child?.kill('SIGTERM');
    if (dir) await rm(dir, { recursive: true, force: true });
  };
}
