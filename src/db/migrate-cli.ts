import path from 'node:path';
import { loadConfigOrExit } from '../boot.js';
import { openDatabase } from './client.js';

// `npm run db:migrate`: applies pending migrations and exits. Every process also migrates at start;
// this is for deploy pipelines that want the schema ready before new replicas roll out.
const config = loadConfigOrExit({});
const started = Date.now();
const database = await openDatabase({
  databaseUrl: config.databaseUrl,
  pgliteDir: config.databaseUrl ? undefined : path.join(config.dataDir, 'pglite'),
});
await database.close();
console.log(
  `Migrations applied to ${config.databaseUrl ? 'PostgreSQL' : `${config.dataDir}/pglite`} in ${Date.now() - started} ms.`,
);
