import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMMAND } from '../../src/blocks/ids.js';
import { EVENT_SCOPES, manifestSchema, toSocketModeManifest, type Manifest } from '../support/manifest.js';

const read = (file: string): unknown => JSON.parse(readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8'));

/** Field-level problems: schema limits plus the cross-field rules Slack applies at creation. */
function problemsOf(raw: unknown, mode: 'http' | 'socket'): string[] {
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) return parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  const m = parsed.data;
  const problems: string[] = [];
  const scopes = new Set(m.oauth_config.scopes.bot);
  for (const event of m.settings.event_subscriptions?.bot_events ?? []) {
    if (!(event in EVENT_SCOPES)) problems.push(`unknown event ${event}: add its scope to EVENT_SCOPES`);
    const needs = EVENT_SCOPES[event];
    if (needs && !scopes.has(needs)) problems.push(`event ${event} needs scope ${needs}`);
  }
  if (m.features.slash_commands.length > 0 && !scopes.has('commands')) problems.push('slash commands need the commands scope');
  const urls = [
    ...m.features.slash_commands.map((c) => ['slash command url', c.url] as const),
    ['interactivity.request_url', m.settings.interactivity?.request_url] as const,
    ['event_subscriptions.request_url', m.settings.event_subscriptions?.request_url] as const,
  ];
  for (const [what, value] of urls) {
    if (mode === 'http' && !value?.startsWith('https://')) problems.push(`${what} must be an https URL in HTTP mode`);
    if (mode === 'socket' && value !== undefined) problems.push(`${what} must be absent in Socket Mode`);
  }
  if (Boolean(m.settings.socket_mode_enabled) !== (mode === 'socket')) problems.push(`socket_mode_enabled must be ${mode === 'socket'}`);
  return problems;
}

const http = read('manifest.json') as Manifest;

describe('manifest.json (HTTP mode)', () => {
  it('passes the manifest schema limits and Slack’s cross-field rules', () => {
    expect(problemsOf(http, 'http')).toEqual([]);
  });

  it('declares everything the bot uses', () => {
    expect(http.features.slash_commands.map((c) => c.command)).toEqual([COMMAND]);
    expect(http.features.app_home.home_tab_enabled).toBe(true);
    expect(http.features.app_home.messages_tab_enabled).toBe(true);
    expect(http.settings.interactivity?.is_enabled).toBe(true);
    expect(http.settings.event_subscriptions?.bot_events).toEqual(
      expect.arrayContaining(['app_home_opened', 'message.im', 'message.channels', 'message.groups']),
    );
    // chat:write: DMs, ephemeral leak warnings; users:read: timezones, owners who left; users:read.email: owners of tokens the organization sync finds.
    expect(http.oauth_config.scopes.bot).toEqual(
      expect.arrayContaining(['commands', 'chat:write', 'im:write', 'users:read', 'users:read.email', 'usergroups:read']),
    );
    // Every request reaches Bolt's single endpoint.
    const urls = [
      http.features.slash_commands[0]!.url,
      http.settings.interactivity?.request_url,
      http.settings.event_subscriptions?.request_url,
    ];
    for (const u of urls) expect(new URL(u!).pathname).toBe('/slack/events');
  });

  it('the check catches what Slack would refuse', () => {
    const bad = structuredClone(http) as Manifest & { settings: Record<string, unknown> };
    bad.display_information.name = 'A'.repeat(36);
    bad.features.bot_user.display_name = 'B'.repeat(81);
    bad.features.slash_commands[0]!.command = `/${'c'.repeat(32)}`;
    bad.oauth_config.scopes.bot = bad.oauth_config.scopes.bot.filter((s) => s !== 'im:history');
    expect(problemsOf(bad, 'http').length).toBe(3);
    const noScope = structuredClone(http);
    noScope.oauth_config.scopes.bot = noScope.oauth_config.scopes.bot.filter((s) => s !== 'im:history');
    expect(problemsOf(noScope, 'http')).toEqual(['event message.im needs scope im:history']);
    expect(problemsOf({ ...http, settings: { ...http.settings, socket_mode: true } }, 'http')[0]).toMatch(/settings/);
    expect(problemsOf(http, 'socket').length).toBeGreaterThan(0);
  });
});

describe('manifest.socket-mode.json', () => {
  it('is manifest.json with socket_mode_enabled and no request URLs', () => {
    const socket = read('manifest.socket-mode.json');
    expect(socket, 'regenerate manifest.socket-mode.json from manifest.json (see README, Set up the Slack app)').toEqual(
      toSocketModeManifest(http),
    );
    expect(problemsOf(socket, 'socket')).toEqual([]);
  });
});
