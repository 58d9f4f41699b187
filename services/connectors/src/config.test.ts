import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createLogger } from '@handrail/observability';
import { ConfigError } from '@handrail/config';
import { parseConnectorsFile } from './config.js';
import { Secret } from './secret.js';

const yaml = (extra = '') => `
zendesk:
  - account: northwind
    email: bot@northwind.example
    api_token: env:HANDRAIL_SECRET_ZD_TOKEN
    webhook_secrets: [env:HANDRAIL_SECRET_ZD_HOOK, file:/run/secrets/zd-hook-old]
    bot_user_id: 900
    groups: { default: 1, refunds: "2" }
${extra}`;
const secrets = new Map([
  ['HANDRAIL_SECRET_ZD_TOKEN', new Secret('tok-SUPERSECRET')],
  ['HANDRAIL_SECRET_ZD_HOOK', new Secret('hook-SUPERSECRET')],
]);
const files = (p: string) => {
  if (p === '/run/secrets/zd-hook-old') return 'old-SUPERSECRET\n';
  throw Object.assign(new Error('nope'), { code: 'ENOENT' });
};

describe('connectors configuration', () => {
  it('config — secrets come from env (HANDRAIL_SECRET_*) or files; defaults fill the rest', () => {
    const s = parseConnectorsFile(yaml(), secrets, files);
    const a = s.accounts[0]!;
    expect(a).toMatchObject({ provider: 'zendesk', account: 'northwind', baseUrl: 'https://northwind.zendesk.com', botUserIds: ['900'], groups: { default: '1', refunds: '2' } });
    expect(a.apiToken.reveal()).toBe('tok-SUPERSECRET');
    expect(a.webhookSecrets.map((w) => w.reveal())).toEqual(['hook-SUPERSECRET', 'old-SUPERSECRET']);
    expect(s).toMatchObject({ replayWindowSeconds: 300, partitions: 4, delivery: { maxAttempts: 5 }, reconcile: { enabled: true, intervalMs: 120_000 } });
  });

  it('config — a secret never shows: JSON, inspect, string and the logger all print [secret]', () => {
    const s = parseConnectorsFile(yaml(), secrets, files);
    expect(JSON.stringify(s)).not.toMatch(/SUPERSECRET/);
    expect(inspect(s, { depth: 10 })).not.toMatch(/SUPERSECRET/);
    expect(`${s.accounts[0]?.apiToken}`).toBe('[secret]');
    const lines: string[] = [];
    const log = createLogger({ service: 't', version: '0', level: 'info', destination: { write: (l: string) => lines.push(l) } as unknown as NodeJS.WritableStream });
    log.info({ settings: s, token: s.accounts[0]?.apiToken }, 'started');
    expect(lines.join('')).toMatch(/\[secret\]/);
    expect(lines.join('')).not.toMatch(/SUPERSECRET/);
  });

  it('config — every problem at once, naming the field, never a secret value: unset env, unreadable file, a literal secret, no default group', () => {
    const bad = `
zendesk:
  - account: northwind
    email: bot@northwind.example
    api_token: env:HANDRAIL_SECRET_MISSING
    webhook_secrets: [file:/nowhere, plain-text-SUPERSECRET]
    bot_user_id: 900
    groups: { default: 1 }
`;
    try {
      parseConnectorsFile(bad, secrets, files);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const text = (err as ConfigError).problems.join('\n');
      expect(text).toMatch(/zendesk\.0\.api_token: env:HANDRAIL_SECRET_MISSING: HANDRAIL_SECRET_MISSING is not set/);
      expect(text).toMatch(/webhook_secrets\.0: file:\/nowhere: cannot read it \(ENOENT\)/);
      expect(text).toMatch(/webhook_secrets\.1: .*must be a reference/);
      expect(text).not.toMatch(/SUPERSECRET/);
    }
    expect(() => parseConnectorsFile(yaml().replace('groups: { default: 1, refunds: "2" }', 'groups: { refunds: "2" }'), secrets, files)).toThrow(/needs a `default` entry/);
    expect(() => parseConnectorsFile('{}', secrets, files)).toThrow(/names no zendesk or chatwoot account/);
    expect(() => parseConnectorsFile(yaml('unknown_key: 1'), secrets, files)).toThrow(/unknown_key|Unrecognized/);
  });
});
