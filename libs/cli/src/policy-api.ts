import { ERROR_CODES, HandrailError, UnavailableError, type ErrorCode } from '@handrail/errors';
import type { PolicyChangeResult, PolicyWriter, ShadowChangeResult } from '@handrail/policy';

/**
 * Policy changes through the console's API with the caller's access token. The server verifies the
 * token, takes the actor from its subject, checks the role (policy_admin) and the two-person rule,
 * and records the change; this side only carries the request and maps the answer back.
 */
export function consolePolicyWriter(consoleUrl: string, token: string, f: typeof fetch = fetch): PolicyWriter {
  const base = consoleUrl.replace(/\/+$/, '');
  const call = async <R = PolicyChangeResult>(path: string, body: unknown): Promise<R> => {
    let res: Response;
    try {
      res = await f(`${base}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(15_000),
      });
    } catch (err) {
      throw new UnavailableError(`the console's policy API is not reachable at ${base} (CONSOLE_URL): ${(err as Error).message}`, err);
    }
    const data = (await res.json().catch(() => ({}))) as { error?: string; message?: string; permission?: string } & Partial<PolicyChangeResult>;
    if (!res.ok) {
      const code: ErrorCode = (ERROR_CODES as readonly string[]).includes(data.error ?? '') ? (data.error as ErrorCode) : res.status === 401 ? 'unauthenticated' : 'internal';
      throw new HandrailError(code, data.message ?? `HTTP ${res.status}`);
    }
    return data as R;
  };
  const rev = (r: string) => encodeURIComponent(r);
  return {
    propose: (_pack, source, note, impact) => call('/api/policy/revisions', { yaml: source.text, file: source.file, note, ...(impact ? { impact } : {}) }),
    approve: (r, note) => call(`/api/policy/revisions/${rev(r)}/approve`, { note }),
    reject: (r, note) => call(`/api/policy/revisions/${rev(r)}/reject`, { note }),
    rollback: (r, note) => call(`/api/policy/revisions/${rev(r)}/rollback`, { note }),
    shadow: (r, kb, note) => call<ShadowChangeResult>('/api/policy/shadow', r === null ? { off: true, note } : { rev: r, kb, note }),
  };
}
