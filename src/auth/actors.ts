import { inArray } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { apiKeys, users } from '../db/schema.js';

/**
 * Display names for actor strings as `actorOf` writes them (`user:<id>`, `api_key:<id>`, `system`,
 * `seed`, …), so lists can say "Sam Lee" rather than `user:usr_01…`. Unknown or deleted ids keep their
 * actor string; two queries whatever the number of actors.
 */
export async function actorNames(db: Db, actors: readonly (string | null)[]): Promise<Map<string, string>> {
  const ids = { user: new Set<string>(), api_key: new Set<string>() };
  for (const actor of actors) {
    const [kind, id] = actor?.split(/:(.*)/s) ?? [];
    if ((kind === 'user' || kind === 'api_key') && id) ids[kind].add(id);
  }
  const [people, keys] = await Promise.all([
    ids.user.size
      ? db
          .select({ id: users.id, name: users.name })
          .from(users)
          .where(inArray(users.id, [...ids.user]))
      : [],
    ids.api_key.size
      ? db
          .select({ id: apiKeys.id, name: apiKeys.name })
          .from(apiKeys)
          .where(inArray(apiKeys.id, [...ids.api_key]))
      : [],
  ]);
  const names = new Map<string, string>([
    ['system', 'Candor'],
    ['seed', 'Demo seed'],
  ]);
  for (const person of people) names.set(`user:${person.id}`, person.name);
  for (const key of keys) names.set(`api_key:${key.id}`, `API key “${key.name}”`);
  return names;
}
