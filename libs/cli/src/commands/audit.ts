import { parseArgs } from 'node:util';
import { cutCheckpoint, readAuditInput, verifyAudit } from '@handrail/audit';
import { assertToken } from '@handrail/events';
import { withTrust } from '../bus.js';
import { printTable, UsageError } from '../io.js';

const HELP = `usage: handrail audit verify [--ticket ID] [--since ISO-TIME] [--json]
       handrail audit checkpoint
verify: checks the events stream against the signed checkpoint chain, every producer's signature and
each event's hash link to its cause; reports modified, deleted and inserted events (exit 6 if any).
checkpoint: appends a checkpoint over the events since the last one (the console does it periodically).`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { ticket: { type: 'string' }, since: { type: 'string' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } },
  });
  if (values.help) return (console.log(HELP), 0);
  const sub = positionals[0];
  if (sub === 'checkpoint') {
    return withTrust(async (bus, topo, trust) => {
      const cp = await cutCheckpoint(bus, topo, trust.verifier, (body, msgId, expect) => trust.publishAudit('checkpoint', body, msgId, expect));
      console.log(cp ? `checkpoint over events ${cp.fromSeq}-${cp.toSeq} (${cp.entries.length} events)` : 'nothing new to checkpoint');
      return 0;
    });
  }
  if (sub !== 'verify') throw new UsageError('audit verify | audit checkpoint');
  if (values.ticket) assertToken('ticket id', values.ticket);
  if (values.since && Number.isNaN(Date.parse(values.since))) throw new UsageError('--since must be an ISO time, e.g. 2024-05-01T00:00:00Z');
  const since = values.since ? new Date(values.since).toISOString() : undefined;
  return withTrust(async (bus, topo, trust) => {
    const { events, checkpoints } = await readAuditInput(bus, topo);
    const r = verifyAudit(events, checkpoints, trust.verifier, { ticket: values.ticket, since });
    if (values.json) console.log(JSON.stringify(r));
    else {
      console.log(`${r.ok ? 'ok' : 'TAMPERED'}: ${r.events} events checked against ${r.checkpoints} checkpoints (${r.uncheckpointed} after the last one)`);
      if (r.problems.length) console.log(printTable(r.problems.map((p) => ({ kind: p.kind, event: p.eventId, ticket: p.ticketId, seq: p.seq === undefined ? '' : String(p.seq), detail: p.detail })), ['kind', 'event', 'ticket', 'seq', 'detail']));
    }
    return r.ok ? 0 : 6;
  });
}
