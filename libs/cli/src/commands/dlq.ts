import { parseArgs } from 'node:util';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { DLQ_HEADERS, readStream, type StoredMessage } from '@handrail/bus';
import { REPLAY_OF } from '@handrail/trust';
import { withBus } from '../bus.js';
import { noExtraArgs, printTable, UsageError } from '../io.js';

const HELP = `usage: handrail dlq [list] [--json]
       handrail dlq replay (--seq N[,M] | --stage NAME | --all) [--dry-run]
list: dead-lettered messages, with stage and (scrubbed) reason.
replay: after a fix, re-injects each dead letter on its original subject with its original id (kept in
${REPLAY_OF}, so producer signatures still verify) and trace context. Idempotent: a replayed dead
letter is marked and never replayed twice; downstream ids are deterministic.`;

const isMarker = (m: StoredMessage, prefix: string) => m.subject === `${prefix}.dlq.replayed`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false }, seq: { type: 'string' }, stage: { type: 'string' }, all: { type: 'boolean', default: false }, 'dry-run': { type: 'boolean', default: false }, help: { type: 'boolean', default: false } },
  });
  if (values.help) return (console.log(HELP), 0);
  const sub = positionals[0] ?? 'list';
  if (sub !== 'list' && sub !== 'replay') throw new UsageError(`unknown dlq command "${sub}"`);
  noExtraArgs(positionals, 1);
  if (sub === 'replay') return replay(values);
  const rows = await withBus(async (bus, topo) =>
    (await readStream(bus, topo.streams.deadLetter, topo.subjects.allDeadLetters()))
      .filter((m) => !isMarker(m, topo.prefix))
      .map((m) => ({
        seq: String(m.seq),
        stage: m.headers[DLQ_HEADERS.stage] ?? '',
        subject: m.headers[DLQ_HEADERS.subject] ?? '',
        deliveries: m.headers[DLQ_HEADERS.deliveries] ?? '',
        reason: m.headers[DLQ_HEADERS.reason] ?? '',
      })),
  );
  if (values.json) console.log(JSON.stringify(rows));
  else console.log(rows.length ? printTable(rows, ['seq', 'stage', 'subject', 'deliveries', 'reason']) : 'the dead-letter stream is empty');
  return 0;
}

async function replay(values: { seq?: string | undefined; stage?: string | undefined; all: boolean; 'dry-run': boolean; json: boolean }): Promise<number> {
  const picks = [values.seq !== undefined, values.stage !== undefined, values.all].filter(Boolean).length;
  if (picks !== 1) throw new UsageError('say which: --seq N[,M], --stage NAME or --all');
  const seqs = values.seq ? new Set(values.seq.split(',').map((s) => Number(s))) : undefined;
  if (seqs && [...seqs].some((n) => !Number.isInteger(n) || n < 1)) throw new UsageError('--seq takes positive integers');
  const results = await withBus(async (bus, topo) => {
    const all = await readStream(bus, topo.streams.deadLetter, topo.subjects.allDeadLetters(), { max: 1_000_000 });
    const done = new Set(all.filter((m) => isMarker(m, topo.prefix)).map((m) => Number(new TextDecoder().decode(m.data))));
    const out: Array<{ seq: string; subject: string; result: string }> = [];
    for (const m of all) {
      if (isMarker(m, topo.prefix)) continue;
      if (seqs && !seqs.has(m.seq)) continue;
      if (values.stage && m.headers[DLQ_HEADERS.stage] !== values.stage) continue;
      const subject = m.headers[DLQ_HEADERS.subject] ?? '';
      if (done.has(m.seq)) {
        out.push({ seq: String(m.seq), subject, result: 'already replayed' });
        continue;
      }
      if (!subject.startsWith(`${topo.prefix}.`)) {
        out.push({ seq: String(m.seq), subject, result: 'skipped: no original subject' });
        continue;
      }
      if (values['dry-run']) {
        out.push({ seq: String(m.seq), subject, result: 'would replay' });
        continue;
      }
      const h = natsHeaders();
      for (const [k, v] of Object.entries(m.headers)) {
        if (k.startsWith('Nats-') || k.startsWith('Handrail-Dlq') || k === DLQ_HEADERS.subject || k === DLQ_HEADERS.sequence || k === DLQ_HEADERS.deliveries || k === DLQ_HEADERS.msgId) continue;
        h.set(k, v);
      }
      const original = m.headers[DLQ_HEADERS.msgId] ?? '';
      if (original) h.set(REPLAY_OF, original);
      const ack = await bus.js.publish(subject, m.data, { msgID: `replay:${topo.streams.deadLetter}:${m.seq}`, headers: h });
      await bus.js.publish(`${topo.prefix}.dlq.replayed`, String(m.seq), { msgID: `replayed:${m.seq}` });
      out.push({ seq: String(m.seq), subject, result: ack.duplicate ? 'already replayed' : `replayed as seq ${ack.seq}` });
    }
    return out;
  }, { identity: 'operator' });
  if (values.json) console.log(JSON.stringify(results));
  else console.log(results.length ? printTable(results, ['seq', 'subject', 'result']) : 'nothing to replay');
  return 0;
}
