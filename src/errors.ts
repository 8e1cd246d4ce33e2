/**
 * A start-up failure whose message says what to do (bad token, Slack unreachable, no
 * redis-server): main.ts prints the message alone, without a stack trace.
 */
export class StartupError extends Error {
  readonly code: string = 'startup_failed';
}
