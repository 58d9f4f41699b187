import { describe, expect, it } from 'vitest';
import { DEMO_PREFIX, demoCleanConfig } from './config.js';

describe('demo config', () => {
  it('demo-clean — defaults to the prefix and server the demo uses (issue 9)', () => {
    expect(demoCleanConfig({})).toEqual({ NATS_URL: 'nats://127.0.0.1:4222', HANDRAIL_PREFIX: DEMO_PREFIX });
    expect(DEMO_PREFIX).toBe('handrail-demo');
    expect(demoCleanConfig({ HANDRAIL_PREFIX: 'mine', NATS_URL: 'nats://h:1' })).toEqual({ NATS_URL: 'nats://h:1', HANDRAIL_PREFIX: 'mine' });
    expect(() => demoCleanConfig({ HANDRAIL_PREFIX: 'Not Valid' })).toThrow(/HANDRAIL_PREFIX/);
  });
});
