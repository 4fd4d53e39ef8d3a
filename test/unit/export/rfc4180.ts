/**
 * A small, strict RFC 4180 parser for tests: CRLF record ends, quoted fields with doubled quotes,
 * CR/LF/commas allowed inside quotes. Throws on anything the RFC does not allow (a bare quote inside an
 * unquoted field, a bare LF as a record end, text after a closing quote), so sloppy CSV fails tests.
 */
export function parseRfc4180(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let i = 0;
  const n = text.length;
  if (n === 0) return records;
  for (;;) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= n) throw new Error('unterminated quoted field');
        const c = text[i] as string;
        if (c === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
          } else {
            i++;
            break;
          }
        } else {
          field += c;
          i++;
        }
      }
    } else {
      while (i < n && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') {
        if (text[i] === '"') throw new Error(`bare quote in unquoted field at ${i}`);
        field += text[i];
        i++;
      }
    }
    record.push(field);
    if (i >= n) throw new Error('last record does not end with CRLF');
    const c = text[i];
    if (c === ',') {
      i++;
      continue;
    }
    if (c === '\r' && text[i + 1] === '\n') {
      records.push(record);
      record = [];
      i += 2;
      if (i >= n) return records;
      continue;
    }
    throw new Error(`unexpected ${JSON.stringify(c)} at ${i} (records must end with CRLF, quotes must close fields)`);
  }
}
