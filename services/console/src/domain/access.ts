import { createHash } from 'node:crypto';
import type { Person, Verdict } from '@handrail/contracts';
import { HandrailError } from '@handrail/errors';
import { permissionsFor, rolesFor, rolesWith, type AccessPolicy, type Permission } from '@handrail/policy';

/**
 * The person behind a request, as their verified token names them, with the roles and permissions
 * the policy pack grants them. Built only from a verified token: there is no other way to get one.
 */
export interface Actor {
  subject: string;
  issuer: string;
  name: string;
  roles: string[];
  permissions: ReadonlySet<Permission>;
  /** Seconds since the epoch: when the token (and so this actor) expires. */
  expiresAt: number;
}

export function actorFrom(t: { subject: string; issuer: string; name: string; roles: readonly string[]; groups: readonly string[]; expiresAt: number }, access: AccessPolicy): Actor {
  const roles = rolesFor(access, [...t.roles, ...t.groups]);
  return { subject: t.subject, issuer: t.issuer, name: t.name, roles, permissions: permissionsFor(access, roles), expiresAt: t.expiresAt };
}

export const personOf = (a: Actor): Person => ({ subject: a.subject, issuer: a.issuer, name: a.name, roles: [...a.roles] });

/** A stable, subject-safe token for event ids (a `sub` may hold `|`, `@` or be long). */
export function actorKey(a: Pick<Actor, 'subject' | 'issuer'>): string {
  return createHash('sha256').update(`${a.issuer}\u0000${a.subject}`).digest('hex').slice(0, 16);
}

/** A refused action: 403 naming the permission (or rule) that refused it, and an `access_denied` event. */
export class ForbiddenError extends HandrailError {
  override readonly name = 'ForbiddenError';
  constructor(
    /** The permission the actor lacks, or the rule that refused them (e.g. `rule:no_self_review`). */
    readonly permission: string,
    /** What they tried, e.g. `decision.approve`. */
    readonly action: string,
    message: string,
    /** Roles that hold the permission, for the message. */
    readonly allowedRoles: readonly string[] = [],
  ) {
    super('permission_denied', message);
  }
}

/** Throws unless `actor` holds `p`; the message says who could. */
export function requirePermission(actor: Actor, p: Permission, action: string, access: AccessPolicy, why = ''): void {
  if (actor.permissions.has(p)) return;
  const who = rolesWith(access, p);
  const roles = actor.roles.length ? actor.roles.join(', ') : 'no Handrail role';
  throw new ForbiddenError(p, action, `${action} needs the permission ${p}${why ? ` (${why})` : ''}; ${actor.name} has ${roles}${who.length ? `; roles with it: ${who.join(', ')}` : ''}`, who);
}

/** A reply not sent because checks failed: 422 naming each failing check. */
export class ChecksFailedError extends HandrailError {
  override readonly name = 'ChecksFailedError';
  constructor(
    readonly failures: readonly Verdict[],
    readonly canOverride: boolean,
  ) {
    const named = failures.map((f) => `${f.check}/${f.code}: ${f.detail}`);
    super(
      'failed_precondition',
      `the reply was not sent: ${failures.length} check${failures.length === 1 ? '' : 's'} failed — ${named.join('; ')}${canOverride ? '. Send it anyway only with an override reason.' : '. A supervisor may send it with an override reason.'}`,
    );
  }
}
