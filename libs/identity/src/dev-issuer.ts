import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JSONWebKeySet, type JWK } from 'jose';

/**
 * A local OpenID Connect issuer for the demo and the tests: discovery, JWKS, an authorization
 * endpoint that lets you pick a demo user (no passwords: it is a demo), and the code exchange with
 * PKCE. Tokens are ES256 JWTs shaped like a real IdP's access tokens (iss, aud, sub, exp, roles,
 * groups), so the console verifies them exactly as it verifies production ones. Never deploy it.
 */

export interface DevUser {
  /** The token subject: what every human event names. */
  sub: string;
  username: string;
  name: string;
  /** Values of the `roles` claim. */
  roles: string[];
  /** Values of the `groups` claim (mapped to roles by the pack's `access.groups`). */
  groups: string[];
  /** One line for the demo's sign-in page. */
  note: string;
}

/** The demo's people, one or two per role, so the two-person rule and blind review can be tried. */
export const DEMO_USERS: readonly DevUser[] = Object.freeze([
  { sub: 'u-ana', username: 'ana', name: 'Ana Alvarez', roles: ['agent'], groups: [], note: 'agent: approves drafts, takes escalations over, within the limits' },
  { sub: 'u-ben', username: 'ben', name: 'Ben Okafor', roles: [], groups: ['helpdesk-tier1'], note: 'agent through the IdP group helpdesk-tier1 (mapped in the pack)' },
  { sub: 'u-sam', username: 'sam', name: 'Sam Sato', roles: ['supervisor'], groups: [], note: 'supervisor: over-limit refunds, policy exceptions, check overrides' },
  { sub: 'u-quinn', username: 'quinn', name: 'Quinn Park', roles: ['qa_reviewer'], groups: [], note: 'QA reviewer' },
  { sub: 'u-rita', username: 'rita', name: 'Rita Moreau', roles: ['qa_reviewer'], groups: [], note: 'second QA reviewer (blind review, calibration)' },
  { sub: 'u-pat', username: 'pat', name: 'Pat Lindqvist', roles: ['policy_admin'], groups: [], note: 'policy admin: proposes and approves revisions' },
  { sub: 'u-pia', username: 'pia', name: 'Pia Novak', roles: ['policy_admin'], groups: [], note: 'second policy admin (two-person rule)' },
  { sub: 'u-alex', username: 'alex', name: 'Alex Chen', roles: ['analyst'], groups: [], note: 'analyst: reads everything, changes nothing' },
]);

export interface MintOptions {
  /** Lifetime in seconds; negative gives an already expired token. Default: the issuer's. */
  expiresInSec?: number;
  audience?: string;
  issuer?: string;
  /** Sign with a key the issuer does not publish (a forged token). */
  foreignKey?: boolean;
  /** Extra or replacing claims (e.g. `{ roles: ['supervisor'] }` to try self-granted roles). */
  claims?: Record<string, unknown>;
  /** Omit `sub` (a token that names nobody). */
  noSubject?: boolean;
  /** Another subject than the user's (a person the IdP knows but the demo list does not). */
  subject?: string;
}

export interface DevIssuerOptions {
  port?: number;
  host?: string;
  /** The `aud` of access tokens (the console's AUTH_AUDIENCE). */
  audience: string;
  users?: readonly DevUser[];
  /** Default access-token lifetime, seconds. */
  tokenTtlSec?: number;
}

export interface DevIssuer {
  /** The issuer URL: `iss` of every token, and where discovery lives. */
  readonly url: string;
  readonly audience: string;
  readonly users: readonly DevUser[];
  readonly jwks: JSONWebKeySet;
  /** An access token for a user (by username or subject). */
  mint(user: string, o?: MintOptions): Promise<string>;
  close(): Promise<void>;
}

interface PendingCode {
  user: DevUser;
  clientId: string;
  redirectUri: string;
  challenge: string;
  nonce: string;
  expires: number;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const b64url = (b: Buffer) => b.toString('base64url');

/** Redirects only back to this machine: the demo issuer must not become an open redirector. */
function loopbackRedirect(uri: string): URL | undefined {
  try {
    const u = new URL(uri);
    return u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname) ? u : undefined;
  } catch {
    return undefined;
  }
}

async function readForm(req: http.IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > 16 * 1024) throw new Error('form too large');
    chunks.push(c as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function pickerPage(users: readonly DevUser[], params: URLSearchParams): string {
  const hidden = [...params.entries()].map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`).join('');
  const rows = users
    .map(
      (u) =>
        `<li><button name="user" value="${escapeHtml(u.username)}" id="user-${escapeHtml(u.username)}"><b>${escapeHtml(u.name)}</b> <span>${escapeHtml(u.username)}</span></button><div class="note">${escapeHtml(
          [...u.roles, ...u.groups.map((g) => `group ${g}`)].join(', '),
        )} — ${escapeHtml(u.note)}</div></li>`,
    )
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Handrail demo sign-in</title>
<style>body{font:14px/1.5 system-ui,sans-serif;background:#f6f7f9;color:#1f2933;margin:0}main{max-width:640px;margin:40px auto;background:#fff;border:1px solid #e4e7eb;border-radius:8px;padding:20px 24px}
h1{font-size:18px;margin:0 0 4px}p{color:#616e7c;margin:0 0 14px}ul{list-style:none;padding:0;margin:0}li{margin:8px 0}button{font:inherit;padding:6px 12px;border-radius:6px;border:1px solid #2f6f8f;background:#2f6f8f;color:#fff;cursor:pointer;min-width:220px;text-align:left}
button span{opacity:.8;margin-left:6px}.note{color:#616e7c;font-size:12px;margin:2px 0 0 2px}</style></head>
<body><main><h1>Handrail demo identity provider</h1><p>A local OpenID Connect issuer for trying the console. Pick who you are; a real deployment signs in through your IdP.</p>
<form method="post" action="/authorize">${hidden}<ul>${rows}</ul></form></main></body></html>`;
}

export async function startDevIssuer(o: DevIssuerOptions): Promise<DevIssuer> {
  const users = o.users ?? DEMO_USERS;
  const ttl = o.tokenTtlSec ?? 8 * 3600;
  const kid = `dev-${randomBytes(4).toString('hex')}`;
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const foreign = await generateKeyPair('ES256', { extractable: true });
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  const jwks: JSONWebKeySet = { keys: [publicJwk] };
  const codes = new Map<string, PendingCode>();
  let url = '';

  const find = (who: string) => users.find((u) => u.username === who || u.sub === who);
  const sign = async (claims: Record<string, unknown>, key: CryptoKey, keyId: string, audience: string, issuer: string, lifetime: number, noSubject: boolean, sub: string) => {
    const now = Math.floor(Date.now() / 1000);
    let jwt = new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', kid: keyId, typ: 'at+jwt' })
      .setIssuer(issuer)
      .setAudience(audience)
      .setIssuedAt(lifetime < 0 ? now + lifetime - 60 : now)
      .setExpirationTime(now + lifetime)
      .setJti(b64url(randomBytes(12)));
    if (!noSubject) jwt = jwt.setSubject(sub);
    return jwt.sign(key);
  };
  const mint = async (who: string, m: MintOptions = {}): Promise<string> => {
    const u = find(who);
    if (!u) throw new Error(`no demo user ${who}`);
    const claims = { name: u.name, preferred_username: u.username, roles: u.roles, groups: u.groups, ...(m.claims ?? {}) };
    return sign(
      claims,
      m.foreignKey ? foreign.privateKey : privateKey,
      m.foreignKey ? kid : kid, // a forgery reuses the real key id: only the signature gives it away
      m.audience ?? o.audience,
      m.issuer ?? url,
      m.expiresInSec ?? ttl,
      m.noSubject ?? false,
      m.subject ?? u.sub,
    );
  };

  const server = http.createServer((req, res) => {
    const reqUrl = new URL(req.url ?? '/', url || 'http://issuer');
    const json = (code: number, body: unknown) => {
      res.writeHead(code, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    const run = async () => {
      if (reqUrl.pathname === '/.well-known/openid-configuration') {
        return json(200, {
          issuer: url,
          authorization_endpoint: `${url}/authorize`,
          token_endpoint: `${url}/token`,
          jwks_uri: `${url}/jwks.json`,
          response_types_supported: ['code'],
          grant_types_supported: ['authorization_code'],
          code_challenge_methods_supported: ['S256'],
          id_token_signing_alg_values_supported: ['ES256'],
          subject_types_supported: ['public'],
          scopes_supported: ['openid', 'profile', 'email'],
          token_endpoint_auth_methods_supported: ['none', 'client_secret_post'],
        });
      }
      if (reqUrl.pathname === '/jwks.json') return json(200, jwks);
      if (reqUrl.pathname === '/authorize' && req.method === 'GET') {
        const p = reqUrl.searchParams;
        if (p.get('response_type') !== 'code' || !p.get('client_id') || !loopbackRedirect(p.get('redirect_uri') ?? '') || p.get('code_challenge_method') !== 'S256' || !p.get('code_challenge')) {
          return json(400, { error: 'invalid_request', error_description: 'needs response_type=code, client_id, a loopback redirect_uri and a S256 code_challenge' });
        }
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
        res.end(pickerPage(users, p));
        return;
      }
      if (reqUrl.pathname === '/authorize' && req.method === 'POST') {
        const p = await readForm(req);
        const user = find(p.get('user') ?? '');
        const redirect = loopbackRedirect(p.get('redirect_uri') ?? '');
        if (!user || !redirect || !p.get('code_challenge')) return json(400, { error: 'invalid_request' });
        const code = b64url(randomBytes(24));
        codes.set(code, { user, clientId: p.get('client_id') ?? '', redirectUri: redirect.href, challenge: p.get('code_challenge') ?? '', nonce: p.get('nonce') ?? '', expires: Date.now() + 60_000 });
        redirect.searchParams.set('code', code);
        const state = p.get('state');
        if (state) redirect.searchParams.set('state', state);
        res.writeHead(302, { location: redirect.href, 'cache-control': 'no-store' });
        res.end();
        return;
      }
      if (reqUrl.pathname === '/token' && req.method === 'POST') {
        const p = await readForm(req);
        const code = p.get('code') ?? '';
        const pending = codes.get(code);
        codes.delete(code); // single use, whatever happens next
        const verifier = p.get('code_verifier') ?? '';
        if (
          p.get('grant_type') !== 'authorization_code' ||
          !pending ||
          pending.expires < Date.now() ||
          pending.redirectUri !== p.get('redirect_uri') ||
          pending.clientId !== p.get('client_id') ||
          b64url(createHash('sha256').update(verifier).digest()) !== pending.challenge
        ) {
          return json(400, { error: 'invalid_grant' });
        }
        const access = await mint(pending.user.username);
        const idToken = await sign({ name: pending.user.name, preferred_username: pending.user.username, ...(pending.nonce ? { nonce: pending.nonce } : {}) }, privateKey, kid, pending.clientId, url, ttl, false, pending.user.sub);
        return json(200, { access_token: access, id_token: idToken, token_type: 'Bearer', expires_in: ttl, scope: 'openid profile' });
      }
      return json(404, { error: 'not_found' });
    };
    run().catch((err: unknown) => json(500, { error: 'server_error', error_description: (err as Error).message }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, o.host ?? '127.0.0.1', () => resolve());
  });
  const addr = server.address() as AddressInfo;
  url = `http://${o.host ?? '127.0.0.1'}:${addr.port}`;
  return {
    get url() {
      return url;
    },
    audience: o.audience,
    users,
    jwks,
    mint,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
