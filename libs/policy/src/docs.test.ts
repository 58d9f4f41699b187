import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderPolicyDocs } from './docs.js';
import { parsePolicy } from './parse.js';
import type { PolicyPack } from './schema.js';

const pack = parsePolicy(readFileSync(fileURLToPath(new URL('../../demo/policy/demo-pack.yaml', import.meta.url)), 'utf8'), 'demo');

describe('policy docs', () => {
  it('policy docs — responsibility table, escalation rules, QA plan and change log come from the pack', () => {
    const { markdown, html } = renderPolicyDocs(pack, {
      revision: 'abc123abc123',
      history: [{ at: '2026-03-01T09:00:00.000Z', by: 'bob', action: 'approve', rev: 'abc123abc123', from: null, to: 'abc123abc123', note: 'first' }],
    });
    expect(markdown).toContain('Revision abc123abc123');
    expect(markdown).toMatch(/\| refund \| draft \| Approve or edit every refund reply.* \| high \| .* \| 0\.75 \| refunds \|/);
    expect(markdown).toMatch(/\| privacy \| none \|/);
    expect(markdown).toContain('| negative_sentiment | sentiment at or below the threshold | ≤ -0.6 | high |');
    expect(markdown).toContain('2+ contacts in 72 h');
    expect(markdown).toContain('account value ≥ 5000 or tier vip');
    expect(markdown).toContain('| route auto_resolved | 20% |');
    expect(markdown).toContain('None: AI never drafts or resolves in a human-only area');
    // Who may do what, and the service levels, are policy too (issue 10).
    expect(markdown).toMatch(/\| supervisor \| .*refund\.approve_over_limit.* \|/);
    expect(markdown).toContain('| helpdesk-tier1 | agent |');
    expect(markdown).toContain('| trust-and-safety | 1 h |');
    expect(markdown).toContain('| 2026-03-01T09:00:00.000Z | bob | approve | abc123abc123 | - → abc123abc123 | first |');
    expect(html).toContain('<th>Humans own</th>');
    expect(html).toContain('<td>trust-and-safety</td>');
  });

  it('policy docs — overrides are listed, and HTML escapes pack text', () => {
    const weakened: PolicyPack = {
      ...pack,
      name: 'pilot <b>x</b>',
      areas: { ...pack.areas, privacy: { ...pack.areas.privacy, ai_action: 'draft' } },
      overrides: [{ area: 'privacy', ai_action: 'draft', justification: 'DPO pilot for access acknowledgements', approved_by: 'dpo', ticket: 'LEGAL-42' }],
    };
    const { markdown, html } = renderPolicyDocs(weakened);
    expect(markdown).toContain('| privacy | draft | DPO pilot for access acknowledgements | dpo | LEGAL-42 |');
    expect(markdown).toContain('No recorded changes');
    expect(html).toContain('pilot &lt;b&gt;x&lt;/b&gt;');
    expect(html).not.toContain('<b>x</b>');
  });
});
