import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { migrationsFolder } from '../../src/db/client.js';

/** Runs one migration file the way drizzle's migrator does: statement by statement. */
export async function applyMigration(db: PGlite, file: string) {
  const text = readFileSync(path.join(migrationsFolder, file), 'utf8');
  for (const statement of text.split('--> statement-breakpoint')) await db.exec(statement);
}

/** Applies every migration before the one numbered `number` (e.g. `'0005'`), and returns that one's file. */
export async function migrateUpTo(db: PGlite, number: string): Promise<string> {
  const files = readdirSync(migrationsFolder)
    .filter((f) => f.endsWith('.sql'))
    .sort();
  const target = files.find((f) => f.startsWith(`${number}_`));
  if (!target) throw new Error(`no migration ${number}`);
  for (const file of files.filter((f) => f < target)) await applyMigration(db, file);
  return target;
}
