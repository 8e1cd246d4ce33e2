import { z } from 'zod';

/**
 * The Slack app manifest fields this bot uses, with the limits of Slack's published
 * manifest schema (slackapi/manifest-schema, schemas/manifest.schema.1.0.0.json): strict
 * objects reject unknown or misspelt keys as the schema's additionalProperties: false does.
 */
const url = z
  .string()
  .regex(/^https?:\/\//)
  .max(3000);

export const manifestSchema = z.strictObject({
  _metadata: z.strictObject({ major_version: z.number().int(), minor_version: z.number().int() }).optional(),
  display_information: z.strictObject({
    name: z.string().min(1).max(35),
    description: z.string().min(1).max(140).optional(),
    background_color: z
      .string()
      .regex(/^#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$/)
      .optional(),
    long_description: z.string().min(175).max(4000).optional(),
  }),
  features: z.strictObject({
    app_home: z.strictObject({
      home_tab_enabled: z.boolean(),
      messages_tab_enabled: z.boolean(),
      messages_tab_read_only_enabled: z.boolean(),
    }),
    bot_user: z.strictObject({ display_name: z.string().min(1).max(80), always_online: z.boolean().optional() }),
    slash_commands: z
      .array(
        z.strictObject({
          command: z.string().min(2).max(32).regex(/^\//),
          url: url.optional(),
          description: z.string().min(1).max(2000),
          usage_hint: z.string().min(1).max(1000).optional(),
          should_escape: z.boolean().optional(),
        }),
      )
      .min(1)
      .max(50),
  }),
  oauth_config: z.strictObject({
    scopes: z.strictObject({ bot: z.array(z.string().max(50)).max(255), user: z.array(z.string().max(50)).max(255).optional() }),
  }),
  settings: z.strictObject({
    event_subscriptions: z
      .strictObject({
        request_url: z
          .string()
          .regex(/^https?:\/\//)
          .max(3500)
          .optional(),
        bot_events: z.array(z.string().max(50)).max(100),
      })
      .optional(),
    interactivity: z.strictObject({ is_enabled: z.boolean(), request_url: url.optional() }).optional(),
    org_deploy_enabled: z.boolean().optional(),
    socket_mode_enabled: z.boolean().optional(),
    token_rotation_enabled: z.boolean().optional(),
  }),
});

export type Manifest = z.infer<typeof manifestSchema>;

/** The bot scope each event needs (Slack's Events API reference); null = none. */
export const EVENT_SCOPES: Record<string, string | null> = {
  app_home_opened: null,
  'message.im': 'im:history',
  'message.channels': 'channels:history',
  'message.groups': 'groups:history',
  'message.mpim': 'mpim:history',
  app_mention: 'app_mentions:read',
};

/**
 * The Socket Mode variant of the HTTP manifest: socket_mode_enabled on and every request
 * URL removed (Slack delivers commands, interactions and events over the WebSocket).
 * manifest.socket-mode.json must equal this.
 */
export function toSocketModeManifest(http: Manifest): Manifest {
  const copy = structuredClone(http);
  for (const command of copy.features.slash_commands) delete command.url;
  if (copy.settings.interactivity) delete copy.settings.interactivity.request_url;
  if (copy.settings.event_subscriptions) delete copy.settings.event_subscriptions.request_url;
  copy.settings.socket_mode_enabled = true;
  return copy;
}
