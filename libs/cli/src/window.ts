import fs from 'node:fs';
import type { Bus, ScannedMessage } from '@handrail/bus';
import type { EventEnvelope } from '@handrail/contracts';
import { decodeEvent, isEventType, type Topology } from '@handrail/events';
import type { Trust } from '@handrail/runtime';
import { withBus, withTrust } from './bus.js';
import { cliConfig } from './config.js';
import { UsageError } from './io.js';

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/** `--from`/`--to`/`--since`: an ISO time, or an age like `90m`, `24h`, `7d` (before now). */
export function parseWhen(flag: string, value: string | undefined, now = Date.now()): Date | undefined {
  if (value === undefined) return undefined;
  const rel = /^(\d+)([smhdw])$/.exec(value.trim());
  if (rel) return new Date(now - Number(rel[1]) * (UNITS[rel[2] ?? 's'] ?? 0));
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new UsageError(`${flag}: "${value}" is neither an ISO time (2026-05-01T00:00:00Z) nor an age (90m, 24h, 7d)`);
  return new Date(t);
}

/** The time window of a scan, from `--from`/`--since` and `--to`; refuses an empty one. */
export function windowOf(v: { from?: string | undefined; since?: string | undefined; to?: string | undefined }): { from?: Date; to?: Date } {
  if (v.from && v.since) throw new UsageError('--from and --since say the same thing; give one');
  const from = parseWhen(v.from ? '--from' : '--since', v.from ?? v.since);
  const to = parseWhen('--to', v.to);
  if (from && to && to.getTime() <= from.getTime()) throw new UsageError(`--to (${to.toISOString()}) must be after --from (${from.toISOString()})`);
  return { ...(from ? { from } : {}), ...(to ? { to } : {}) };
}

/** A resume cursor file holds the last sequence handled, as a number and a line of JSON. */
export function readCursor(file: string | undefined): number | undefined {
  if (!file || !fs.existsSync(file)) return undefined;
  const text = fs.readFileSync(file, 'utf8').trim();
  if (!text) return undefined;
  let seq: unknown;
  try {
    seq = (JSON.parse(text) as { seq?: unknown }).seq;
  } catch {
    throw new UsageError(`--cursor ${file}: line 1: not a cursor (expected {"seq": N})`);
  }
  if (typeof seq !== 'number' || !Number.isInteger(seq) || seq < 0) throw new UsageError(`--cursor ${file}: line 1: "seq" must be a non-negative integer`);
  return seq;
}

export function writeCursor(file: string, seq: number): void {
  // Written whole, then renamed: a crash never leaves half a cursor.
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify({ seq, at: new Date().toISOString() })}\n`);
  fs.renameSync(tmp, file);
}

/** The subject filter of `--type`/`--ticket` (at most one of them narrows on the server). */
export function eventFilter(topo: Topology, v: { type?: string | undefined; ticket?: string | undefined }): string {
  if (v.type && !isEventType(v.type)) throw new UsageError(`--type: unknown event type "${v.type}"`);
  if (v.ticket) return topo.subjects.ticketTimeline(v.ticket);
  if (v.type && isEventType(v.type)) return topo.subjects.eventsOfType(v.type);
  return topo.subjects.allEvents();
}

export type ReadResult = { ok: true; env: EventEnvelope } | { ok: false; reason: string };

/** Decodes a stored event; with credentials also authenticates it and opens its sealed text. */
export type Opener = (m: ScannedMessage) => Promise<ReadResult>;

function opener(trust: Trust | undefined): Opener {
  return async (m) => {
    let env: EventEnvelope;
    try {
      env = decodeEvent(m.data);
    } catch (err) {
      return { ok: false, reason: `undecodable (${(err as Error).message})` };
    }
    if (!trust) return { ok: true, env };
    const r = await trust.readEvent({ subject: m.subject, data: m.data, header: (n) => m.headers[n] }, env);
    return r.ok ? { ok: true, env: r.env } : { ok: false, reason: `not authentic (${r.reason})` };
  };
}

/**
 * `withBus` with an opener: with HANDRAIL_CREDENTIALS_DIR every event is authenticated and its sealed
 * text opened (the services' key path: the customer's data key, unwrapped); without, events are read
 * as stored (sealed text stays sealed).
 */
export async function withOpener<T>(fn: (bus: Bus, topo: Topology, open: Opener, trust: Trust | undefined) => Promise<T>): Promise<T> {
  if (cliConfig().HANDRAIL_CREDENTIALS_DIR) return withTrust((bus, topo, trust) => fn(bus, topo, opener(trust), trust));
  return withBus((bus, topo) => fn(bus, topo, opener(undefined), undefined));
}

