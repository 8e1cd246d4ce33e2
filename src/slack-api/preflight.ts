import { ErrorCode, LogLevel, WebClient } from '@slack/web-api';
import { StartupError } from '../errors.js';

const REJECTED_TOKEN = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired', 'not_allowed_token_type']);

/**
 * Checks the bot token with auth.test before Bolt starts, with a short retry budget: by
 * default the Web API client retries for about 30 minutes, which would leave the bot silent
 * and not listening when Slack is unreachable or the token is wrong.
 */
export async function verifySlackAuth(botToken: string, apiUrl: string): Promise<{ botUserId?: string; team?: string }> {
  const client = new WebClient(botToken, {
    slackApiUrl: apiUrl,
    timeout: 5000,
    retryConfig: { retries: 2, factor: 2, minTimeout: 500, maxTimeout: 2000 },
    logLevel: LogLevel.ERROR,
  });
  try {
    const res = await client.auth.test();
    return { botUserId: res.user_id, team: res.team };
  } catch (err) {
    const e = err as { code?: string; data?: { error?: string }; original?: Error; message: string };
    if (e.code === ErrorCode.PlatformError && REJECTED_TOKEN.has(e.data?.error ?? '')) {
      throw new StartupError(
        `Slack rejected SLACK_BOT_TOKEN (${e.data?.error}). Copy the Bot User OAuth Token (xoxb-...) from your app's ` +
          '"OAuth & Permissions" page into SLACK_BOT_TOKEN; reinstall the app if the token was revoked.',
      );
    }
    if (e.code === ErrorCode.PlatformError) {
      throw new StartupError(`Slack refused auth.test (${e.data?.error}); check SLACK_BOT_TOKEN and SLACK_API_URL.`);
    }
    const cause = e.original?.message ?? e.message;
    throw new StartupError(`Cannot reach Slack at ${apiUrl} (${cause}). Check the network, proxy settings and SLACK_API_URL.`);
  }
}
