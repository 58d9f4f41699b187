import type http from 'node:http';
import { UnauthenticatedError } from '@handrail/errors';
import type { OidcClient, TokenVerifier, VerifiedToken } from '@handrail/identity';

/**
 * How a request proves who is behind it: `Authorization: Bearer <access token>` (API clients, the
 * CLI, a proxy that forwards the token), or the session cookie the sign-in flow sets (browsers),
 * holding the same kind of access token. Either way the token is verified here on every request;
 * nothing the caller names (a header, a body field, a query parameter) is ever the actor.
 */
export const SESSION_COOKIE = 'handrail_session';
const LOGIN_COOKIE = 'handrail_login';

export interface AuthOptions {
  verifier: TokenVerifier;
  /** Set when browsers sign in through the console (authorization code flow with PKCE). */
  oidc?: OidcClient | undefined;
  /** `https:` public URL: cookies are Secure. */
  secureCookies: boolean;
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const k = part.slice(0, eq).trim();
    const v = part.slice(eq + 1).trim();
    try {
      out.set(k, decodeURIComponent(v));
    } catch {
      // A cookie we did not write; ignore it.
    }
  }
  return out;
}

export function tokenOf(req: http.IncomingMessage): { token: string | undefined; via: 'bearer' | 'cookie' | 'none' } {
  const h = req.headers.authorization;
  if (h) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
    // A malformed Authorization header is a malformed token, not "no token": say so.
    return { token: m?.[1] ?? h, via: 'bearer' };
  }
  const c = parseCookies(req.headers.cookie).get(SESSION_COOKIE);
  if (c) return { token: c, via: 'cookie' };
  return { token: undefined, via: 'none' };
}

export async function verifyRequest(req: http.IncomingMessage, o: AuthOptions): Promise<{ token: VerifiedToken; via: 'bearer' | 'cookie' | 'none' }> {
  const { token, via } = tokenOf(req);
  return { token: await o.verifier.verify(token), via };
}

const cookie = (name: string, value: string, o: { maxAge: number; path?: string; secure: boolean }) =>
  `${name}=${encodeURIComponent(value)}; Path=${o.path ?? '/'}; Max-Age=${Math.max(0, Math.floor(o.maxAge))}; HttpOnly; SameSite=Lax${o.secure ? '; Secure' : ''}`;

/** GET /auth/login: off to the identity provider, with state, nonce and a PKCE verifier kept in a short-lived cookie. */
export async function startLogin(res: http.ServerResponse, o: AuthOptions): Promise<void> {
  if (!o.oidc) throw new UnauthenticatedError('browser sign-in is not configured (AUTH_CLIENT_ID); send Authorization: Bearer <token>');
  const r = await o.oidc.authorize();
  res.writeHead(302, {
    location: r.url,
    'cache-control': 'no-store',
    'set-cookie': cookie(LOGIN_COOKIE, `${r.state}.${r.verifier}`, { maxAge: 600, path: '/auth', secure: o.secureCookies }),
  });
  res.end();
}

/** GET /auth/callback: the code for an access token, verified before it becomes the session. */
export async function finishLogin(req: http.IncomingMessage, res: http.ServerResponse, url: URL, o: AuthOptions): Promise<VerifiedToken> {
  if (!o.oidc) throw new UnauthenticatedError('browser sign-in is not configured');
  const pending = parseCookies(req.headers.cookie).get(LOGIN_COOKIE) ?? '';
  const [state, verifier] = pending.split('.');
  const error = url.searchParams.get('error');
  if (error) throw new UnauthenticatedError(`the identity provider refused the sign-in: ${error}`);
  if (!state || !verifier || url.searchParams.get('state') !== state) throw new UnauthenticatedError('the sign-in could not be matched to this browser (state); start again');
  const code = url.searchParams.get('code');
  if (!code) throw new UnauthenticatedError('the identity provider sent no code');
  const tokens = await o.oidc.exchange(code, verifier);
  const verified = await o.verifier.verify(tokens.accessToken);
  res.writeHead(302, {
    location: '/',
    'cache-control': 'no-store',
    'set-cookie': [
      cookie(SESSION_COOKIE, tokens.accessToken, { maxAge: verified.expiresAt - Date.now() / 1000, secure: o.secureCookies }),
      cookie(LOGIN_COOKIE, '', { maxAge: 0, path: '/auth', secure: o.secureCookies }),
    ],
  });
  res.end();
  return verified;
}

/** POST /auth/logout: the session cookie goes; the identity provider's own session ends there. */
export function clearSession(o: AuthOptions): string {
  return cookie(SESSION_COOKIE, '', { maxAge: 0, secure: o.secureCookies });
}
