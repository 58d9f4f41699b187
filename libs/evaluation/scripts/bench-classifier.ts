/**
 * Same as `pnpm handrail bench-classifier`, runnable before the CLI is wired:
 * tsx libs/evaluation/scripts/bench-classifier.ts [--datasets DIR] [--only banking77,bitext] [--no-nlpjs]
 */
import { resolve } from 'node:path';
import { runBenchCommand } from '@handrail/evaluation';

process.exitCode = await runBenchCommand(
  process.argv.slice(2),
  { out: (l) => process.stdout.write(`${l}\n`), err: (t) => process.stderr.write(t), errIsTty: process.stderr.isTTY === true },
  { datasets: resolve('../shared/datasets') },
);
