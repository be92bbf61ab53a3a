import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { newId } from '../../src/db/ids.js';
import { incidents, suppressions } from '../../src/db/schema.js';
import type { Driver } from './database.js';
import { createTestDeps, type TestDeps } from './deps.js';
import { BOOTSTRAP_KEY, seedAudience } from './fixtures.js';

export interface AudienceApp {
  deps: TestDeps;
  app: FastifyInstance;
  /** An open incident in us on helpdesk+api: Northwind and Globex are affected. */
  incidentId: string;
  close(): Promise<void>;
}

/**
 * An app over `seedAudience`'s four customers, with one open incident and Globex's only contact
 * (it@globex.example) suppressed after a bounce: every audience count has an affected, an unaffected
 * and a suppressed part.
 */
export async function startAudienceApp(driver: Driver): Promise<AudienceApp> {
  const deps = await createTestDeps(driver, { env: { CANDOR_BOOTSTRAP_API_KEY: BOOTSTRAP_KEY } });
  let app: FastifyInstance | undefined;
  try {
    app = await buildApp(deps);
    await seedAudience(app);
    const incidentId = newId('inc');
    await deps.database.db.insert(incidents).values({
      id: incidentId,
      source: 'test',
      ref: 'db-freeze',
      title: 'Errors loading the help desk',
      severity: 'major',
      status: 'investigating',
      regions: ['us'],
      components: ['helpdesk', 'api'],
      startedAt: new Date(),
    });
    await deps.database.db
      .insert(suppressions)
      .values({ email: 'it@globex.example', reason: 'bounce', source: 'test', details: { code: 550 } });
    return {
      deps,
      app,
      incidentId,
      close: async () => {
        await app?.close();
        await deps.close();
      },
    };
  } catch (error) {
    // The caller's afterAll gets nothing to close: clean up here.
    await app?.close();
    await deps.close();
    throw error;
  }
}
