import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parsePolicy } from './parse.js';
import { activeOverrides, allowedAction, queueFor, refundLimitFor, resolvableAreas } from './rules.js';
import type { PolicyPack } from './schema.js';

const pack = parsePolicy(readFileSync(fileURLToPath(new URL('../../demo/policy/demo-pack.yaml', import.meta.url)), 'utf8'), 'demo');

describe('policy rules', () => {
  it('policy rules — resolvableAreas lists the areas whose effective grant is resolve', () => {
    expect(resolvableAreas(pack).sort()).toEqual(['faq_status', 'routine', 'triage']);
  });
  it('policy rules — allowedAction follows the pack per area', () => {
    expect(allowedAction(pack, 'faq_status')).toBe('resolve');
    expect(allowedAction(pack, 'refund')).toBe('draft');
    expect(allowedAction(pack, 'complaint')).toBe('assist');
    expect(allowedAction(pack, 'privacy')).toBe('none');
  });

  it('policy rules — default deny: unknown or missing area gives none', () => {
    expect(allowedAction(pack, undefined)).toBe('none');
    expect(allowedAction(pack, 'billing')).toBe('none');
    expect(allowedAction(pack, '__proto__')).toBe('none');
  });

  it('policy rules — a human-only grant that slipped past validation without an override gives none', () => {
    const weakened: PolicyPack = { ...pack, areas: { ...pack.areas, safety: { ...pack.areas.safety, ai_action: 'resolve' } } };
    expect(allowedAction(weakened, 'safety')).toBe('none');
    const overridden: PolicyPack = {
      ...weakened,
      overrides: [{ area: 'safety', ai_action: 'resolve', justification: 'x'.repeat(20), approved_by: 'cso', ticket: 'SEC-1' }],
    };
    expect(allowedAction(overridden, 'safety')).toBe('resolve');
    expect(activeOverrides(overridden)).toHaveLength(1);
    expect(activeOverrides(pack)).toHaveLength(0);
  });

  it('policy rules — refund limit by tier, default for unknown tiers', () => {
    expect(refundLimitFor(pack, 'vip')).toBe(300);
    expect(refundLimitFor(pack, 'plus')).toBe(150);
    expect(refundLimitFor(pack, 'platinum')).toBe(50);
    expect(refundLimitFor(pack, undefined)).toBe(50);
    expect(refundLimitFor(pack, 'constructor')).toBe(50);
  });

  it('policy rules — no default limit means AI may refund nothing', () => {
    const noDefault: PolicyPack = { ...pack, refund_limits: { currency: 'USD', by_tier: { vip: 300 } } };
    expect(refundLimitFor(noDefault, 'standard')).toBe(0);
  });

  it('policy rules — queue per area, general for unknown', () => {
    expect(queueFor(pack, 'privacy')).toBe('privacy-team');
    expect(queueFor(pack, 'nope')).toBe('general');
  });
});
