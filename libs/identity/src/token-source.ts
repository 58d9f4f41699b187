import { readFileSync } from 'node:fs';
import { UnauthenticatedError } from '@handrail/errors';

/**
 * Where a command-line user's access token comes from, first found wins: `--token-file FILE`,
 * `HANDRAIL_TOKEN`, `HANDRAIL_TOKEN_FILE`. The token is sent as is; the server verifies it. There is
 * deliberately no way to name the acting user: the user is whoever the token's subject is.
 */
export function readAccessToken(o: { tokenFile?: string | undefined; env: { HANDRAIL_TOKEN?: string | undefined; HANDRAIL_TOKEN_FILE?: string | undefined } }): { token: string; source: string } {
  const env = o.env;
  const fromFile = (file: string, source: string) => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new UnauthenticatedError(`cannot read the token file ${file} (${source}): ${(err as Error).message}`, err);
    }
    const token = text.trim();
    if (!token) throw new UnauthenticatedError(`the token file ${file} (${source}) is empty`);
    return { token, source: `${source} ${file}` };
  };
  if (o.tokenFile) return fromFile(o.tokenFile, '--token-file');
  const direct = env['HANDRAIL_TOKEN']?.trim();
  if (direct) return { token: direct, source: 'HANDRAIL_TOKEN' };
  const file = env['HANDRAIL_TOKEN_FILE']?.trim();
  if (file) return fromFile(file, 'HANDRAIL_TOKEN_FILE');
  throw new UnauthenticatedError('no access token: pass --token-file FILE or set HANDRAIL_TOKEN or HANDRAIL_TOKEN_FILE (make demo writes one per demo user to .demo/tokens/)');
}
