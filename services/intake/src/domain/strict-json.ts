import { InboundMessage } from '@handrail/contracts';
import { ValidationError, type FieldProblem } from '@handrail/errors';

/** Bytes on the inbound subject are limited before parsing (the NATS max payload is larger). */
export const MAX_INBOUND_BYTES = 256 * 1024;

type Kind = 'string' | 'number' | 'orders' | 'metadata';
const FIELDS: Record<string, Kind> = {
  connector: 'string',
  externalId: 'string',
  channel: 'string',
  customerId: 'string',
  subject: 'string',
  body: 'string',
  locale: 'string',
  orders: 'orders',
  metadata: 'metadata',
  sentAt: 'string',
};
const ORDER_FIELDS: Record<string, 'string' | 'number'> = {
  orderId: 'string',
  amount: 'number',
  currency: 'string',
  placedAt: 'string',
  deliveredAt: 'string',
  status: 'string',
  condition: 'string',
};
/** proto3 JSON accepts both names; the problem names the proto field. */
const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const camel = (k: string) => k.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());

function typeName(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/**
 * Parses an inbound message as strictly as the contract reads: UTF-8 only, an object, every field of
 * its declared JSON type (a number is not a string, an object is not a body), no unknown fields. The
 * generated `fromJSON` coerces (`"[object Object]"` once became a ticket body), so it only runs after.
 */
export function parseInboundJson(data: Uint8Array): InboundMessage {
  if (data.length > MAX_INBOUND_BYTES) throw new ValidationError([{ field: 'message', problem: `must be at most ${MAX_INBOUND_BYTES} bytes, got ${data.length}` }]);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    throw new ValidationError([{ field: 'message', problem: 'is not valid UTF-8' }]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ValidationError([{ field: 'message', problem: `is not JSON (${(err as Error).message.slice(0, 80)})` }]);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ValidationError([{ field: 'message', problem: `must be a JSON object, got ${typeName(raw)}` }]);
  const p: FieldProblem[] = [];
  for (const [key, value] of Object.entries(raw)) {
    const name = camel(key);
    const kind = FIELDS[name];
    const field = `message.${snake(name)}`;
    if (!kind) {
      p.push({ field, problem: 'is not a field of InboundMessage' });
      continue;
    }
    if (value === null) continue;
    if (kind === 'string' && typeof value !== 'string') p.push({ field, problem: `must be a string, got ${typeName(value)}` });
    if (kind === 'orders') {
      if (!Array.isArray(value)) p.push({ field, problem: `must be an array, got ${typeName(value)}` });
      else
        value.forEach((o: unknown, i) => {
          if (typeof o !== 'object' || o === null || Array.isArray(o)) return p.push({ field: `${field}[${i}]`, problem: `must be an object, got ${typeName(o)}` });
          for (const [ok, ov] of Object.entries(o)) {
            const t = ORDER_FIELDS[camel(ok)];
            const of = `${field}[${i}].${snake(camel(ok))}`;
            if (!t) p.push({ field: of, problem: 'is not a field of Order' });
            else if (ov !== null && typeof ov !== t) p.push({ field: of, problem: `must be a ${t}, got ${typeName(ov)}` });
          }
          return undefined;
        });
    }
    if (kind === 'metadata') {
      if (typeof value !== 'object' || Array.isArray(value)) p.push({ field, problem: `must be an object of strings, got ${typeName(value)}` });
      else for (const [mk, mv] of Object.entries(value as object)) if (typeof mv !== 'string') p.push({ field: `${field}.${mk.slice(0, 40)}`, problem: `must be a string, got ${typeName(mv)}` });
    }
  }
  if (p.length > 0) throw new ValidationError(p.slice(0, 20));
  return InboundMessage.fromJSON(raw);
}
