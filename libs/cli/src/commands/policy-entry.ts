import { topology } from '@handrail/events';
import { cliConfig } from '../config.js';
import { run as runPolicy } from './policy.js';

/** Binds `handrail policy` to the deployment's NATS URL, policy bucket, console URL, access token and fallback pack file. */
export async function run(argv: string[]): Promise<number> {
  const cfg = cliConfig();
  return runPolicy(argv, {
    natsUrl: cfg.NATS_URL,
    bucket: topology(cfg.HANDRAIL_PREFIX).buckets.policy,
    policyFile: cfg.POLICY_FILE,
    consoleUrl: cfg.CONSOLE_URL,
    token: { HANDRAIL_TOKEN: cfg.HANDRAIL_TOKEN, HANDRAIL_TOKEN_FILE: cfg.HANDRAIL_TOKEN_FILE },
  });
}
