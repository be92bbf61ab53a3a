import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect } from 'vitest';
import { buildApp } from '../../src/app.js';
import type { Driver } from './database.js';
import { createTestDeps, type TestDeps } from './deps.js';
import { auth, BOOTSTRAP_KEY, incidentEvent, seedAudience } from './fixtures.js';

export interface TestApp {
  deps: TestDeps;
  app: FastifyInstance;
}

/**
 * The whole app on `driver` for one describe block, authorised by the bootstrap key (no hold window
 * unless `env` sets one, as in every test deps), optionally over `seedAudience`'s customers; started
 * before the block's tests and closed after them. Read the fields inside tests: they are set once
 * `beforeAll` has run.
 */
export function useTestApp(
  driver: Driver,
  options: { env?: Record<string, string>; seedAudience?: boolean } = {},
): TestApp {
  const context = {} as TestApp;
  beforeAll(async () => {
    context.deps = await createTestDeps(driver, {
      env: { CANDOR_BOOTSTRAP_API_KEY: BOOTSTRAP_KEY, ...options.env },
    });
    context.app = await buildApp(context.deps);
    if (options.seedAudience) await seedAudience(context.app);
  });
  afterAll(async () => {
    await context.app?.close();
    await context.deps?.close();
  });
  return context;
}

/** A long hold window: nothing is sent while tests look at what an event planned. */
export const HELD = { CANDOR_NOTICE_HOLD_SECONDS: '600' };

/** Posts an event opening a fresh incident on helpdesk (Northwind's two contacts); returns the notice it plans. */
export async function postNotice(app: FastifyInstance, ref: string): Promise<string> {
  const response = await app.inject({
    method: 'POST',
    url: '/v1/events',
    headers: auth,
    payload: incidentEvent({ incident: { ref, components: ['helpdesk'] } }),
  });
  expect(response.statusCode).toBe(202);
  return response.json().communications[0].id;
}
