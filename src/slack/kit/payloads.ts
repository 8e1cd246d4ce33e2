import { z } from 'zod';
import { containsSecret } from '../../domain/secrets.js';

/**
 * zod schemas for the parts of Slack payloads the bot reads. Everything a listener uses
 * goes through one of these first; a payload that does not match is answered harmlessly.
 */

/*
 * Ids that the bot passes back to Slack (users.info, views.open/update, chat.update) must
 * have Slack's shapes: a tampered id is refused here instead of being echoed to Slack,
 * written to Redis or rejected later by the store schema.
 */
/** A user id such as U0123ABCD (W for Enterprise Grid). */
export const userIdSchema = z.string().regex(/^[UW][A-Z0-9]{1,20}$/);
/** A conversation id: channel, private channel or DM. */
export const channelIdSchema = z.string().regex(/^[CGD][A-Z0-9]{1,20}$/);
export const viewIdSchema = z.string().regex(/^V[A-Z0-9]{1,20}$/);
/** trigger_id: digits, a dot, digits, a dot, hex. */
const triggerIdSchema = z.string().regex(/^\d{1,20}\.\d{1,20}\.[0-9a-f]{1,64}$/i);
/** Message timestamps: seconds, a dot, microseconds. */
const messageTsSchema = z.string().regex(/^\d{1,12}\.\d{1,8}$/);
/** Optional fields that are dropped (not refused) when malformed. */
export const dropInvalid = <T extends z.ZodType>(schema: T) => schema.optional().catch(undefined);
/** A response_url the bot may post to and carry in private_metadata. */
export const responseUrlSchema = z
  .url({ protocol: /^https?$/ })
  .max(1000)
  .refine((url) => !containsSecret(url));

export const slashCommandSchema = z.object({
  user_id: userIdSchema,
  channel_id: dropInvalid(channelIdSchema),
  text: z.string().max(4000).default(''),
  trigger_id: triggerIdSchema,
  response_url: dropInvalid(responseUrlSchema),
});

export const stateValuesSchema = z.record(
  z.string().max(255),
  z.record(
    z.string().max(255),
    z
      .object({
        type: z.string().optional(),
        value: z.string().nullish(),
        selected_date: z.string().nullish(),
        selected_option: z.object({ value: z.string() }).nullish(),
        selected_options: z.array(z.object({ value: z.string() }).nullish()).nullish(),
        selected_users: z.array(z.string().max(32)).max(50).nullish(),
        selected_conversation: z.string().max(32).nullish(),
      })
      .loose(),
  ),
);
export type StateValues = z.infer<typeof stateValuesSchema>;

export const viewPayloadSchema = z.object({
  id: viewIdSchema,
  hash: dropInvalid(z.string().regex(/^\d{1,20}\.[A-Za-z0-9]{1,64}$/)),
  private_metadata: z.string().max(3000).default(''),
  state: z.object({ values: stateValuesSchema }).default({ values: {} }),
  /** The bottom of the view stack (the view itself when it was opened, not pushed). */
  root_view_id: dropInvalid(viewIdSchema),
});

export const viewSubmissionSchema = z.object({
  user: z.object({ id: userIdSchema }),
  view: viewPayloadSchema,
});

/** A button or select action in a message or view. */
export const blockActionSchema = z.object({
  user: z.object({ id: userIdSchema }),
  actions: z
    .array(
      z.object({
        action_id: z.string().max(255),
        value: z.string().max(2000).optional(),
        selected_option: z.object({ value: z.string().max(150) }).nullish(),
      }),
    )
    .min(1),
  channel: dropInvalid(z.object({ id: channelIdSchema })),
  container: dropInvalid(z.object({ channel_id: dropInvalid(channelIdSchema), message_ts: dropInvalid(messageTsSchema) }).loose()),
  // The message's blocks are not read: anything shown again is rebuilt from the stored record.
  message: dropInvalid(z.object({ ts: messageTsSchema }).loose()),
  view: viewPayloadSchema.optional(),
  trigger_id: dropInvalid(triggerIdSchema),
});
export type BlockAction = z.infer<typeof blockActionSchema>;

/** app_home_opened: only the Home tab matters (the Messages tab opens the DM). */
export const appHomeOpenedSchema = z.object({
  user: userIdSchema,
  tab: z.string().max(32).optional(),
});

/** A message event (message.im / message.channels / message.groups). */
export const messageEventSchema = z.object({
  channel: channelIdSchema,
  ts: messageTsSchema,
  user: userIdSchema.optional(),
  bot_id: z.string().max(64).optional(),
  subtype: z.string().max(64).optional(),
  text: z.string().max(100_000).optional(),
  thread_ts: messageTsSchema.optional(),
});

/**
 * Parses a modal's private_metadata (JSON written by the bot) with `schema`; undefined when
 * it is missing, not JSON or not what the bot wrote (a tampered payload).
 */
export function parseMetadata<T>(schema: z.ZodType<T>, raw: string): T | undefined {
  try {
    const parsed = schema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
