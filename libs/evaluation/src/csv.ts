import { DatasetError } from './errors.js';

export interface CsvRecord {
  /** 1-based line on which the record starts. */
  line: number;
  cells: string[];
}

/**
 * RFC 4180 CSV: quoted fields may hold commas, doubled quotes and newlines. Strict about what it
 * cannot read (a quote inside an unquoted field, an unterminated quote) so a broken file fails
 * loudly with its line number instead of silently shifting columns.
 */
export function parseCsv(text: string, file = '<csv>'): CsvRecord[] {
  const out: CsvRecord[] = [];
  let line = 1;
  let i = 0;
  const n = text.length;
  const src = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  i = src;
  while (i < n) {
    const startLine = line;
    const cells: string[] = [];
    let endOfRecord = false;
    while (!endOfRecord) {
      let cell = '';
      if (text[i] === '"') {
        i++;
        let closed = false;
        while (i < n) {
          const ch = text[i];
          if (ch === '"') {
            if (text[i + 1] === '"') {
              cell += '"';
              i += 2;
              continue;
            }
            i++;
            closed = true;
            break;
          }
          if (ch === '\n') line++;
          cell += ch;
          i++;
        }
        if (!closed) throw new DatasetError(file, startLine, 'unterminated quoted field');
        const next = text[i];
        if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
          throw new DatasetError(file, line, `unexpected character ${JSON.stringify(next)} after a closing quote`);
        }
      } else {
        while (i < n) {
          const ch = text[i];
          if (ch === ',' || ch === '\n' || ch === '\r') break;
          if (ch === '"') throw new DatasetError(file, line, 'quote inside an unquoted field (quote the whole field and double the quote)');
          cell += ch;
          i++;
        }
      }
      cells.push(cell);
      const sep = text[i];
      if (sep === ',') {
        i++;
      } else {
        if (sep === '\r') i++;
        if (text[i] === '\n') i++;
        line++;
        endOfRecord = true;
      }
    }
    // A blank line is not a record.
    if (!(cells.length === 1 && cells[0] === '')) out.push({ line: startLine, cells });
  }
  return out;
}
