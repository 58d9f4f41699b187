import { cliError, toExitCode } from './exit-code.js';
import { UsageError } from './io.js';

type Command = { summary: string; load: () => Promise<{ run(argv: string[]): Promise<number> }> };

/** Operators' commands; each module exports `run(argv) → exit code`. */
const COMMANDS: Record<string, Command> = {
  submit: { summary: 'send one customer message to intake (gRPC, or --via nats)', load: () => import('./commands/submit.js') },
  status: { summary: 'a ticket\'s current stage and route: status <ticket-id>', load: () => import('./commands/status.js') },
  explain: { summary: 'a ticket\'s whole decision timeline from events: explain <ticket-id>', load: () => import('./commands/explain.js') },
  replay: { summary: 'stream retained events as JSON lines (--since, --from/--to, --cursor); with --policy: what-if a candidate', load: () => import('./commands/replay.js') },
  export: { summary: 'export retained events as jsonl or csv, streaming, resumable (--from --to --format --cursor)', load: () => import('./commands/export.js') },
  tail: { summary: 'follow live events as they are stored (--since, --type, --ticket, --json)', load: () => import('./commands/tail.js') },
  dlq: { summary: 'list dead-lettered messages with their reasons; replay them after a fix', load: () => import('./commands/dlq.js') },
  provision: { summary: 'create or update every stream, consumer and bucket (the only writer of topology)', load: () => import('./commands/provision.js') },
  credentials: { summary: 'write a credentials directory: one NATS user and signing key per identity', load: () => import('./commands/credentials.js') },
  'nats-config': { summary: 'render a least-privilege nats-server config from a credentials directory', load: () => import('./commands/nats-config.js') },
  audit: { summary: 'verify the tamper-evident audit trail (--ticket, --since), or cut a checkpoint', load: () => import('./commands/audit.js') },
  privacy: { summary: 'erase a customer by crypto-shredding: privacy erase --customer ID --reason TEXT', load: () => import('./commands/privacy.js') },
  policy: { summary: 'validate, diff, propose, approve, rollback, show and document policy packs', load: () => import('./commands/policy-entry.js') },
  kb: { summary: 'ingest and search the knowledge base', load: () => import('./commands/kb-entry.js') },
  draft: { summary: 'classify, retrieve, draft and check one message in process', load: () => import('./commands/draft.js') },
  report: { summary: 'weekly monitoring: estimated defect rates with intervals, escalations, automation, outcomes, SLA (--html for charts)', load: () => import('./commands/report.js') },
  pilot: { summary: 'pilot report: each pilot against its pre-registered criteria (pass, fail, not yet decided)', load: () => import('./commands/pilot.js') },
  qa: { summary: 'the QA loop: status (areas, breakers, demotions), backlog, calibration ID, restore AREA', load: () => import('./commands/qa.js') },
  eval: { summary: 'evaluate routing on a labelled data set', load: () => import('./commands/eval.js') },
  'bench-classifier': { summary: 'classifier vs NLP.js vs TF-IDF baseline on shared data', load: () => import('./commands/bench-classifier.js') },
};

export const COMMAND_NAMES: readonly string[] = Object.keys(COMMANDS);

function help(): string {
  const w = Math.max(...COMMAND_NAMES.map((n) => n.length));
  return [
    'usage: handrail <command> [options]   (each command takes --help)',
    '',
    ...COMMAND_NAMES.map((n) => `  ${n.padEnd(w)}  ${COMMANDS[n]?.summary ?? ''}`),
    '',
    'environment: NATS_URL (nats://127.0.0.1:4222), HANDRAIL_PREFIX (handrail), INTAKE_ADDR (127.0.0.1:50051), CONSOLE_URL (127.0.0.1:8088) and HANDRAIL_TOKEN / HANDRAIL_TOKEN_FILE (policy changes), POLICY_FILE (policy docs before anything is approved)',
  ].join('\n');
}

/** Runs one command and returns its exit code; every error is normalised once, here. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(help());
    return name ? 0 : 2;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    console.error(`handrail: unknown command "${name}"\n\n${help()}`);
    return 2;
  }
  try {
    const mod = await cmd.load();
    return await mod.run(rest);
  } catch (err) {
    const e = cliError(err);
    console.error(`handrail ${name}: ${e.message}${e instanceof UsageError ? `\n(see handrail ${name} --help)` : ''}`);
    return toExitCode(e);
  }
}
