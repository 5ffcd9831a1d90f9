// CSV in the browser for the import wizard: reading a file's first records (to show its columns
// in order, with a sample) the way the server reads them (src/core/csv.c), and writing the
// template and the error list.

/* The first bytes are enough for the header and a sample row. */
const HEAD_BYTES = 1 << 20;

/*
 * The file's text as the server will see it: UTF-8 if it is, else GB18030. `known` is the
 * server's answer when there is one (it looked at the whole file, this only at its start).
 */
export async function readHead(file: Blob, known?: string): Promise<string> {
  const bytes = new Uint8Array(await file.slice(0, HEAD_BYTES).arrayBuffer());
  if (known !== 'GB18030') {
    try {
      // stream: a character cut in two at the end of the slice is not an error.
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
    } catch {
      if (known === 'UTF-8') return new TextDecoder('utf-8').decode(bytes);
    }
  }
  return new TextDecoder('gb18030').decode(bytes);
}

/* Up to `max` records (RFC 4180: quotes, doubled quotes, CR LF or LF; blank lines skipped). */
export function parseRecords(text: string, max: number): string[][] {
  const out: string[][] = [];
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const ends = (c: string) => c === ',' || c === '\n' || c === '\r';
  while (out.length < max) {
    while (i < n && (text[i] === '\n' || text[i] === '\r')) i++;
    if (i >= n) break;
    const rec: string[] = [];
    for (;;) {
      let cell = '';
      if (text[i] === '"') {
        i++;
        for (;;) {
          const q = text.indexOf('"', i);
          if (q < 0) {
            // Not closed within the slice read: the record is cut off, keep what there is.
            cell += text.slice(i);
            i = n;
            break;
          }
          cell += text.slice(i, q);
          i = q + 1;
          if (text[i] === '"') {
            cell += '"';
            i++;
            continue;
          }
          break;
        }
        while (i < n && !ends(text[i])) cell += text[i++];
      } else {
        const start = i;
        while (i < n && !ends(text[i])) i++;
        cell = text.slice(start, i);
      }
      rec.push(cell);
      if (text[i] === ',') {
        i++;
        continue;
      }
      break;
    }
    out.push(rec);
  }
  return out;
}

/* The server trims spaces and tabs around a header before matching it. */
export const trimHeader = (s: string) => s.replace(/^[ \t]+|[ \t]+$/g, '');

/* One cell, quoted when needed; text a spreadsheet would run as a formula gets an apostrophe. */
export function csvCell(s: string): string {
  const v = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n]|^\s|\s$/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/* A UTF-8 file with a byte-order mark, so that Excel shows Chinese correctly. */
export function csvBlob(rows: string[][]): Blob {
  const text = '\uFEFF' + rows.map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
  return new Blob([text], { type: 'text/csv;charset=utf-8' });
}

export function saveBlob(blob: Blob, name: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

export function formatSize(bytes: number, locale: string): string {
  const units = ['B', 'KB', 'MB', 'GB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toLocaleString(locale, { maximumFractionDigits: u ? 1 : 0 })} ${units[u]}`;
}
