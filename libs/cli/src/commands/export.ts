import fs from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { stringify } from 'csv-stringify/sync';
import { EventEnvelope } from '@handrail/contracts';
import { scanStream, type ScannedMessage } from '@handrail/bus';
import { AREA, ROUTE } from '@handrail/events';
import { UsageError } from '../io.js';
import { eventFilter, readCursor, windowOf, withOpener, writeCursor } from '../window.js';

const HELP = `usage: handrail export [--from TIME] [--to TIME] [--type TYPE | --ticket ID] [--format jsonl|csv]
                       [--out FILE] [--cursor FILE] [--after-seq N] [--quiet]
Streams retained events, oldest first, to FILE (or stdout) in bounded memory, with no size limit.
TIME is an ISO time or an age (90m, 24h, 7d). jsonl: {"seq","storedAt","event"} per line; csv: one
row per event with the decision columns and the payload as JSON.
--cursor FILE resumes: it holds the last sequence written, is updated as the export goes, and a
second run with the same FILE continues after it (appending to --out). A progress bar shows on a terminal.`;

export const CSV_COLUMNS = ['seq', 'stored_at', 'event_id', 'type', 'ticket_id', 'time', 'producer', 'customer_id', 'policy_rev', 'model_rev', 'kb_rev', 'area', 'route', 'queue', 'reasons', 'payload'] as const;

/** One CSV row of an event: the columns analysts filter on, then the whole payload as JSON. */
export function csvRow(m: ScannedMessage, env: EventEnvelope): string[] {
  const p = env.payload;
  const concluded = p?.$case === 'concluded' ? p.value : undefined;
  const area = concluded ? concluded.area : p?.$case === 'classified' ? p.value.classification?.area : p?.$case === 'qaSampled' ? p.value.area : undefined;
  const route = concluded ? concluded.route : p?.$case === 'qaSampled' ? p.value.route : undefined;
  const json = EventEnvelope.toJSON(env) as { payload?: unknown } & Record<string, unknown>;
  const payload = Object.entries(json).find(([k]) => k === (p?.$case ?? ''))?.[1] ?? {};
  return [
    String(m.seq),
    m.time,
    env.eventId,
    env.type,
    env.ticketId,
    env.time,
    env.producer?.service ?? '',
    env.customerId,
    env.revisions?.policy ?? '',
    env.revisions?.model ?? '',
    env.revisions?.kb ?? '',
    area === undefined ? '' : (AREA.name(area) ?? ''),
    route === undefined ? '' : (ROUTE.name(route) ?? ''),
    concluded?.queue ?? '',
    concluded ? concluded.reasons.map((r) => r.code).join(' ') : '',
    JSON.stringify(payload),
  ];
}

async function write(out: Writable, chunk: string): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain');
}

/** Resolves once everything written so far has reached the file descriptor (before a cursor moves). */
function flushed(out: Writable): Promise<void> {
  return new Promise((resolve, reject) => out.write('', (err) => (err ? reject(err) : resolve())));
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      from: { type: 'string' },
      since: { type: 'string' },
      to: { type: 'string' },
      type: { type: 'string' },
      ticket: { type: 'string' },
      format: { type: 'string', default: 'jsonl' },
      out: { type: 'string' },
      cursor: { type: 'string' },
      'after-seq': { type: 'string' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return (console.log(HELP), 0);
  if (positionals[0] !== undefined) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const format = values.format;
  if (format !== 'jsonl' && format !== 'csv') throw new UsageError(`--format: "${format}" is not jsonl or csv`);
  if (values.type && values.ticket) throw new UsageError('--type and --ticket: give one (a ticket has every type)');
  const window = windowOf(values);
  let afterSeq: number | undefined;
  if (values['after-seq'] !== undefined) {
    afterSeq = Number(values['after-seq']);
    if (!Number.isInteger(afterSeq) || afterSeq < 0) throw new UsageError('--after-seq must be a non-negative integer');
  }
  const resumed = readCursor(values.cursor);
  if (resumed !== undefined) afterSeq = Math.max(afterSeq ?? 0, resumed);

  const out: Writable = values.out ? fs.createWriteStream(values.out, { flags: resumed !== undefined ? 'a' : 'w' }) : process.stdout;
  const progressOn = !values.quiet && process.stderr.isTTY === true;
  const stats = { written: 0, skipped: 0, lastSeq: afterSeq ?? 0 };
  await withOpener(async (bus, topo, open) => {
    const filter = eventFilter(topo, values);
    const info = await bus.jsm.streams.info(topo.streams.events);
    const firstSeq = Math.max(info.state.first_seq, (afterSeq ?? 0) + 1);
    const bar = progressOn
      ? new cliProgress.SingleBar({ stream: process.stderr, format: 'export |{bar}| {percentage}% seq {value}/{total} · {written} written · {rate}/s', hideCursor: true }, cliProgress.Presets.shades_classic)
      : undefined;
    bar?.start(Math.max(info.state.last_seq, firstSeq), firstSeq - 1, { written: 0, rate: 0 });
    const started = Date.now();
    if (format === 'csv' && resumed === undefined) await write(out, stringify([[...CSV_COLUMNS]]));
    let sinceCursor = 0;
    for await (const m of scanStream(bus, topo.streams.events, { filter, afterSeq, from: window.from, to: window.to })) {
      const r = await open(m);
      if (!r.ok) {
        stats.skipped++;
        process.stderr.write(`${progressOn ? '\n' : ''}seq ${m.seq}: ${r.reason}\n`);
      } else if (!values.type || r.env.type === values.type) {
        await write(out, format === 'jsonl' ? `${JSON.stringify({ seq: m.seq, storedAt: m.time, event: EventEnvelope.toJSON(r.env) })}\n` : stringify([csvRow(m, r.env)]));
        stats.written++;
      }
      stats.lastSeq = m.seq;
      if (++sinceCursor >= 500) {
        sinceCursor = 0;
        if (values.cursor) {
          await flushed(out);
          writeCursor(values.cursor, stats.lastSeq);
        }
        bar?.update(m.seq, { written: stats.written, rate: Math.round(stats.written / Math.max(0.001, (Date.now() - started) / 1000)) });
      }
    }
    bar?.update(Math.max(stats.lastSeq, firstSeq - 1), { written: stats.written, rate: Math.round(stats.written / Math.max(0.001, (Date.now() - started) / 1000)) });
    bar?.stop();
  });
  if (values.out) {
    out.end();
    await once(out, 'finish');
  }
  // The cursor moves only after the output is flushed, so a resume never skips an event.
  if (values.cursor) writeCursor(values.cursor, stats.lastSeq);
  if (!values.quiet) process.stderr.write(`exported ${stats.written} events (last seq ${stats.lastSeq}${stats.skipped ? `, ${stats.skipped} unreadable or not authentic skipped` : ''})\n`);
  return 0;
}
