import { z } from 'zod';
import type { CustomerProfile } from '@handrail/contracts';

/**
 * Where a customer's tier, account value and risk come from in the helpdesk's records: a dotted path
 * into `{ user, organization }` (Zendesk) or `{ contact, custom_attributes }` (Chatwoot), with a value map.
 */
export const customerMappingSchema = z
  .object({
    tier: z
      .object({ from: z.string().min(1), map: z.record(z.string(), z.string()).default({}), default: z.string().default('standard') })
      .optional(),
    account_value: z.object({ from: z.string().min(1), default: z.number().default(0) }).optional(),
    high_risk: z.object({ from: z.string().min(1), true_values: z.array(z.string()).default(['true', 'yes', 'high', '1']) }).optional(),
  })
  .strict()
  .default({});
export type CustomerMapping = z.infer<typeof customerMappingSchema>;

export function valueAt(doc: unknown, path: string): unknown {
  let cur: unknown = doc;
  for (const key of path.split('.')) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

const text = (v: unknown): string => (typeof v === 'string' ? v.trim() : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '');

/** The profile intake reads, from the helpdesk's records; a field the mapping does not name keeps intake's default. */
export function profileFrom(doc: unknown, m: CustomerMapping): CustomerProfile {
  const tierRaw = m.tier ? text(valueAt(doc, m.tier.from)) : '';
  const tier = m.tier ? (tierRaw ? (m.tier.map[tierRaw.toLowerCase()] ?? m.tier.map[tierRaw] ?? tierRaw.toLowerCase()) : m.tier.default) : '';
  const valueRaw = m.account_value ? valueAt(doc, m.account_value.from) : undefined;
  const parsed = typeof valueRaw === 'number' ? valueRaw : Number(text(valueRaw).replace(/[, _]/g, ''));
  const accountValue = m.account_value ? (Number.isFinite(parsed) && text(valueRaw) !== '' ? parsed : m.account_value.default) : 0;
  const riskRaw = m.high_risk ? text(valueAt(doc, m.high_risk.from)).toLowerCase() : '';
  const highRisk = m.high_risk ? m.high_risk.true_values.map((v) => v.toLowerCase()).includes(riskRaw) : false;
  return { tier, accountValue, highRisk };
}
