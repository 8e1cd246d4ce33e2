import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebClient } from '@slack/web-api';
import { postJson, slackFetch, slackFetchWithin } from '../../../src/slack-api/http.js';

/** A local HTTP server answering by path, recording what it was sent. */
let server: Server;
let base: string;
const seen: Array<{ path: string; headers: IncomingMessage['headers']; body: string }> = [];

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      seen.push({ path: req.url ?? '', headers: req.headers, body });
      if (req.url === '/api/chat.postMessage') {
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'x-oauth-scopes': 'chat:write,users:read' });
        res.end(JSON.stringify({ ok: true, channel: 'D1', ts: '1.000001', echoed: body }));
      } else if (req.url === '/api/redirect') {
        res.writeHead(302, { location: '/api/chat.postMessage' });
        res.end();
      } else if (req.url === '/api/rate-limited') {
        res.writeHead(429, { 'retry-after': '7' });
        res.end('slow down');
      } else if (req.url === '/api/slow') {
        setTimeout(() => res.end('{"ok":true}'), 2000);
      } else {
        res.writeHead(404, { 'x-slack-req-id': 'r1' });
        res.end('no such method');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('slackFetch', () => {
  it('carries a Web API call through WebClient: the form body and token go out, the answer and its scopes come back', async () => {
    const client = new WebClient('xoxb-test', { slackApiUrl: `${base}/api/`, fetch: slackFetch, retryConfig: { retries: 0 } });
    const res = await client.chat.postMessage({ channel: 'U1', text: 'hello & goodbye' });
    expect(res.ok).toBe(true);
    expect(res['ts']).toBe('1.000001');
    expect(res.response_metadata?.scopes).toEqual(['chat:write', 'users:read']);
    const call = seen.find((s) => s.path === '/api/chat.postMessage' && s.body.includes('goodbye'));
    expect(call?.headers['authorization']).toBe('Bearer xoxb-test');
    expect(new URLSearchParams(call?.body).get('text')).toBe('hello & goodbye');
  });

  it('hands WebClient a 429 with its Retry-After, which it surfaces as a rate limit', async () => {
    const client = new WebClient('xoxb-test', {
      slackApiUrl: `${base}/api/`,
      fetch: slackFetch,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
    });
    await expect(client.apiCall('rate-limited')).rejects.toMatchObject({ code: 'slack_webapi_rate_limited_error', retryAfter: 7 });
  });

  it('answers a non-200 with its status, headers and body', async () => {
    const res = await slackFetch(`${base}/api/unknown`, { method: 'POST', body: 'a=1' });
    expect(res.status).toBe(404);
    expect(res.statusText).toBe('Not Found');
    expect(res.ok).toBe(false);
    expect(await res.text()).toBe('no such method');
    expect(Object.fromEntries(res.headers.entries())['x-slack-req-id']).toBe('r1');
    expect(res.headers.get('X-Slack-Req-Id')).toBe('r1');
  });

  it('refuses a redirect when asked to, as fetch does', async () => {
    await expect(slackFetch(`${base}/api/redirect`, { method: 'POST', body: '', redirect: 'error' })).rejects.toThrow(/redirect/);
  });

  it('gives up on a call that outlasts its limit, as WebClient did with its own timeout', async () => {
    const client = new WebClient('xoxb-test', {
      slackApiUrl: `${base}/api/`,
      fetch: slackFetchWithin(100),
      timeout: 0,
      retryConfig: { retries: 0 },
    });
    const started = Date.now();
    await expect(client.apiCall('slow')).rejects.toMatchObject({ code: 'slack_webapi_request_error' });
    expect(Date.now() - started).toBeLessThan(1500);
    // Within the limit, the answer comes back.
    expect((await slackFetchWithin(1000)(`${base}/api/unknown`, { method: 'POST', body: '' })).status).toBe(404);
  });

  it("gives up when the caller's signal aborts", async () => {
    await expect(slackFetch(`${base}/api/slow`, { method: 'POST', body: '', signal: AbortSignal.timeout(100) })).rejects.toThrow();
  });
});

describe('postJson', () => {
  it('posts JSON and resolves with the status', async () => {
    expect(await postJson(`${base}/api/chat.postMessage`, { text: 'done' }, 1000)).toBe(200);
    const call = seen.filter((s) => s.path === '/api/chat.postMessage').at(-1);
    expect(call?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(call?.body ?? '')).toEqual({ text: 'done' });
    expect(await postJson(`${base}/nowhere`, {}, 1000)).toBe(404);
  });

  it('gives up after its limit', async () => {
    await expect(postJson(`${base}/api/slow`, {}, 100)).rejects.toThrow();
  });
});
