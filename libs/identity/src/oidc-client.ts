import { createHash, randomBytes } from 'node:crypto';
import { UnauthenticatedError, UnavailableError } from '@handrail/errors';

/**
 * The console's side of the OpenID Connect authorization code flow with PKCE (RFC 7636): where to
 * send the browser, and the code exchange. What comes back is an access token the console verifies
 * like any other; nothing here decides who someone is.
 */

export interface OidcEndpoints {
  authorizationEndpoint: string;
  tokenEndpoint: string;
  endSessionEndpoint?: string | undefined;
}

export interface OidcClientOptions {
  issuer: string;
  clientId: string;
  clientSecret?: string | undefined;
  /** Where the IdP sends the browser back: `<console>/auth/callback`. */
  redirectUri: string;
  scope?: string | undefined;
  /** Sent as `audience` on the authorization request (Auth0 needs it to issue a JWT access token). */
  audience?: string | undefined;
  fetch?: typeof fetch | undefined;
}

export interface AuthorizationRequest {
  url: string;
  state: string;
  verifier: string;
  nonce: string;
}

const b64url = (b: Buffer) => b.toString('base64url');

export async function discoverEndpoints(issuer: string, f: typeof fetch = fetch): Promise<OidcEndpoints> {
  const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  try {
    const res = await f(url, { signal: AbortSignal.timeout(5_000) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const d = (await res.json()) as Record<string, unknown>;
    if (typeof d['authorization_endpoint'] !== 'string' || typeof d['token_endpoint'] !== 'string') throw new Error('no authorization_endpoint or token_endpoint');
    return {
      authorizationEndpoint: d['authorization_endpoint'],
      tokenEndpoint: d['token_endpoint'],
      endSessionEndpoint: typeof d['end_session_endpoint'] === 'string' ? d['end_session_endpoint'] : undefined,
    };
  } catch (err) {
    throw new UnavailableError(`cannot read the identity provider's discovery document at ${url}: ${(err as Error).message}`, err);
  }
}

export interface OidcClient {
  authorize(): Promise<AuthorizationRequest>;
  /** Exchanges the code for tokens; throws `unauthenticated` when the IdP refuses. */
  exchange(code: string, verifier: string): Promise<{ accessToken: string; idToken?: string | undefined; expiresIn?: number | undefined }>;
  endSessionUrl(postLogoutRedirect: string): Promise<string | undefined>;
}

export function createOidcClient(o: OidcClientOptions): OidcClient {
  const f = o.fetch ?? fetch;
  let endpoints: Promise<OidcEndpoints> | undefined;
  const ep = () => {
    endpoints ??= discoverEndpoints(o.issuer, f).catch((err: unknown) => {
      endpoints = undefined;
      throw err;
    });
    return endpoints;
  };
  return {
    async authorize() {
      const e = await ep();
      const state = b64url(randomBytes(16));
      const verifier = b64url(randomBytes(32));
      const nonce = b64url(randomBytes(16));
      const u = new URL(e.authorizationEndpoint);
      u.searchParams.set('response_type', 'code');
      u.searchParams.set('client_id', o.clientId);
      u.searchParams.set('redirect_uri', o.redirectUri);
      u.searchParams.set('scope', o.scope ?? 'openid profile email');
      u.searchParams.set('state', state);
      u.searchParams.set('nonce', nonce);
      u.searchParams.set('code_challenge', b64url(createHash('sha256').update(verifier).digest()));
      u.searchParams.set('code_challenge_method', 'S256');
      if (o.audience) u.searchParams.set('audience', o.audience);
      return { url: u.href, state, verifier, nonce };
    },
    async exchange(code, verifier) {
      const e = await ep();
      const body = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: o.redirectUri, client_id: o.clientId, code_verifier: verifier });
      if (o.clientSecret) body.set('client_secret', o.clientSecret);
      let res: Response;
      try {
        res = await f(e.tokenEndpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body, signal: AbortSignal.timeout(10_000) });
      } catch (err) {
        throw new UnavailableError(`cannot reach the token endpoint: ${(err as Error).message}`, err);
      }
      const d = (await res.json().catch(() => ({}))) as Record<string, unknown>;
      if (!res.ok || typeof d['access_token'] !== 'string') {
        throw new UnauthenticatedError(`the identity provider refused the sign-in (${typeof d['error'] === 'string' ? d['error'] : `HTTP ${res.status}`})`);
      }
      return {
        accessToken: d['access_token'],
        idToken: typeof d['id_token'] === 'string' ? d['id_token'] : undefined,
        expiresIn: typeof d['expires_in'] === 'number' ? d['expires_in'] : undefined,
      };
    },
    async endSessionUrl(postLogoutRedirect) {
      const e = await ep();
      if (!e.endSessionEndpoint) return undefined;
      const u = new URL(e.endSessionEndpoint);
      u.searchParams.set('client_id', o.clientId);
      u.searchParams.set('post_logout_redirect_uri', postLogoutRedirect);
      return u.href;
    },
  };
}
