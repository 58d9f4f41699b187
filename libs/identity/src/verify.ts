import { createLocalJWKSet, createRemoteJWKSet, errors as joseErrors, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';
import { UnauthenticatedError, UnavailableError } from '@handrail/errors';

/** Asymmetric algorithms only: a shared-secret (HS*) or unsigned (`none`) token is never accepted. */
export const ACCEPTED_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;

/** Why a token was refused; each is a 401 at the console and exit code 8 in the CLI. */
export type TokenProblem = 'missing' | 'malformed' | 'expired' | 'not_yet_valid' | 'bad_signature' | 'unknown_key' | 'wrong_issuer' | 'wrong_audience' | 'no_subject' | 'bad_algorithm';

export class TokenRejectedError extends UnauthenticatedError {
  override readonly name = 'TokenRejectedError';
  constructor(
    readonly problem: TokenProblem,
    message: string,
    cause?: unknown,
  ) {
    super(message, cause);
  }
}

/** Who a verified token says is acting. Roles are resolved later, against the policy pack's access table. */
export interface VerifiedToken {
  /** The token's `sub`: the identity every human event names. */
  subject: string;
  issuer: string;
  /** For people to read (name, preferred_username or email); never used to decide anything. */
  name: string;
  /** Values of the roles claim and the groups claim, as the IdP sent them. */
  roles: string[];
  groups: string[];
  /** Seconds since the epoch. */
  expiresAt: number;
  tokenId: string;
  claims: JWTPayload;
}

export interface VerifierOptions {
  /** The `iss` every token must carry, exactly (the IdP's issuer URL). */
  issuer: string;
  /** The `aud` this API expects (one of the token's audiences). */
  audience: string;
  /** Where the signing keys are; default: `jwks_uri` from `<issuer>/.well-known/openid-configuration`. */
  jwksUrl?: string | undefined;
  /** Keys given directly (tests, air-gapped deployments); wins over `jwksUrl`. */
  jwks?: JSONWebKeySet | undefined;
  /** Claim with the user's roles: a name (`roles`, `https://example.com/roles`) or a dotted path (`realm_access.roles`). */
  rolesClaim?: string | undefined;
  /** Claim with the user's IdP groups, mapped to roles by the policy pack's `access.groups`. */
  groupsClaim?: string | undefined;
  /** Leeway for `exp` and `nbf`, in seconds. */
  clockToleranceSec?: number | undefined;
  fetch?: typeof fetch | undefined;
}

export interface TokenVerifier {
  readonly issuer: string;
  readonly audience: string;
  verify(token: string | undefined): Promise<VerifiedToken>;
}

/** A claim by exact name first (namespaced URLs contain dots), then as a dotted path. */
export function claimAt(claims: Record<string, unknown>, path: string): unknown {
  if (path in claims) return claims[path];
  let at: unknown = claims;
  for (const part of path.split('.')) {
    if (typeof at !== 'object' || at === null) return undefined;
    at = (at as Record<string, unknown>)[part];
  }
  return at;
}

function stringList(v: unknown): string[] {
  if (typeof v === 'string') return v.split(/[\s,]+/).filter(Boolean);
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string' && x.length > 0);
  return [];
}

/** The OIDC discovery document's `jwks_uri`, or a clear `unavailable` error. */
export async function discoverJwksUrl(issuer: string, f: typeof fetch = fetch): Promise<string> {
  const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  let body: { jwks_uri?: unknown; issuer?: unknown };
  try {
    const res = await f(url, { signal: AbortSignal.timeout(5_000) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    body = (await res.json()) as typeof body;
  } catch (err) {
    throw new UnavailableError(`cannot read the identity provider's discovery document at ${url}: ${(err as Error).message}`, err);
  }
  if (typeof body.jwks_uri !== 'string') throw new UnavailableError(`${url} has no jwks_uri`);
  return body.jwks_uri;
}

function problemOf(err: unknown): { problem: TokenProblem; message: string } {
  if (err instanceof joseErrors.JWTExpired) return { problem: 'expired', message: 'the token has expired' };
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    if (err.claim === 'aud') return { problem: 'wrong_audience', message: 'the token is not meant for this API (audience)' };
    if (err.claim === 'iss') return { problem: 'wrong_issuer', message: 'the token was not issued by the configured identity provider' };
    if (err.claim === 'nbf') return { problem: 'not_yet_valid', message: 'the token is not valid yet' };
    return { problem: 'malformed', message: `the token's ${err.claim} claim is invalid` };
  }
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return { problem: 'bad_signature', message: 'the token signature does not verify' };
  if (err instanceof joseErrors.JWKSNoMatchingKey) return { problem: 'unknown_key', message: 'the token is signed with a key the identity provider does not publish' };
  if (err instanceof joseErrors.JOSEAlgNotAllowed || err instanceof joseErrors.JOSENotSupported) return { problem: 'bad_algorithm', message: 'the token uses an algorithm that is not accepted' };
  return { problem: 'malformed', message: 'the token is not a valid signed JWT' };
}

/**
 * Verifies OIDC/JWT access tokens against the issuer's published keys (JWKS): signature, issuer,
 * audience, expiry and not-before, asymmetric algorithms only. The keys are fetched once and
 * refreshed when a token names an unknown key id (key rotation), by jose's remote key set.
 */
export function createVerifier(o: VerifierOptions): TokenVerifier {
  const f = o.fetch ?? fetch;
  type Keys = Parameters<typeof jwtVerify>[1] & ((...args: never[]) => unknown);
  let keys: Keys | undefined = o.jwks ? (createLocalJWKSet(o.jwks) as Keys) : undefined;
  let pending: Promise<Keys> | undefined;
  const keySet = async () => {
    if (keys) return keys;
    pending ??= (async () => {
      const url = o.jwksUrl ?? (await discoverJwksUrl(o.issuer, f));
      const remote = createRemoteJWKSet(new URL(url), { timeoutDuration: 5_000, cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 }) as Keys;
      keys = remote;
      return remote;
    })().finally(() => {
      pending = undefined;
    });
    return pending;
  };
  const rolesClaim = o.rolesClaim ?? 'roles';
  const groupsClaim = o.groupsClaim ?? 'groups';
  return {
    issuer: o.issuer,
    audience: o.audience,
    async verify(token) {
      if (!token) throw new TokenRejectedError('missing', 'no access token: sign in, or send Authorization: Bearer <token>');
      if (!/^[\w-]+\.[\w-]+\.[\w-]+$/.test(token)) throw new TokenRejectedError('malformed', 'the token is not a signed JWT (three base64url parts)');
      const ks = await keySet();
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, ks, {
          issuer: o.issuer,
          audience: o.audience,
          algorithms: [...ACCEPTED_ALGORITHMS],
          clockTolerance: o.clockToleranceSec ?? 30,
          requiredClaims: ['exp', 'sub'],
        }));
      } catch (err) {
        // The key server being down is not the caller's fault: 503, not 401.
        if (err instanceof joseErrors.JWKSTimeout || (err instanceof Error && /fetch failed|ECONNREFUSED/.test(err.message))) {
          throw new UnavailableError(`cannot fetch the identity provider's signing keys: ${err.message}`, err);
        }
        if (err instanceof joseErrors.JWTClaimValidationFailed && err.claim === 'sub') throw new TokenRejectedError('no_subject', 'the token names no subject (sub)', err);
        const { problem, message } = problemOf(err);
        throw new TokenRejectedError(problem, message, err);
      }
      const sub = payload.sub;
      if (!sub) throw new TokenRejectedError('no_subject', 'the token names no subject (sub)');
      const claims = payload as Record<string, unknown>;
      const name = [claims['name'], claims['preferred_username'], claims['email']].find((v): v is string => typeof v === 'string' && v.length > 0) ?? sub;
      return {
        subject: sub,
        issuer: payload.iss ?? o.issuer,
        name,
        roles: stringList(claimAt(claims, rolesClaim)),
        groups: stringList(claimAt(claims, groupsClaim)),
        expiresAt: payload.exp ?? 0,
        tokenId: payload.jti ?? '',
        claims: payload,
      };
    },
  };
}
