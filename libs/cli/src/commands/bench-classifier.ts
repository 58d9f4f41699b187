import { resolve } from 'node:path';
import { runBenchCommand } from '@handrail/evaluation';

/** `handrail bench-classifier`: ours vs NLP.js vs a TF-IDF + LR baseline on the shared data sets. */
export async function run(argv: string[]): Promise<number> {
  return runBenchCommand(
    argv,
    {
      out: (line) => process.stdout.write(`${line}\n`),
      err: (text) => process.stderr.write(text),
      errIsTty: process.stderr.isTTY === true,
    },
    // The shared data sets live beside the checkout; `pnpm handrail` runs from the repository root.
    { datasets: resolve(process.cwd(), '../shared/datasets') },
  );
}
