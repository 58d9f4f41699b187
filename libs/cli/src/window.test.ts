import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseWhen, readCursor, windowOf, writeCursor } from './window.js';

describe('replay windows and cursors (issue 15)', () => {
  const now = Date.parse('2026-05-10T12:00:00Z');
  it('window — an age counts back from now; an ISO time is taken as it is; anything else names the flag', () => {
    expect(parseWhen('--since', '90m', now)?.toISOString()).toBe('2026-05-10T10:30:00.000Z');
    expect(parseWhen('--since', '7d', now)?.toISOString()).toBe('2026-05-03T12:00:00.000Z');
    expect(parseWhen('--from', '2026-05-01T00:00:00Z', now)?.toISOString()).toBe('2026-05-01T00:00:00.000Z');
    expect(parseWhen('--to', undefined, now)).toBeUndefined();
    expect(() => parseWhen('--since', 'last tuesday', now)).toThrow(/--since: "last tuesday" is neither an ISO time/);
  });
  it('window — --to before --from, or --from with --since, is refused', () => {
    expect(() => windowOf({ from: '2026-05-02T00:00:00Z', to: '2026-05-01T00:00:00Z' })).toThrow(/--to .* must be after --from/);
    expect(() => windowOf({ from: '1h', since: '2h' })).toThrow(/give one/);
  });
  it('cursor — written whole and read back; a broken one names its line', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cursor-'));
    const f = path.join(dir, 'c.json');
    expect(readCursor(f)).toBeUndefined();
    writeCursor(f, 1234);
    expect(readCursor(f)).toBe(1234);
    expect(fs.existsSync(`${f}.tmp`)).toBe(false);
    fs.writeFileSync(f, '{"seq": -1}');
    expect(() => readCursor(f)).toThrow(/line 1: "seq" must be a non-negative integer/);
    fs.rmSync(dir, { recursive: true });
  });
});
