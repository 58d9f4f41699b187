import { PermissionDeniedError } from '@handrail/errors';
import { createVerifier, readAccessToken } from '@handrail/identity';
import { loadPolicyFile, permissionsFor, PolicyStore, rolesFor, rolesWith, type Permission, type PolicyPack } from '@handrail/policy';
import type { Bus } from '@handrail/bus';
import type { Topology } from '@handrail/events';
import { cliConfig } from './config.js';
import { UsageError } from './io.js';

/**
 * The person behind a privileged command (erasure): the subject of an access token verified here
 * against the identity provider (issuer, audience, expiry, signature — the console's rules), holding
 * a permission of the live policy pack. Nobody names themselves: the record names the token's subject.
 */
export interface VerifiedHuman {
  subject: string;
  issuer: string;
  roles: string[];
  via: 'oidc';
}

/** The pack whose `access` section decides: the active revision, else POLICY_FILE. */
async function accessPack(bus: Bus, topo: Topology): Promise<PolicyPack> {
  const active = await new PolicyStore(bus.nc, topo.buckets.policy).active();
  if (active) return active.pack;
  const file = cliConfig().POLICY_FILE;
  if (!file) throw new UsageError('no active policy revision: set POLICY_FILE so the roles that may do this are known');
  return loadPolicyFile(file);
}

export async function verifiedHuman(bus: Bus, topo: Topology, permission: Permission, tokenFile?: string): Promise<VerifiedHuman> {
  const cfg = cliConfig();
  if (!cfg.AUTH_ISSUER || !cfg.AUTH_AUDIENCE) {
    throw new UsageError('this command acts as a verified person: set AUTH_ISSUER and AUTH_AUDIENCE (your identity provider) and pass --token-file or HANDRAIL_TOKEN');
  }
  const { token } = readAccessToken({ tokenFile, env: { HANDRAIL_TOKEN: cfg.HANDRAIL_TOKEN, HANDRAIL_TOKEN_FILE: cfg.HANDRAIL_TOKEN_FILE } });
  const verified = await createVerifier({ issuer: cfg.AUTH_ISSUER, audience: cfg.AUTH_AUDIENCE, rolesClaim: cfg.AUTH_ROLES_CLAIM, groupsClaim: cfg.AUTH_GROUPS_CLAIM }).verify(token);
  const { access } = await accessPack(bus, topo);
  const roles = rolesFor(access, [...verified.roles, ...verified.groups]);
  if (!permissionsFor(access, roles).has(permission)) {
    throw new PermissionDeniedError(`${verified.subject} may not ${permission}: it needs one of the roles ${rolesWith(access, permission).join(', ') || '(none)'}`);
  }
  return { subject: verified.subject, issuer: verified.issuer, roles, via: 'oidc' };
}
