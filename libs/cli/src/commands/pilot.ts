import { parseArgs } from 'node:util';
import { pilotStatuses } from '@handrail/quality';
import { printTable, UsageError } from '../io.js';
import { readLoop } from '../loop.js';

const HELP = `usage: handrail pilot report [--json] [--policy FILE]
Each pilot in the pack against its pre-registered criteria: pass (every success rate's upper bound
below its maximum, sample sizes reached), fail (a stop condition met — the pilot stopped itself),
or not_yet_decided; with each rate, its 95% interval and its sample size. Exit 0 whatever the verdicts.`;

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { json: { type: 'boolean', default: false }, policy: { type: 'string' }, help: { type: 'boolean', default: false } } });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (positionals[0] !== 'report' || positionals.length > 1) throw new UsageError('usage: handrail pilot report [--json] [--policy FILE]');
  const { state, loop, pack, packSource } = await readLoop(values.policy);
  if (!pack) throw new UsageError('no active policy revision: pass --policy FILE (or set POLICY_FILE) so the pilots and their criteria are known');
  const pilots = pilotStatuses(state.tickets.values(), pack, loop);
  if (values.json) {
    console.log(JSON.stringify({ pack: packSource, pilots }));
    return 0;
  }
  if (pilots.length === 0) {
    console.log(`no pilots in the pack (${packSource})`);
    return 0;
  }
  for (const p of pilots) {
    console.log(`pilot ${p.name}: ${p.result.verdict.toUpperCase()}${p.stopped ? ` — stopped itself ${p.stopped.since} (${p.stopped.detail})` : ''}`);
    console.log(`  areas ${p.areas.join(', ')}, channels ${p.channels.join(', ') || 'all'}, ${pct(p.trafficShare)} of traffic; ${p.result.tickets} tickets, ${p.result.reviews} reviewed`);
    console.log(
      printTable(
        p.result.metrics.map((m) => ({
          rate: m.name,
          estimate: `${pct(m.estimate.rate)} (${pct(m.estimate.lower)}-${pct(m.estimate.upper)})`,
          n: String(m.estimate.n),
          success: m.success ? `< ${pct(m.success.max)}: ${m.success.met === null ? 'not yet' : m.success.met ? 'met' : 'not met'}` : '-',
          stop: m.stop ? `> ${pct(m.stop.limit)}: ${m.stop.hit ? 'HIT' : 'no'}` : '-',
        })),
        ['rate', 'estimate', 'n', 'success', 'stop'],
      ),
    );
    if (p.result.reasons.length) console.log(`  ${p.result.reasons.join('\n  ')}`);
  }
  return 0;
}
