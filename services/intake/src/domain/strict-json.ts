import { InboundMessage } from '@handrail/contracts';
import { ValidationError, type FieldProblem } from '@handrail/errors';

/** Bytes on the inbound subject are limited before parsing (the NATS max payload is larger). */
export const MAX_INBOUND_BYTES = 256 * 1024;

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
  // The contract is the schema: what the generated decoder builds says which fields exist and what
  // JSON type each has, so a field added to proto/ is accepted here with no second list to keep.
  const decoded = InboundMessage.fromJSON(raw);
  const p: FieldProblem[] = [];
  compareToContract(raw as Record<string, unknown>, decoded as unknown as Record<string, unknown>, 'message', 'InboundMessage', p);
  if (p.length > 0) throw new ValidationError(p.slice(0, 20));
  return decoded;
}

/** Every key of `raw` must be a field of the decoded message, holding the JSON type the decoder read. */
function compareToContract(raw: Record<string, unknown>, decoded: Record<string, unknown>, path: string, type: string, p: FieldProblem[], isMap = false): void {
  for (const [key, value] of Object.entries(raw)) {
    const name = isMap ? key : camel(key);
    const field = isMap ? `${path}.${key.slice(0, 40)}` : `${path}.${snake(name)}`;
    if (!isMap && !Object.prototype.hasOwnProperty.call(decoded, name)) {
      p.push({ field, problem: `is not a field of ${type}` });
      continue;
    }
    if (value === null) continue;
    checkValue(value, decoded[name], field, p);
  }
}

function checkValue(value: unknown, want: unknown, field: string, p: FieldProblem[]): void {
  if (typeof want === 'string' || typeof want === 'number' || typeof want === 'boolean') {
    if (typeof value !== typeof want) p.push({ field, problem: `must be a ${typeof want}, got ${typeName(value)}` });
    return;
  }
  if (Array.isArray(want)) {
    if (!Array.isArray(value)) return void p.push({ field, problem: `must be an array, got ${typeName(value)}` });
    value.forEach((v: unknown, i) => {
      const w: unknown = want[i];
      if (v === null) return;
      checkValue(v, w, `${field}[${i}]`, p);
    });
    return;
  }
  if (typeof want === 'object' && want !== null) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return void p.push({ field, problem: `must be an object, got ${typeName(value)}` });
    // A proto map decodes to exactly the keys it was given; a message decodes to its declared fields.
    const isMap = Object.keys(value).length > 0 && Object.keys(value).every((k) => Object.prototype.hasOwnProperty.call(want, k)) && !looksLikeMessage(want, value);
    compareToContract(value as Record<string, unknown>, want as Record<string, unknown>, field, field, p, isMap);
  }
}

/** A message has fields the input did not set (defaults filled in); a map has only the input's keys. */
function looksLikeMessage(decoded: object, input: object): boolean {
  return Object.keys(decoded).length !== Object.keys(input).length;
}
