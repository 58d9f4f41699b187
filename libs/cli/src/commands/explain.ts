import { parseArgs } from 'node:util';
import { readStream } from '@handrail/bus';
import { NotFoundError } from '@handrail/errors';
import { ROUTE } from '@handrail/events';
import { ticketEvents, withEvents } from '../bus.js';
import { explainTimeline, renderTimeline } from '@handrail/projection';
import { cliConfig } from '../config.js';
import { ticketIdArg } from '../io.js';
import { rederive, renderRederived, type Rederived } from '../rederive.js';

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { json: { type: 'boolean', default: false }, rederive: { type: 'boolean', default: false }, policy: { type: 'string' }, kb: { type: 'string' }, help: { type: 'boolean', default: false } } });
  if (values.help) {
    console.log(
      'usage: handrail explain <ticket-id> [--json] [--rederive [--policy FILE] [--kb DIR]]\n' +
        'The ticket\'s timeline from events alone: each stage, the rules that fired, evidence, and the policy, model and KB revisions.\n' +
        '--rederive also decides the recorded ticket again, now, with decideTicket (the active policy and published KB, else --policy/--kb or\n' +
        'POLICY_FILE/KB_DIR, and the customer\'s recorded contact history) and says whether it comes out the same.',
    );
    return 0;
  }
  const id = ticketIdArg(positionals);
  const cfg = cliConfig();
  let again: Rederived | undefined;
  const events = await withEvents(async (bus, topo, read) => {
    const timeline = await ticketEvents(bus, topo, read, id);
    // Replies live on the outbound stream; include the one for this ticket, if any.
    const replies = await readStream(bus, topo.streams.outbound, topo.subjects.allOutbound(), { idleMs: 300 });
    for (const r of replies) {
      if (r.headers['Handrail-Ticket'] !== id) continue;
      const env = await read(r);
      if (env?.ticketId === id) timeline.push(env);
    }
    if (values.rederive && timeline.length > 0) again = await rederive(bus, topo, timeline, { policy: values.policy ?? cfg.POLICY_FILE, kb: values.kb ?? cfg.KB_DIR });
    return timeline;
  });
  if (events.length === 0) throw new NotFoundError(`no events for ticket ${id}`);
  const steps = explainTimeline(events);
  const rederived = again && { same: again.same, sources: again.sources, route: ROUTE.name(again.decision.concluded.route), reasons: again.decision.concluded.reasons };
  console.log(values.json ? JSON.stringify({ ticketId: id, steps, ...(rederived ? { rederived } : {}) }) : [renderTimeline(id, steps), ...(again ? ['', renderRederived(again)] : [])].join('\n'));
  return 0;
}
