import { runPolicyCommand } from '@handrail/policy';

/**
 * `handrail policy ...`. The commands live in `@handrail/policy` (tested there against NATS); this
 * file only binds them to the CLI. A refusal throws; the CLI entry maps it to the exit code.
 */
export async function run(argv: string[], env?: { user?: string | undefined; natsUrl: string; bucket: string; policyFile?: string | undefined }): Promise<number> {
  await runPolicyCommand(argv, { user: env?.user, natsUrl: env?.natsUrl, bucket: env?.bucket, policyFile: env?.policyFile });
  return 0;
}
