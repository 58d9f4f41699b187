import { z } from 'zod';

/**
 * Who may do what, declared in the policy pack (so changing it takes the same two-person review as
 * any other policy change), enforced on the server for every action. Permissions are a closed set:
 * a pack names roles and what each may do, and maps the identity provider's groups onto roles.
 */
export const PERMISSIONS = [
  /** See the queues, tickets, timelines and live updates. */
  'ticket.read',
  /** Claim and release tickets for yourself. */
  'ticket.claim',
  /** Release or take over a ticket someone else claimed. */
  'ticket.reassign',
  /** Approve a draft as it is, or edit it and send it, when every check passes. */
  'reply.send',
  /** Reject a draft (nothing is sent). */
  'reply.reject',
  /** Take an escalated ticket over and send your own reply. */
  'ticket.take_over',
  /** Send a reply that failed a check, with a recorded reason. */
  'reply.override_checks',
  /** Act on a refund above the customer's tier limit (approve the exception). */
  'refund.approve_over_limit',
  /** Act on a ticket escalated as a policy exception. */
  'exception.approve',
  /** Review a sampled decision (QA). */
  'qa.review',
  /** The weekly monitoring report. */
  'report.read',
  /** Policy revisions and their audit trail. */
  'policy.read',
  'policy.propose',
  /** Approve or reject someone else's proposal. */
  'policy.approve',
  'policy.rollback',
  /** Erase a customer's data by destroying their keys (`handrail privacy erase`). */
  'privacy.erase',
  /** Re-promote automation in an area a circuit breaker demoted (issue 13). */
  'automation.restore',
  /** Open and close QA calibration sessions. */
  'qa.calibrate',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** The roles Handrail names; a pack may add its own. */
export const STANDARD_ROLES = ['agent', 'supervisor', 'qa_reviewer', 'policy_admin', 'analyst'] as const;

const permission = z.enum(PERMISSIONS);
const roleName = z.string().regex(/^[a-z][a-z0-9_-]{0,40}$/, 'role names are lower case: letters, digits, _ and -');

const AGENT: Permission[] = ['ticket.read', 'ticket.claim', 'reply.send', 'reply.reject', 'ticket.take_over'];

/** What a pack without an `access` section gets: the five standard roles, least privilege. */
export const DEFAULT_ROLES: Record<string, Permission[]> = {
  agent: AGENT,
  supervisor: [...AGENT, 'ticket.reassign', 'reply.override_checks', 'refund.approve_over_limit', 'exception.approve', 'report.read', 'privacy.erase', 'automation.restore', 'qa.calibrate'],
  qa_reviewer: ['ticket.read', 'qa.review', 'report.read'],
  policy_admin: ['policy.read', 'policy.propose', 'policy.approve', 'policy.rollback', 'report.read'],
  analyst: ['ticket.read', 'report.read', 'policy.read'],
};

export const accessSchema = z
  .object({
    /** Role → permissions. */
    roles: z.record(roleName, z.array(permission)).default(DEFAULT_ROLES),
    /**
     * IdP group (or IdP role) → Handrail roles, for teams whose identity provider names its groups
     * differently. A claim value that is itself a role name needs no entry.
     */
    groups: z.record(z.string().min(1), z.array(roleName).min(1)).default({}),
  })
  .strict();
export type AccessPolicy = z.infer<typeof accessSchema>;

/** Service levels: how long a ticket may wait in a queue for a person's first action. */
export const slaSchema = z
  .object({
    /** Minutes, for queues not listed. */
    default_minutes: z.number().int().positive().default(24 * 60),
    by_queue: z.record(z.string().min(1), z.number().int().positive()).default({}),
  })
  .strict();
export type SlaPolicy = z.infer<typeof slaSchema>;

/**
 * The Handrail roles of someone whose token carries `claimValues` (roles claim and groups claim):
 * a value that names a role in the pack is that role, and `access.groups` maps the others.
 */
export function rolesFor(access: AccessPolicy, claimValues: readonly string[]): string[] {
  const out = new Set<string>();
  for (const v of claimValues) {
    if (v in access.roles) out.add(v);
    for (const r of access.groups[v] ?? []) if (r in access.roles) out.add(r);
  }
  return [...out].sort();
}

export function permissionsFor(access: AccessPolicy, roles: readonly string[]): Set<Permission> {
  const out = new Set<Permission>();
  for (const r of roles) for (const p of access.roles[r] ?? []) out.add(p);
  return out;
}

/** The roles that hold `p` (for refusals that say who could do it). */
export function rolesWith(access: AccessPolicy, p: Permission): string[] {
  return Object.entries(access.roles)
    .filter(([, ps]) => ps.includes(p))
    .map(([r]) => r)
    .sort();
}

/** Minutes a ticket in `queue` may wait. */
export function slaMinutesFor(sla: SlaPolicy, queue: string): number {
  return sla.by_queue[queue] ?? sla.default_minutes;
}
