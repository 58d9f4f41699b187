import { parseArgs } from 'node:util';
import { cutCheckpoint, readAuditInput, verifyAudit } from '@handrail/audit';
import { assertToken } from '@handrail/events';
import { recordedTickets, rederiveTicket, type Rederivation } from '@handrail/replay';
import { withTrust } from '../bus.js';
import { printTable, UsageError } from '../io.js';
import { withRecorded } from '../recorded.js';
import { windowOf } from '../window.js';

const HELP = `usage: handrail audit verify [--ticket ID] [--since ISO-TIME] [--json]
       handrail audit checkpoint
       handrail audit rederive [--from TIME --to TIME | --since TIME | --ticket ID] [--policy FILE]... [--kb DIR]... [--json]
verify: checks the events stream against the signed checkpoint chain, every producer's signature and
each event's hash link to its cause; reports modified, deleted and inserted events (exit 6 if any).
checkpoint: appends a checkpoint over the events since the last one (the console does it periodically).
rederive: re-runs every ticket received in the window through decideTicket (the services' own code)
with the exact policy, model and KB revisions its events name — from the policy store and the KB
bucket's snapshots, or --policy/--kb files whose content hash matches — and the contact history it
saw, and reports every stage that does not come out the same (exit 6), and tickets that cannot be
re-derived and why (exit 6). Needs HANDRAIL_CREDENTIALS_DIR.`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ticket: { type: 'string' },
      since: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      policy: { type: 'string', multiple: true },
      kb: { type: 'string', multiple: true },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return (console.log(HELP), 0);
  const sub = positionals[0];
  if (sub === 'rederive') return rederive(values);
  if (sub === 'checkpoint') {
    return withTrust(async (bus, topo, trust) => {
      const cp = await cutCheckpoint(bus, topo, trust.verifier, (body, msgId, expect) => trust.publishAudit('checkpoint', body, msgId, expect));
      console.log(cp ? `checkpoint over events ${cp.fromSeq}-${cp.toSeq} (${cp.entries.length} events)` : 'nothing new to checkpoint');
      return 0;
    });
  }
  if (sub !== 'verify') throw new UsageError('audit verify | audit checkpoint | audit rederive');
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

interface RederiveArgs {
  ticket?: string | undefined;
  since?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  policy?: string[] | undefined;
  kb?: string[] | undefined;
  json?: boolean | undefined;
}

async function rederive(v: RederiveArgs): Promise<number> {
  if (v.ticket) assertToken('ticket id', v.ticket);
  const window = windowOf(v);
  const results = await withRecorded({ policies: v.policy ?? [], kbDirs: v.kb ?? [] }, async (bus, topo, open, resolver) => {
    const out: Rederivation[] = [];
    for await (const rec of recordedTickets(bus, topo, open, { ...window, ticket: v.ticket })) {
      const r = await rederiveTicket(rec, resolver);
      out.push(r.status === 'same' ? { ...r, sources: [], differences: [] } : r);
    }
    return out;
  });
  const different = results.filter((r) => r.status === 'different');
  const unresolved = results.filter((r) => r.status === 'unresolved');
  if (v.json) console.log(JSON.stringify({ tickets: results.length, same: results.length - different.length - unresolved.length, different: different.length, unresolved: unresolved.length, results: results.filter((r) => r.status !== 'same') }));
  else {
    console.log(`re-derived ${results.length} tickets with decideTicket under the revisions they name: ${different.length} different, ${unresolved.length} could not be re-derived`);
    const rows = different.flatMap((r) => r.differences.map((d) => ({ ticket: r.ticketId, stage: d.stage, field: d.field, recorded: d.recorded, now: d.now })));
    if (rows.length) console.log(printTable(rows, ['ticket', 'stage', 'field', 'recorded', 'now']));
    for (const r of unresolved) console.log(`${r.ticketId}: cannot re-derive: ${r.problems.join('; ')}`);
  }
  if (v.ticket && results.length === 0) throw new UsageError(`no received event for ticket ${v.ticket} in the window`);
  return different.length || unresolved.length ? 6 : 0;
}
