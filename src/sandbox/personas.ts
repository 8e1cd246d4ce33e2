import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/**
 * The sandbox's people and channels, from personas.json beside this file (edit it to try other
 * time zones or roles). Roles: `approver` may decide flagged requests, `admin` sees the
 * organisation on the App Home, `requester` is who the page acts as first.
 */
const userId = z.string().regex(/^U[A-Z0-9]{2,20}$/, 'must be a Slack user id such as U0RIYA');
const channel = z.object({
  id: z.string().regex(/^C[A-Z0-9]{2,20}$/, 'must be a channel id such as C0GENERAL'),
  name: z.string().min(1).max(80),
});
const timeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone such as Europe/Berlin');

const personasSchema = z.object({
  workspace: z.string().min(1).max(80),
  channels: z.object({ general: channel, approvals: channel }),
  users: z
    .array(
      z.object({
        id: userId,
        name: z.string().regex(/^[a-z0-9._-]{1,40}$/, 'must be a lower-case handle'),
        realName: z.string().min(1).max(80),
        tz: timeZone,
        roles: z.array(z.enum(['requester', 'approver', 'admin'])).default([]),
      }),
    )
    .min(1)
    .refine((users) => new Set(users.map((u) => u.id)).size === users.length, 'user ids must be unique'),
});

export type Personas = z.output<typeof personasSchema>;
export type Persona = Personas['users'][number];

export const PERSONAS_FILE = fileURLToPath(new URL('./personas.json', import.meta.url));

/** Reads and checks the personas file; a bad file stops the sandbox with the offending fields. */
export function loadPersonas(file: string = PERSONAS_FILE): Personas {
  const parsed = personasSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'file'} ${i.message}`);
    throw new Error(`Invalid sandbox personas in ${file}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  return parsed.data;
}

/** Who the page acts as first: the first requester, else the first user. */
export function firstPersona(personas: Personas): Persona {
  return personas.users.find((u) => u.roles.includes('requester')) ?? personas.users[0]!;
}
