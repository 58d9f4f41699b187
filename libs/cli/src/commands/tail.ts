import { parseArgs } from 'node:util';
import { EventEnvelope } from '@handrail/contracts';
import { scanStream } from '@handrail/bus';
import { ROUTE } from '@handrail/events';
import { UsageError } from '../io.js';
import { eventFilter, parseWhen, withOpener } from '../window.js';

const HELP = `usage: handrail tail [--since TIME] [--type TYPE | --ticket ID] [--json]
Follows live events as they are stored (Ctrl-C ends it): one line per event, or its JSON envelope with
--json. --since TIME (ISO, or an age like 10m) first prints the retained events since then.`;

/** One line for a person watching: seq, time, type, ticket, and the decision when there is one. */
export function tailLine(seq: number, time: string, env: EventEnvelope): string {
  const p = env.payload;
  const what = p?.$case === 'concluded' ? ` ${ROUTE.name(p.value.route) ?? ''}${p.value.queue ? ` → ${p.value.queue}` : ''} [${p.value.reasons.map((r) => r.code).join(', ')}]` : '';
  return `${String(seq).padStart(8)}  ${time}  ${env.type.padEnd(16)} ${env.ticketId}${what}`;
}

export async function run(argv: string[], signal?: AbortSignal): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { since: { type: 'string' }, type: { type: 'string' }, ticket: { type: 'string' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } },
  });
  if (values.help) return (console.log(HELP), 0);
  if (positionals[0] !== undefined) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  if (values.type && values.ticket) throw new UsageError('--type and --ticket: give one');
  const since = parseWhen('--since', values.since);
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  signal?.addEventListener('abort', onSignal, { once: true });
  try {
    await withOpener(async (bus, topo, open) => {
      const filter = eventFilter(topo, values);
      // Without --since only what is stored from now on.
      const afterSeq = since ? undefined : (await bus.jsm.streams.info(topo.streams.events)).state.last_seq;
      for await (const m of scanStream(bus, topo.streams.events, { filter, afterSeq, from: since, follow: true, signal: stop.signal })) {
        const r = await open(m);
        if (!r.ok) {
          console.error(`seq ${m.seq}: ${r.reason}`);
          continue;
        }
        if (values.type && r.env.type !== values.type) continue;
        console.log(values.json ? JSON.stringify(EventEnvelope.toJSON(r.env)) : tailLine(m.seq, m.time, r.env));
      }
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return 0;
}
