import { readAccessToken } from '@handrail/identity';
import { runPolicyCommand, type PolicyImpact, type PolicyStore } from '@handrail/policy';
import { consolePolicyWriter } from '../policy-api.js';

export interface PolicyEnv {
  natsUrl: string;
  bucket: string;
  policyFile?: string | undefined;
  consoleUrl: string;
  token?: { HANDRAIL_TOKEN?: string | undefined; HANDRAIL_TOKEN_FILE?: string | undefined };
  /** The what-if a proposal attaches (issue 15). */
  impact?: (file: string, window: string) => Promise<PolicyImpact>;
  /** How reads reach the store (as an identity, on an auth-enabled server); unset: an anonymous connection to `natsUrl`. */
  openStore?: () => Promise<{ store: PolicyStore; close: () => Promise<void> }>;
}

/** `--token-file FILE` (read here so the token is found before the command runs). */
function tokenFileFlag(argv: readonly string[]): string | undefined {
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k] ?? '';
    if (a === '--token-file') return argv[k + 1];
    if (a.startsWith('--token-file=')) return a.slice('--token-file='.length);
  }
  return undefined;
}

/**
 * `handrail policy ...`. The commands live in `@handrail/policy`; this file binds them to the CLI:
 * reads go to the store, changes go to the console's policy API with the caller's access token.
 */
export async function run(argv: string[], env?: PolicyEnv): Promise<number> {
  await runPolicyCommand(argv, {
    natsUrl: env?.natsUrl,
    bucket: env?.bucket,
    policyFile: env?.policyFile,
    ...(env?.impact ? { impact: env.impact } : {}),
    ...(env?.openStore ? { openStore: env.openStore } : {}),
    writer: () => {
      const { token } = readAccessToken({ tokenFile: tokenFileFlag(argv), env: env?.token ?? {} });
      return consolePolicyWriter(env?.consoleUrl ?? 'http://127.0.0.1:8088', token);
    },
  });
  return 0;
}
