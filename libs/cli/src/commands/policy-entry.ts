import { topology } from '@handrail/events';
import { PolicyStore, type PolicyImpact } from '@handrail/policy';
import { connectCli } from '../bus.js';
import { renderImpactText } from '@handrail/replay';
import { cliConfig } from '../config.js';
import { run as runPolicy } from './policy.js';
import { impactOf } from './what-if.js';

/** Changes kept in a proposal's impact (the text and the counts cover all of them); keeps the record small. */
export const MAX_IMPACT_CHANGES = 200;

/** The what-if of a pack file over the last `window` of recorded tickets, in the form a proposal carries. */
async function proposalImpact(file: string, window: string): Promise<PolicyImpact> {
  const report = await impactOf({ policy: file, since: window });
  return {
    generatedAt: report.generatedAt,
    window: report.window,
    tickets: report.tickets,
    changed: report.changed,
    text: renderImpactText(report),
    report: { ...report, changes: report.changes.slice(0, MAX_IMPACT_CHANGES), changesKept: Math.min(report.changes.length, MAX_IMPACT_CHANGES) },
  };
}

/** Binds `handrail policy` to the deployment's NATS URL, policy bucket, console URL, access token and fallback pack file. */
export async function run(argv: string[]): Promise<number> {
  const cfg = cliConfig();
  return runPolicy(argv, {
    natsUrl: cfg.NATS_URL,
    bucket: topology(cfg.HANDRAIL_PREFIX).buckets.policy,
    policyFile: cfg.POLICY_FILE,
    consoleUrl: cfg.CONSOLE_URL,
    token: { HANDRAIL_TOKEN: cfg.HANDRAIL_TOKEN, HANDRAIL_TOKEN_FILE: cfg.HANDRAIL_TOKEN_FILE },
    // The what-if opens sealed customer text: only with the operator's credentials.
    ...(cfg.HANDRAIL_CREDENTIALS_DIR ? { impact: proposalImpact } : {}),
    // With credentials, reads of the store connect as the operator (its NATS user and inbox): an
    // auth-enabled server refuses an anonymous connection.
    ...(cfg.HANDRAIL_CREDENTIALS_DIR
      ? {
          openStore: async () => {
            const bus = await connectCli({ name: 'handrail-policy' });
            return { store: new PolicyStore(bus.nc, topology(cfg.HANDRAIL_PREFIX).buckets.policy, { bindOnly: true }), close: () => bus.nc.drain() };
          },
        }
      : {}),
  });
}
