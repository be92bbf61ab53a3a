import { z } from 'zod';
import { roles, scopes } from './principal.js';

/** Names end up in e-mail headers (`From: "Name" <…>`); a CR/LF there would let a value inject headers. */
const headerSafe = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((value) => !/[\r\n]/.test(value), { message: 'must not contain line breaks' });

const email = z
  .email()
  .max(254)
  .transform((value) => value.toLowerCase());

export const MIN_PASSWORD_LENGTH = 10;

export const senderSchema = z.object({
  name: headerSafe(200),
  email,
  title: headerSafe(200),
  signature: z.string().max(2_000).optional(),
});

export const createUserBodySchema = z.object({
  email,
  name: headerSafe(200),
  role: z.enum(roles),
  password: z.string().min(MIN_PASSWORD_LENGTH).max(1_024),
  sender: senderSchema.optional(),
});
export type CreateUserBody = z.infer<typeof createUserBodySchema>;

export const userSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.enum(roles),
  sender: z
    .object({ name: z.string(), email: z.string(), title: z.string(), signature: z.string().optional() })
    .nullable(),
  created_at: z.string(),
  disabled_at: z.string().nullable(),
});

export const createApiKeyBodySchema = z.object({
  name: headerSafe(200),
  scopes: z.array(z.enum(scopes)).min(1).max(scopes.length),
});

export const apiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  scopes: z.array(z.enum(scopes)),
  created_by: z.string().nullable(),
  created_at: z.string(),
  last_used_at: z.string().nullable(),
  revoked_at: z.string().nullable(),
});

export const createdApiKeySchema = apiKeySchema.extend({
  /** The only time the key is ever shown. */
  key: z.string(),
});

export const loginBodySchema = z.object({
  email: z
    .string()
    .trim()
    .min(1)
    .max(254)
    .transform((value) => value.toLowerCase()),
  password: z.string().min(1).max(1_024),
});

export const sessionSchema = z.object({
  user: z.object({ id: z.string(), email: z.string(), role: z.enum(roles), name: z.string() }),
  csrf_token: z.string(),
});
