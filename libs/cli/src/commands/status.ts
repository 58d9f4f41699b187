import { parseArgs } from 'node:util';
import { NotFoundError } from '@handrail/errors';
import { areaLabel, ROUTE } from '@handrail/events';
import { ticketEvents, withEvents } from '../bus.js';
import { ticketIdArg } from '../io.js';

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { json: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } } });
  if (values.help) {
    console.log('usage: handrail status <ticket-id> [--json]');
    return 0;
  }
  const id = ticketIdArg(positionals);
  const events = await withEvents((bus, topo, read) => ticketEvents(bus, topo, read, id));
  if (events.length === 0) throw new NotFoundError(`no events for ticket ${id}`);
  const concluded = events.find((e) => e.payload?.$case === 'concluded');
  const c = concluded?.payload?.$case === 'concluded' ? concluded.payload.value : undefined;
  const status = {
    ticketId: id,
    stage: c ? 'concluded' : (events.at(-1)?.type ?? 'unknown'),
    route: c ? (ROUTE.name(c.route) ?? 'unknown') : null,
    area: c ? areaLabel(c.area) : null,
    reasons: c?.reasons.map((r) => r.code) ?? [],
    events: events.map((e) => e.type),
  };
  if (values.json) console.log(JSON.stringify(status));
  else {
    console.log(`${id}: ${status.stage}${status.route ? ` → ${status.route}` : ' (in progress)'}${status.area ? ` [${status.area}]` : ''}`);
    if (status.reasons.length) console.log(`reasons: ${status.reasons.join(', ')}`);
    console.log(`events: ${status.events.join(' → ')}`);
  }
  return 0;
}
