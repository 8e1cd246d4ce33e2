/** Small Block Kit helpers shared by the builders. Pure. */
export type Block = Record<string, unknown>;

export const plain = (text: string) => ({ type: 'plain_text' as const, text, emoji: true });
export const mrkdwn = (text: string) => ({ type: 'mrkdwn' as const, text });

/** Cuts text to `max` characters, ending in an ellipsis when cut. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

export const section = (text: string, blockId?: string): Block => ({
  type: 'section',
  ...(blockId ? { block_id: blockId } : {}),
  text: mrkdwn(truncate(text, 3000)),
});

export const context = (text: string, blockId?: string): Block => ({
  type: 'context',
  ...(blockId ? { block_id: blockId } : {}),
  elements: [mrkdwn(truncate(text, 3000))],
});

export const header = (text: string): Block => ({ type: 'header', text: plain(truncate(text, 150)) });

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export const escapeMrkdwn = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
