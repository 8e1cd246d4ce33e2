import type { WebClient } from '@slack/web-api';
import { buildBusyMessage, type Message } from '../../blocks/messages.js';
import type { Clock } from '../../clock.js';
import type { Logger } from '../../logger.js';
import { openOrSayBusy } from './trigger-age.js';
import { blockActionSchema } from './payloads.js';
import { createReply, type Reply } from './respond.js';
import type { ActionArgs } from './args.js';

/** A validated press of a button that carries a record id, with its record loaded. */
export interface ButtonPress<R> {
  record: R;
  userId: string;
  triggerId?: string;
  /** Where the pressed message is, when it is a message (not a view). */
  channel?: string;
  ts?: string;
  client: WebClient;
  /** Answers the presser ephemerally. */
  reply: Reply;
  /**
   * Opens a modal with the press's trigger_id and the modal client (`open` gets both; see
   * src/slack-api/clients.ts) and resolves with what `open` returns; when the press came too late
   * for the trigger (overload) or Slack refuses it, the presser is told "busy, try again" instead
   * and it resolves undefined.
   */
  openModal<T>(open: (triggerId: string, modalClient: WebClient) => Promise<T>): Promise<T | undefined>;
}

/**
 * One button whose value is a record id (a request or a token). The listener skeleton is always
 * the same: ack → validate the payload → load the record → check who is pressing → act (a
 * compare-and-set in the store, so a double click or a redelivery changes nothing twice) →
 * answer. Only `refuse` and `act` differ between buttons.
 */
export interface RecordButton<R> {
  /** The shape of the id the button carries (TOKEN_ID, REQUEST_ID): anything else is tampered. */
  idPattern: RegExp;
  load(id: string): Promise<R | undefined>;
  /** Said when the value is not a valid id, and when no record has it. */
  invalidText: string;
  missingText: string;
  /** Undefined when `userId` may press; otherwise what to tell them. Nothing changes then. */
  refuse(record: R, userId: string): string | Message | undefined | Promise<string | Message | undefined>;
  act(press: ButtonPress<R>): Promise<void>;
}

/** The Bolt listener for a {@link RecordButton}. */
export function createRecordButtonListener<R>(deps: { logger: Logger; wallClock: Clock; modalClient: WebClient }, button: RecordButton<R>) {
  const { logger } = deps;
  return async ({ ack, body, client, respond, context }: ActionArgs): Promise<void> => {
    await ack();
    const reply = createReply(respond, logger);
    const parsed = blockActionSchema.safeParse(body);
    const id = parsed.success ? parsed.data.actions[0]?.value : undefined;
    if (!parsed.success || !id || !button.idPattern.test(id)) return reply(button.invalidText);
    const record = await button.load(id);
    if (!record) return reply(button.missingText);
    const userId = parsed.data.user.id;
    const refused = await button.refuse(record, userId);
    if (refused) return reply(refused);
    const { data } = parsed;
    const triggerId = data.trigger_id;
    const openModal = async <T>(open: (trigger: string, modalClient: WebClient) => Promise<T>): Promise<T | undefined> => {
      if (!triggerId) {
        await reply(button.invalidText);
        return undefined;
      }
      let opened: T | undefined;
      const outcome = await openOrSayBusy(
        async () => {
          opened = await open(triggerId, deps.modalClient);
        },
        { context, wallClock: deps.wallClock, logger, busy: () => reply(buildBusyMessage()) },
      );
      return outcome === 'opened' ? opened : undefined;
    };
    await button.act({
      record,
      userId,
      triggerId: data.trigger_id,
      channel: data.channel?.id ?? data.container?.channel_id,
      ts: data.message?.ts ?? data.container?.message_ts,
      client,
      reply,
      openModal,
    });
  };
}
