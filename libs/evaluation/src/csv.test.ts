import { describe, expect, it } from 'vitest';
import { HandrailError } from '@handrail/errors';
import { parseCsv } from './csv.js';
import { DatasetError } from './errors.js';

describe('csv — RFC 4180 parsing', () => {
  it('reads quoted fields with commas, doubled quotes and newlines, keeping start lines', () => {
    const rows = parseCsv('text,label\n"hello, world",greet\n"she said ""hi""",quote\n"two\nlines",multi\r\nplain,x\n');
    expect(rows.map((r) => r.cells)).toEqual([
      ['text', 'label'],
      ['hello, world', 'greet'],
      ['she said "hi"', 'quote'],
      ['two\nlines', 'multi'],
      ['plain', 'x'],
    ]);
    expect(rows.map((r) => r.line)).toEqual([1, 2, 3, 4, 6]);
  });
  it('skips blank lines and a byte-order mark', () => {
    expect(parseCsv('\ufeffa,b\n\n1,2\n').map((r) => r.cells)).toEqual([['a', 'b'], ['1', '2']]);
  });
  it('reports an unterminated quote at the line where the field starts', () => {
    expect(() => parseCsv('text,label\nok,a\n"never closed,b\nmore,c\n', 'f.csv')).toThrow(/f\.csv:3: unterminated quoted field/);
  });
  it('rejects a stray quote inside an unquoted field with its line', () => {
    try {
      parseCsv('text,label\nsay "hi",a\n', 'g.csv');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DatasetError);
      expect((e as DatasetError).line).toBe(2);
      expect(e).toBeInstanceOf(HandrailError);
      expect(e).toMatchObject({ code: 'invalid_argument', retryable: false, fields: [{ field: 'g.csv:2' }] });
    }
  });
});
