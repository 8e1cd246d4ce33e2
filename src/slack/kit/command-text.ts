import { containsSecret } from '../../domain/secrets.js';

/**
 * What `/bitbucket-token <text>` asks for, read from its text alone (pure). One reading for the
 * command's listener and for the receiver's overload answer (src/http/shed.ts), which must agree
 * on which commands open a modal and must never echo a pasted secret.
 */
export type CommandIntent =
  /** The text looks like a token: warn, never echo it. */
  | { kind: 'secret' }
  | { kind: 'help' }
  /** `scopes <calls>`: the API calls as typed (may be empty). */
  | { kind: 'scopes'; calls: string }
  | { kind: 'list' }
  /** Opens the record modal. */
  | { kind: 'record' }
  /** Opens the request modal, pre-filled from the text (an integration name, or nothing). */
  | { kind: 'request' };

/** `text` is the command's text, trimmed. */
export function readCommandText(text: string): CommandIntent {
  if (containsSecret(text)) return { kind: 'secret' };
  if (/^(help|\?)$/i.test(text)) return { kind: 'help' };
  const scopes = /^scopes(?:\s+([\s\S]*))?$/i.exec(text);
  if (scopes) return { kind: 'scopes', calls: scopes[1] ?? '' };
  if (/^record$/i.test(text)) return { kind: 'record' };
  if (/^list$/i.test(text)) return { kind: 'list' };
  return { kind: 'request' };
}

/** True for the commands that open a modal, i.e. need a fresh trigger_id. */
export function opensModal(intent: CommandIntent): boolean {
  return intent.kind === 'record' || intent.kind === 'request';
}
