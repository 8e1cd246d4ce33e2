import { z } from 'zod';

/**
 * zod schemas for the parts of Slack payloads the bot reads. Everything a listener uses
 * goes through one of these first; a payload that does not match is answered harmlessly.
 */
const id = z.string().min(1).max(64);

export const slashCommandSchema = z.object({
  user_id: id,
  channel_id: id,
  text: z.string().max(4000).default(''),
  trigger_id: z.string().min(1).max(256),
  response_url: z.url().optional(),
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
      })
      .loose(),
  ),
);
export type StateValues = z.infer<typeof stateValuesSchema>;

export const viewPayloadSchema = z.object({
  id: id,
  hash: z.string().max(256).optional(),
  private_metadata: z.string().max(3000).default(''),
  state: z.object({ values: stateValuesSchema }).default({ values: {} }),
});

export const viewSubmissionSchema = z.object({
  user: z.object({ id }),
  view: viewPayloadSchema,
});

/** A button or select action in a message or view. */
export const blockActionSchema = z.object({
  user: z.object({ id }),
  actions: z
    .array(
      z.object({
        action_id: z.string().max(255),
        value: z.string().max(2000).optional(),
        selected_option: z.object({ value: z.string().max(150) }).nullish(),
      }),
    )
    .min(1),
  channel: z.object({ id }).optional(),
  container: z.object({ channel_id: id.optional(), message_ts: z.string().max(64).optional() }).loose().optional(),
  message: z.object({ ts: z.string().max(64), blocks: z.array(z.record(z.string(), z.unknown())).optional() }).loose().optional(),
  view: viewPayloadSchema.optional(),
  trigger_id: z.string().max(256).optional(),
});
export type BlockAction = z.infer<typeof blockActionSchema>;

/** app_home_opened: only the Home tab matters (the Messages tab opens the DM). */
export const appHomeOpenedSchema = z.object({
  user: z.string().regex(/^[UW][A-Z0-9]{1,20}$/),
  tab: z.string().max(32).optional(),
});

/** A message event (message.im / message.channels / message.groups). */
export const messageEventSchema = z.object({
  channel: id,
  ts: z.string().max(64),
  user: id.optional(),
  bot_id: z.string().max(64).optional(),
  subtype: z.string().max(64).optional(),
  text: z.string().max(100_000).optional(),
  thread_ts: z.string().max(64).optional(),
});
