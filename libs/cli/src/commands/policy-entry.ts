import { topology } from '@handrail/events';
import { cliConfig } from '../config.js';
import { run as runPolicy } from './policy.js';

/** Binds `handrail policy` to the deployment's NATS URL, policy bucket, acting user and fallback pack file. */
export async function run(argv: string[]): Promise<number> {
  const cfg = cliConfig();
  return runPolicy(argv, {
    user: cfg.HANDRAIL_USER ?? cfg.USER,
    natsUrl: cfg.NATS_URL,
    bucket: topology(cfg.HANDRAIL_PREFIX).buckets.policy,
    policyFile: cfg.POLICY_FILE,
  });
}
