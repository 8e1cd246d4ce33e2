import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { LogCapture } from '../support/test-bot.js';

describe('logger', () => {
  it('redacts token-like values wherever they appear', () => {
    const capture = new LogCapture();
    const logger = createLogger({ level: 'info', destination: capture });
    const secret = `ATATT3xFfGF0${'A1b2C3d4'.repeat(6)}`;
    const slack = `${'xoxb'}-000000000000-fakefakefake`; // built at run time: no token-shaped literal in the repo
    logger.info({ nested: { text: `pasted ${secret} here`, list: [slack] } }, `message with ${secret}`);
    logger.error({ err: new Error(`boom ${secret}`) }, 'failed');
    expect(capture.lines).toHaveLength(2);
    expect(capture.text).not.toContain(secret);
    expect(capture.text).not.toContain(slack);
    expect(capture.text).toContain('[REDACTED]');
    expect(JSON.parse(capture.lines[0]!).msg).toBe('message with [REDACTED]');
  });

  it('redacts the Atlassian admin API key field and an authorization header', () => {
    const capture = new LogCapture();
    const logger = createLogger({ level: 'info', destination: capture });
    const key = 'admin-key-that-looks-like-nothing-special';
    logger.info({ apiKey: key }, 'top level');
    logger.info({ orgSync: { apiKey: key } }, 'nested');
    logger.info({ config: { orgSync: { apiKey: key } } }, 'deeper');
    logger.info({ request: { headers: { authorization: `Bearer ${key}` } } }, 'headers');
    expect(capture.lines).toHaveLength(4);
    expect(capture.text).not.toContain(key);
  });
});
