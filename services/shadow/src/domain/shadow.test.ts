import { describe, expect, it } from 'vitest';
import type { ShadowSetting } from '@handrail/policy';
import { shadowSkip } from './shadow.js';

const on: ShadowSetting = { rev: 'aaaaaaaaaaaa', kb: '', by: 'pat', since: '2026-12-01T10:00:00.000Z', note: '' };

describe('shadow — which tickets the candidate decides (issue 15)', () => {
  it('shadow — off, a candidate that is already live, and tickets received before it was turned on are skipped', () => {
    expect(shadowSkip(undefined, '2026-12-01T11:00:00Z', 'bbbbbbbbbbbb')).toBe('off');
    expect(shadowSkip(on, '2026-12-01T11:00:00Z', 'aaaaaaaaaaaa')).toBe('candidate_is_live');
    expect(shadowSkip(on, '2026-12-01T09:59:59Z', 'bbbbbbbbbbbb')).toBe('received_before_shadow_on');
    expect(shadowSkip(on, '2026-12-01T10:00:01Z', 'bbbbbbbbbbbb')).toBeUndefined();
  });
});
