import { runEvalCommand } from '@handrail/evaluation';

/** `handrail eval`: train on one file, route the other through the services' decision code, report. */
export async function run(argv: string[]): Promise<number> {
  return runEvalCommand(argv, {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (text) => process.stderr.write(text),
    errIsTty: process.stderr.isTTY === true,
  });
}
