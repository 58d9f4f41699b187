import { parseArgs } from 'node:util';
import { EventEnvelope } from '@handrail/contracts';
import { scanStream } from '@handrail/bus';
import { UsageError } from '../io.js';
import { eventFilter, readCursor, windowOf, withOpener, writeCursor } from '../window.js';

const HELP = `usage: handrail replay [--since TIME | --from TIME] [--to TIME] [--type TYPE] [--ticket ID] [--limit N] [--cursor FILE]
       handrail replay --from TIME [--to TIME] --policy FILE|REV [--kb DIR|REV] [--json | --html FILE]   (what-if)
Prints retained events, oldest first, one JSON envelope per line (pipe into jq), streaming: no limit
unless --limit N (then it says where it stopped and the cursor to resume from). TIME is an ISO time or
an age (90m, 24h, 7d). --cursor FILE resumes after the last event printed by the run before.
With --policy, re-decides the recorded tickets under the candidate in shadow and reports what would
change (handrail replay --policy --help).`;

export async function run(argv: string[]): Promise<number> {
  if (argv.includes('--policy')) return (await import('./what-if.js')).run(argv);
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      type: { type: 'string' },
      ticket: { type: 'string' },
      since: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      limit: { type: 'string' },
      cursor: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return (console.log(HELP), 0);
  if (positionals[0] !== undefined) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const window = windowOf(values);
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new UsageError('--limit must be a positive integer');
  const afterSeq = readCursor(values.cursor);
  let printed = 0;
  let lastSeq = afterSeq ?? 0;
  let stoppedAtLimit = false;
  await withOpener(async (bus, topo, open) => {
    const filter = eventFilter(topo, values);
    for await (const m of scanStream(bus, topo.streams.events, { filter, afterSeq, from: window.from, to: window.to })) {
      if (limit !== undefined && printed >= limit) {
        stoppedAtLimit = true;
        break;
      }
      lastSeq = m.seq;
      const r = await open(m);
      if (!r.ok) {
        console.error(`seq ${m.seq}: ${r.reason}`);
        continue;
      }
      if (values.type && r.env.type !== values.type) continue;
      console.log(JSON.stringify(EventEnvelope.toJSON(r.env)));
      printed++;
    }
  });
  if (values.cursor) writeCursor(values.cursor, lastSeq);
  // Never a silent cut: say where a limit stopped and how to go on.
  if (stoppedAtLimit) console.error(`stopped at --limit ${limit} after seq ${lastSeq}; more events follow (resume with --cursor FILE, or export)`);
  return 0;
}
