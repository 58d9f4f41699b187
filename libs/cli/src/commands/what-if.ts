import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { recordedTickets, renderImpactHtml, renderImpactText, whatIf, type ImpactReport } from '@handrail/replay';
import { assertToken } from '@handrail/events';
import { UsageError } from '../io.js';
import { candidateKb, candidatePolicy, withRecorded } from '../recorded.js';
import { windowOf } from '../window.js';

const HELP = `usage: handrail replay --policy FILE|REV [--kb DIR|REV] [--from TIME | --since TIME] [--to TIME] [--ticket ID]
                       [--json | --html FILE]
What-if: re-decides the tickets recorded in the window under a candidate policy (a pack file or a
stored revision) and optionally a candidate KB, in process with the services' decision code
(decideTicket) — nothing is published — and reports every decision that would change, grouped by
area, route and reason, with counts and examples. Default window: the last 7 days.
Needs HANDRAIL_CREDENTIALS_DIR (the customer text is sealed). Exit 0 either way.`;

export interface WhatIfArgs {
  policy: string;
  kb?: string | undefined;
  from?: string | undefined;
  since?: string | undefined;
  to?: string | undefined;
  ticket?: string | undefined;
}

/** The impact of a candidate over recorded traffic (also what `policy propose` attaches). */
export async function impactOf(a: WhatIfArgs): Promise<ImpactReport> {
  const window = windowOf({ from: a.from, since: a.since ?? (a.from ? undefined : '7d'), to: a.to });
  if (a.ticket) assertToken('ticket id', a.ticket);
  return withRecorded({ policies: [], kbDirs: [] }, async (bus, topo, open, resolver) => {
    const candidate = await candidatePolicy(a.policy, resolver);
    const kb = await candidateKb(a.kb, resolver);
    return whatIf(recordedTickets(bus, topo, open, { from: window.from, to: window.to, ticket: a.ticket }), resolver, {
      candidate,
      kb,
      window: { from: window.from?.toISOString() ?? null, to: window.to?.toISOString() ?? null },
    });
  });
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      policy: { type: 'string' },
      kb: { type: 'string' },
      from: { type: 'string' },
      since: { type: 'string' },
      to: { type: 'string' },
      ticket: { type: 'string' },
      json: { type: 'boolean', default: false },
      html: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return (console.log(HELP), 0);
  if (positionals[0] !== undefined) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  if (!values.policy) throw new UsageError('--policy FILE|REV is required');
  const report = await impactOf({ ...values, policy: values.policy });
  if (values.html) {
    fs.writeFileSync(values.html, renderImpactHtml(report));
    console.error(`wrote ${values.html}`);
  }
  console.log(values.json ? JSON.stringify(report) : renderImpactText(report));
  return 0;
}
