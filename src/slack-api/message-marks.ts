import type { WebClient } from '@slack/web-api';

/**
 * Slack's chat.postMessage has no idempotency key. When a post may or may not have reached
 * Slack (the process died, the call timed out), the bot finds out by looking for it: each
 * such message carries a mark in its message metadata (event type plus one key), and a retry
 * reads the conversation's recent history for that mark before posting again. Reading needs
 * im:history (DMs) or channels:history / groups:history, which the leak guard asks for anyway.
 */
export interface MessageMark {
  event_type: string;
  event_payload: Record<string, string>;
}

/** How far before the first attempt a marked message is looked for (clock skew with Slack). */
const SKEW_MS = 60_000;

/**
 * True when a message with `mark` was posted in `where` (a channel id, or a user id whose DM
 * is opened first) at or after `sinceMs`. Throws when Slack cannot be asked.
 */
export async function hasMarkedMessage(client: WebClient, where: string, mark: MessageMark, sinceMs: number): Promise<boolean> {
  return (await findMarkedMessage(client, where, mark, sinceMs)) !== undefined;
}

/** Like {@link hasMarkedMessage}, with where the message is: its conversation and ts. */
export async function findMarkedMessage(
  client: WebClient,
  where: string,
  mark: MessageMark,
  sinceMs: number,
): Promise<{ channel: string; ts: string } | undefined> {
  const channel = /^[UW]/.test(where) ? (await client.conversations.open({ users: where })).channel?.id : where;
  if (!channel) return undefined;
  const page = await client.conversations.history({
    channel,
    oldest: String((sinceMs - SKEW_MS) / 1000),
    include_all_metadata: true,
    limit: 200,
  });
  const found = (page.messages ?? []).find((m) => {
    const meta = (m as { metadata?: { event_type?: string; event_payload?: Record<string, unknown> } }).metadata;
    return meta?.event_type === mark.event_type && Object.entries(mark.event_payload).every(([k, v]) => meta.event_payload?.[k] === v);
  });
  return found?.ts ? { channel, ts: found.ts } : undefined;
}
