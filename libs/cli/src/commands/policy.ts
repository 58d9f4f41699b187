import { runPolicyCommand } from '@handrail/policy';

/**
 * `handrail policy ...`. The commands live in `@handrail/policy` (tested there against NATS); this
 * file only binds them to the CLI. Returns the exit code; refusals print their reason.
 */
export async function run(argv: string[], env?: { user?: string; natsUrl: string; bucket: string }): Promise<number> {
  return runPolicyCommand(argv, { user: env?.user, natsUrl: env?.natsUrl, bucket: env?.bucket });
}
