import { baseConfigSchema, kbDirKey, policyFileKey, z } from '@handrail/config';

const url = (what: string) => z.string({ error: `required: ${what}` }).url(`must be a URL: ${what}`);
const flag = z.enum(['true', 'false']).default('false').transform((v) => v === 'true');

export const consoleConfigSchema = baseConfigSchema.extend({
  /** `0` picks a free port (tests). */
  CONSOLE_PORT: z.coerce.number().int().min(0).max(65535).default(8088),
  CONSOLE_HOST: z.string().min(1).default('127.0.0.1'),
  /** The console's address as browsers reach it (sign-in redirects); default http://<host>:<port>. */
  CONSOLE_PUBLIC_URL: z.string().url().optional(),
  // The policy pack (roles, permissions, SLAs, limits, tone) and help centre that human replies are
  // checked against, until the stores hold an approved revision / a published snapshot.
  ...policyFileKey,
  ...kbDirKey,
  // ── Who is acting: OIDC/JWT access tokens, verified here (never a header the caller sets) ──
  /** The identity provider's issuer URL: every token's `iss`, and where discovery lives. */
  AUTH_ISSUER: url('the OIDC issuer URL (AUTH_ISSUER); make demo starts a local one'),
  /** The audience access tokens must be for (`aud`). */
  AUTH_AUDIENCE: z.string({ error: 'required: the access-token audience (AUTH_AUDIENCE)' }).min(1),
  /** Signing keys; default: `jwks_uri` from the issuer's discovery document. */
  AUTH_JWKS_URL: z.string().url().optional(),
  /** Claim with the user's roles: a name or a dotted path (`realm_access.roles`). */
  AUTH_ROLES_CLAIM: z.string().min(1).default('roles'),
  /** Claim with the user's IdP groups, mapped to roles by the pack's `access.groups`. */
  AUTH_GROUPS_CLAIM: z.string().min(1).default('groups'),
  AUTH_CLOCK_TOLERANCE_S: z.coerce.number().int().min(0).max(300).default(30),
  /** Set to let browsers sign in here (authorization code flow with PKCE); unset: bearer tokens only. */
  AUTH_CLIENT_ID: z.string().min(1).optional(),
  AUTH_CLIENT_SECRET: z.string().min(1).optional(),
  AUTH_SCOPE: z.string().min(1).default('openid profile email'),
  /** Send `audience=AUTH_AUDIENCE` on the authorization request (Auth0 issues JWT access tokens only then). */
  AUTH_SEND_AUDIENCE: flag,
  /** The SQL projection the console reads (the projector service writes it); unset: the console runs the projector engine in process on embedded PGlite. */
  DATABASE_URL: z.string().url('must be a postgres:// URL: DATABASE_URL').optional(),
  /** How many tickets' subject lines (customer text, never in SQL) the lists keep opened in memory. */
  CONSOLE_SUBJECT_CACHE: z.coerce.number().int().min(1).default(10_000),
  /** How often this console cuts an audit checkpoint over the events stream (issue 11); 0 = never. */
  AUDIT_CHECKPOINT_INTERVAL_MS: z.coerce.number().int().min(0).default(60_000),
});
export type ConsoleConfig = z.infer<typeof consoleConfigSchema>;
