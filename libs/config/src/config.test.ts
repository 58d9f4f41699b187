import { describe, expect, it } from 'vitest';
import { HandrailError } from '@handrail/errors';
import { baseConfigSchema, ConfigError, loadConfig, z } from './index.js';

describe('config', () => {
  it('config — applies defaults and freezes the result', () => {
    const c = loadConfig(baseConfigSchema, {});
    expect(c.NATS_URL).toBe('nats://127.0.0.1:4222');
    expect(c.HANDRAIL_PREFIX).toBe('handrail');
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('config — lists every problem at once', () => {
    const schema = baseConfigSchema.extend({ GRPC_PORT: z.coerce.number().int().min(1) });
    try {
      loadConfig(schema, { NATS_URL: 'http://x', HANDRAIL_PREFIX: 'Bad!', GRPC_PORT: '0' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems.join('\n');
      expect(problems).toMatch(/NATS_URL/);
      expect(problems).toMatch(/HANDRAIL_PREFIX/);
      expect(problems).toMatch(/GRPC_PORT/);
      // Part of the taxonomy: the operator's input, never retryable, each bad key a field.
      expect(err).toBeInstanceOf(HandrailError);
      expect((err as ConfigError).code).toBe('invalid_argument');
      expect((err as ConfigError).retryable).toBe(false);
      expect((err as ConfigError).fields.map((f) => f.field)).toEqual(['NATS_URL', 'HANDRAIL_PREFIX', 'GRPC_PORT']);
    }
  });
});
