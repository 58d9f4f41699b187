import { parseArgs } from 'node:util';
import { DLQ_HEADERS, readStream } from '@handrail/bus';
import { withBus } from '../bus.js';
import { noExtraArgs, printTable, UsageError } from '../io.js';

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { json: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } } });
  if (values.help) {
    console.log('usage: handrail dlq [list] [--json]   dead-lettered messages, with stage and reason');
    return 0;
  }
  if (positionals[0] !== undefined && positionals[0] !== 'list') throw new UsageError(`unknown dlq command "${positionals[0]}"`);
  noExtraArgs(positionals, 1);
  const rows = await withBus(async (bus, topo) =>
    (await readStream(bus, topo.streams.deadLetter, topo.subjects.allDeadLetters())).map((m) => ({
      seq: String(m.seq),
      stage: m.headers[DLQ_HEADERS.stage] ?? '',
      subject: m.headers[DLQ_HEADERS.subject] ?? '',
      deliveries: m.headers[DLQ_HEADERS.deliveries] ?? '',
      reason: m.headers[DLQ_HEADERS.reason] ?? '',
    })),
  );
  if (values.json) console.log(JSON.stringify(rows));
  else console.log(rows.length ? printTable(rows, ['seq', 'stage', 'subject', 'deliveries', 'reason']) : 'the dead-letter stream is empty');
  return 0;
}
