import { parseArgs } from 'node:util';
import { readStream, readTicketTimeline } from '@handrail/bus';
import { NotFoundError } from '@handrail/errors';
import { decodeEvent } from '@handrail/events';
import { withBus } from '../bus.js';
import { explainTimeline, renderTimeline } from '@handrail/projection';
import { ticketIdArg } from '../io.js';

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { json: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } } });
  if (values.help) {
    console.log('usage: handrail explain <ticket-id> [--json]\nThe ticket\'s timeline from events alone: each stage, the rules that fired, evidence, and the policy, model and KB revisions.');
    return 0;
  }
  const id = ticketIdArg(positionals);
  const events = await withBus(async (bus, topo) => {
    const timeline = await readTicketTimeline(bus, topo, id);
    // Replies live on the outbound stream; include the one for this ticket, if any.
    const replies = await readStream(bus, topo.streams.outbound, topo.subjects.allOutbound(), { idleMs: 300 });
    for (const r of replies) {
      try {
        const env = decodeEvent(r.data);
        if (env.ticketId === id) timeline.push(env);
      } catch {
        // not ours to explain
      }
    }
    return timeline;
  });
  if (events.length === 0) throw new NotFoundError(`no events for ticket ${id}`);
  const steps = explainTimeline(events);
  console.log(values.json ? JSON.stringify({ ticketId: id, steps }) : renderTimeline(id, steps));
  return 0;
}
