/**
 * Brace expansion as webdataset / Python braceexpand and bash do it for shard lists:
 *   `00000{000..139}.tar`   numeric range, zero-padded to the widest end when either end has a leading 0
 *   `{a,b,c}`               alternatives (each may contain braces itself)
 *   `{0..10..2}`, `{a..e}`  stepped and letter ranges; descending ranges count down
 * Several groups multiply out left to right. A brace with no comma and no range (`{x}`) or no match
 * stays literal; a backslash makes the next character literal.
 */

const MAX_EXPANSION = 10_000_000;

export function expandBraces(pattern: string): string[] {
  return expand(pattern);
}

function expand(text: string): string[] {
  const group = findFirstGroup(text);
  if (!group) return [unescape(text)];
  const prefix = unescape(text.slice(0, group.open));
  const body = text.slice(group.open + 1, group.close);
  const suffixes = expand(text.slice(group.close + 1));
  const items = expandGroupBody(body);
  if (items.length * suffixes.length > MAX_EXPANSION) {
    throw new Error(`brace pattern "${text}" expands to more than ${MAX_EXPANSION} names`);
  }
  const out: string[] = [];
  for (const item of items) for (const suffix of suffixes) out.push(prefix + item + suffix);
  return out;
}

function expandGroupBody(body: string): string[] {
  const alternatives = splitTopLevel(body);
  if (alternatives.length > 1) return alternatives.flatMap(expand);
  const range = expandRange(body);
  if (range) return range;
  return expand(body).map((inner) => `{${inner}}`);
}

/** The first '{' that has a matching '}' at the same nesting depth, skipping escaped characters. */
function findFirstGroup(text: string): { open: number; close: number } | undefined {
  for (let start = 0; start < text.length; start++) {
    const ch = text[start];
    if (ch === '\\') {
      start++;
      continue;
    }
    if (ch !== '{') continue;
    let depth = 0;
    for (let i = start; i < text.length; i++) {
      const c = text[i];
      if (c === '\\') {
        i++;
        continue;
      }
      if (c === '{') depth++;
      else if (c === '}') {
        depth--;
        if (depth === 0) return { open: start, close: i };
      }
    }
    // Unmatched '{': literal; look for a later group.
  }
  return undefined;
}

function splitTopLevel(body: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let last = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '{') depth++;
    else if (c === '}') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(body.slice(last, i));
      last = i + 1;
    }
  }
  parts.push(body.slice(last));
  return parts;
}

const NUMERIC_RANGE = /^([+-]?\d+)\.\.([+-]?\d+)(?:\.\.([+-]?\d+))?$/;
const LETTER_RANGE = /^([a-zA-Z])\.\.([a-zA-Z])(?:\.\.([+-]?\d+))?$/;

function expandRange(body: string): string[] | undefined {
  const numeric = NUMERIC_RANGE.exec(body);
  if (numeric) {
    const [, a = '', b = '', stepText] = numeric;
    const from = Number(a);
    const to = Number(b);
    const width = hasLeadingZero(a) || hasLeadingZero(b) ? Math.max(a.replace(/^[+-]/, '').length, b.replace(/^[+-]/, '').length) : 0;
    return steps(from, to, stepText).map((v) => {
      const digits = String(Math.abs(v)).padStart(width, '0');
      return v < 0 ? `-${digits}` : digits;
    });
  }
  const letters = LETTER_RANGE.exec(body);
  if (letters) {
    const [, a = '', b = '', stepText] = letters;
    return steps(a.charCodeAt(0), b.charCodeAt(0), stepText).map((c) => String.fromCharCode(c));
  }
  return undefined;
}

function hasLeadingZero(text: string): boolean {
  return /^[+-]?0\d/.test(text);
}

function steps(from: number, to: number, stepText: string | undefined): number[] {
  const step = Math.abs(stepText === undefined ? 1 : Number(stepText)) || 1;
  const count = Math.floor(Math.abs(to - from) / step) + 1;
  if (count > MAX_EXPANSION) throw new Error(`brace range {${from}..${to}} has more than ${MAX_EXPANSION} values`);
  const dir = to >= from ? 1 : -1;
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(from + dir * i * step);
  return out;
}

function unescape(text: string): string {
  return text.replace(/\\(.)/g, '$1');
}
