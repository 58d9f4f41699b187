import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { createOidcClient, createVerifier, readAccessToken, TokenRejectedError, type TokenVerifier } from './index.js';
import { startDevIssuer, type DevIssuer } from './dev.js';
import { claimAt } from './verify.js';

const problem = async (p: Promise<unknown>) => {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return e instanceof TokenRejectedError ? e.problem : `other: ${(e as Error).message}`;
  }
};

describe('identity', () => {
  let issuer: DevIssuer;
  let verifier: TokenVerifier;
  beforeAll(async () => {
    issuer = await startDevIssuer({ audience: 'handrail-console' });
    // Keys through OIDC discovery, as with a real IdP.
    verifier = createVerifier({ issuer: issuer.url, audience: 'handrail-console' });
  });
  afterAll(async () => issuer?.close());

  it('verify — a valid token gives subject, name, roles and groups', async () => {
    const t = await verifier.verify(await issuer.mint('sam'));
    expect(t).toMatchObject({ subject: 'u-sam', issuer: issuer.url, name: 'Sam Sato', roles: ['supervisor'], groups: [] });
    expect((await verifier.verify(await issuer.mint('ben'))).groups).toEqual(['helpdesk-tier1']);
  });

  it('verify — expired, foreign-signed, wrong audience, wrong issuer, missing, malformed and subject-less tokens are refused', async () => {
    expect(await problem(verifier.verify(await issuer.mint('ana', { expiresInSec: -3600 })))).toBe('expired');
    expect(await problem(verifier.verify(await issuer.mint('ana', { foreignKey: true })))).toBe('bad_signature');
    expect(await problem(verifier.verify(await issuer.mint('ana', { audience: 'some-other-api' })))).toBe('wrong_audience');
    expect(await problem(verifier.verify(await issuer.mint('ana', { issuer: 'https://evil.example' })))).toBe('wrong_issuer');
    expect(await problem(verifier.verify(undefined))).toBe('missing');
    expect(await problem(verifier.verify('not-a-jwt'))).toBe('malformed');
    expect(await problem(verifier.verify(await issuer.mint('ana', { noSubject: true })))).toBe('no_subject');
    // A token whose signature was edited by hand.
    const good = await issuer.mint('ana');
    const tampered = good.slice(0, -4) + (good.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect(await problem(verifier.verify(tampered))).toBe('bad_signature');
    // A body edited to grant a role: the signature no longer matches.
    const [h, , s] = good.split('.');
    const forgedBody = Buffer.from(JSON.stringify({ sub: 'u-ana', iss: issuer.url, aud: 'handrail-console', exp: 9999999999, roles: ['supervisor'] })).toString('base64url');
    expect(await problem(verifier.verify(`${h}.${forgedBody}.${s}`))).toBe('bad_signature');
  });

  it('verify — a shared-secret (HS256) token is never accepted, whatever it claims', async () => {
    const hs = await new SignJWT({ roles: ['supervisor'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('u-ana')
      .setIssuer(issuer.url)
      .setAudience('handrail-console')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('x'.repeat(32)));
    expect(await problem(verifier.verify(hs))).toMatch(/bad_algorithm|unknown_key|malformed/);
  });

  it('claims — roles by exact name (namespaced URL) or by dotted path (Keycloak)', () => {
    expect(claimAt({ 'https://x.example/roles': ['a'] }, 'https://x.example/roles')).toEqual(['a']);
    expect(claimAt({ realm_access: { roles: ['agent'] } }, 'realm_access.roles')).toEqual(['agent']);
    expect(claimAt({}, 'realm_access.roles')).toBeUndefined();
  });

  it('oidc — code flow with PKCE: authorize → pick a user → exchange; the code works once', async () => {
    const client = createOidcClient({ issuer: issuer.url, clientId: 'handrail-console', redirectUri: 'http://127.0.0.1:9/auth/callback' });
    const req = await client.authorize();
    const page = await fetch(req.url);
    expect(await page.text()).toContain('Sam Sato');
    const params = new URL(req.url).searchParams;
    params.set('user', 'sam');
    const picked = await fetch(`${issuer.url}/authorize`, { method: 'POST', body: params, redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const back = new URL(picked.headers.get('location') ?? '');
    expect(back.searchParams.get('state')).toBe(req.state);
    const code = back.searchParams.get('code') ?? '';
    await expect(client.exchange(code, 'wrong-verifier')).rejects.toThrow(/refused/);
    // The failed attempt used the code up.
    const req2 = await client.authorize();
    const p2 = new URL(req2.url).searchParams;
    p2.set('user', 'sam');
    const picked2 = await fetch(`${issuer.url}/authorize`, { method: 'POST', body: p2, redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const code2 = new URL(picked2.headers.get('location') ?? '').searchParams.get('code') ?? '';
    const tokens = await client.exchange(code2, req2.verifier);
    expect((await verifier.verify(tokens.accessToken)).subject).toBe('u-sam');
    await expect(client.exchange(code2, req2.verifier)).rejects.toThrow(/refused/);
  });

  it('token source — flag, then HANDRAIL_TOKEN, then HANDRAIL_TOKEN_FILE; none is unauthenticated', () => {
    expect(readAccessToken({ env: { HANDRAIL_TOKEN: ' abc ' } })).toEqual({ token: 'abc', source: 'HANDRAIL_TOKEN' });
    expect(() => readAccessToken({ env: {} })).toThrow(/HANDRAIL_TOKEN/);
    expect(() => readAccessToken({ tokenFile: '/nonexistent/token', env: { HANDRAIL_TOKEN: 'abc' } })).toThrow(/--token-file/);
  });
});
