import { parseArgs } from 'node:util';
import { EventEnvelope } from '@handrail/contracts';
import { readStream, type Bus } from '@handrail/bus';
import { decodeEvent, isEventType, type Topology } from '@handrail/events';
import type { Trust } from '@handrail/runtime';
import { withBus, withTrust } from '../bus.js';
import { cliConfig } from '../config.js';
import { UsageError } from '../io.js';

const HELP = `usage: handrail replay [--type TYPE] [--ticket ID] [--limit N]
Prints retained events, oldest first, one JSON envelope per line (pipe into jq).`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { type: { type: 'string' }, ticket: { type: 'string' }, limit: { type: 'string', default: '100000' }, help: { type: 'boolean', default: false } },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (values.type && !isEventType(values.type)) throw new UsageError(`unknown event type "${values.type}"`);
  const limit = Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit must be a positive integer');
  // With credentials, each event is authenticated and its sealed text opened ([erased] after an erasure).
  const withAccess = cliConfig().HANDRAIL_CREDENTIALS_DIR ? withTrust : <T>(fn: (bus: Bus, topo: Topology, trust?: Trust) => Promise<T>) => withBus((b, t) => fn(b, t));
  await withAccess(async (bus: Bus, topo: Topology, trust?: Trust) => {
    const filter = values.ticket
      ? topo.subjects.ticketTimeline(values.ticket)
      : values.type && isEventType(values.type)
        ? topo.subjects.eventsOfType(values.type)
        : topo.subjects.allEvents();
    for (const m of await readStream(bus, topo.streams.events, filter, { max: limit })) {
      try {
        let env = decodeEvent(m.data);
        if (values.type && env.type !== values.type) continue;
        if (trust) {
          const r = await trust.readEvent({ subject: m.subject, data: m.data, header: (n) => m.headers[n] }, env);
          if (!r.ok) {
            console.error(`seq ${m.seq}: not authentic (${r.reason})`);
            continue;
          }
          env = r.env;
        }
        console.log(JSON.stringify(EventEnvelope.toJSON(env)));
      } catch (err) {
        console.error(`seq ${m.seq}: undecodable (${(err as Error).message})`);
      }
    }
  });
  return 0;
}
