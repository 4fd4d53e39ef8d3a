/**
 * One error base: the kind decides the HTTP status and the CLI exit code, the API classifies by kind only
 * (never by name or message), and every error class in the tree is a WorkbenchError.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ERROR_KINDS, WorkbenchError, exitCodeOf, httpStatusOf, kindOfStatus, messageWithFix, type ErrorKind } from '../../../src-shared/errors';
import { ApiError } from '../../../src-shared/api/contract';
import { toApiError } from '../../../src-main/app/api-error';
import { StoreError } from '../../../src-main/store/errors';
import { DownloadError } from '../../../src-main/downloads/errors';
import { RemoteApiError } from '../../../src-renderer/api/remote-error';

const ROOT = path.resolve(__dirname, '../../..');
const SOURCE_DIRS = ['src-main', 'src-worker', 'src-renderer', 'src-shared'];

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(p));
    else if (/\.(ts|vue)$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

describe('kind → HTTP status and exit code', () => {
  it('maps each kind to one status and one exit code; anything else is 500 / 1', () => {
    const table = Object.fromEntries(ERROR_KINDS.map((kind) => {
      const err = new WorkbenchError('x', { kind });
      return [kind, [httpStatusOf(err), exitCodeOf(err)]];
    }));
    expect(table).toEqual({ invalid: [400, 2], 'not-found': [404, 1], conflict: [409, 1], unavailable: [503, 1], internal: [500, 1] });
    expect([httpStatusOf(new Error('x')), exitCodeOf(new Error('x'))]).toEqual([500, 1]);
    expect([httpStatusOf('a string'), exitCodeOf(undefined)]).toEqual([500, 1]);
    for (const kind of ERROR_KINDS) expect(kindOfStatus(httpStatusOf(new WorkbenchError('x', { kind })))).toBe(kind);
  });

  it('gives StoreError and DownloadError the kind of their code, keeping code and name', () => {
    const kinds: [StoreError, ErrorKind][] = [
      [new StoreError('NOT_FOUND', 'x'), 'not-found'], [new StoreError('CONFLICT', 'x'), 'conflict'], [new StoreError('INVALID_INPUT', 'x'), 'invalid'],
      [new StoreError('CORRUPT_ROW', 'x'), 'internal'], [new StoreError('NOT_A_DATABASE', 'x'), 'internal'], [new StoreError('SCHEMA_TOO_NEW', 'x'), 'unavailable'],
    ];
    for (const [err, kind] of kinds) {
      expect(err.kind, err.code).toBe(kind);
      expect(err.name).toBe('StoreError');
    }
    expect(new DownloadError('invalid', 'x').kind).toBe('invalid');
    expect(new DownloadError('http', 'x', { status: 404 }).kind).toBe('not-found');
    expect(new DownloadError('network', 'x').kind).toBe('unavailable');
    expect(new DownloadError('network', 'x').name).toBe('DownloadError');
  });
});

describe('toApiError', () => {
  it('classifies by kind, keeping name, field and fix', () => {
    const e = toApiError(new WorkbenchError('run r is paused', { kind: 'conflict', field: 'id', fix: 'Resume it first' }));
    expect(e.toBody()).toEqual({ name: 'WorkbenchError', message: 'run r is paused', status: 409, kind: 'conflict', field: 'id', fix: 'Resume it first' });
    expect(toApiError(new StoreError('NOT_FOUND', 'no run with id "x"')).toBody()).toMatchObject({ status: 404, kind: 'not-found', name: 'StoreError' });
  });

  it('reads nothing from names or messages: a plain Error is a 500 whatever it says', () => {
    for (const message of ['run x not found', 'run x is still running', 'cannot resume', 'run x has no checkpoint']) {
      expect(toApiError(new Error(message)).toBody()).toMatchObject({ status: 500, kind: 'internal', message });
    }
    const named = Object.assign(new Error('bad'), { name: 'ConfigError', field: 'lr' });
    expect(toApiError(named).toBody()).toMatchObject({ status: 500, kind: 'internal' });
    expect(toApiError(named).field).toBeUndefined();
  });

  it('passes an ApiError through, with a kind that follows its status', () => {
    const e = new ApiError(413, 'too big');
    expect(toApiError(e)).toBe(e);
    expect(e.toBody()).toMatchObject({ status: 413, kind: 'invalid' });
    expect(new ApiError(404, 'x').kind).toBe('not-found');
  });
});

describe('the renderer side', () => {
  it('rebuilds kind, field and fix from the body, and shows the fix when the message lacks it', () => {
    const r = new RemoteApiError({ name: 'ConfigError', message: 'lr: must be positive', status: 400, kind: 'invalid', field: 'lr', fix: 'Give a learning rate above 0' });
    expect(r).toBeInstanceOf(WorkbenchError);
    expect([r.name, r.kind, r.field, r.fix, r.status]).toEqual(['ConfigError', 'invalid', 'lr', 'Give a learning rate above 0', 400]);
    expect(messageWithFix(r)).toBe('lr: must be positive. Give a learning rate above 0');
    // An older core sends no kind: the status stands for it.
    expect(new RemoteApiError({ name: 'X', message: 'gone', status: 404 }).kind).toBe('not-found');
    const included = new WorkbenchError('x: bad. Do y', { fix: 'Do y' });
    expect(messageWithFix(included)).toBe('x: bad. Do y');
    expect(messageWithFix(new Error('plain'))).toBe('plain');
  });
});

describe('every error class is a WorkbenchError', () => {
  const files = SOURCE_DIRS.flatMap((d) => sourceFiles(path.join(ROOT, d)));
  const classes = files.flatMap((file) => {
    const text = fs.readFileSync(file, 'utf8');
    return [...text.matchAll(/\bclass\s+(\w+)\s+extends\s+([\w.]+)/g)].map((m) => ({ file: path.relative(ROOT, file), name: m[1]!, base: m[2]!, exported: new RegExp(`export\\s+class\\s+${m[1]}\\b`).test(text) }));
  });

  it('has no class extending Error directly outside src-shared/errors.ts', () => {
    const direct = classes.filter((c) => /^(Error|TypeError|RangeError)$/.test(c.base) && c.file !== path.join('src-shared', 'errors.ts'));
    expect(direct.map((c) => `${c.file}: ${c.name}`)).toEqual([]);
    // The scan itself works: it sees the base and the classes built on it.
    expect(classes.some((c) => c.name === 'WorkbenchError' && c.base === 'Error')).toBe(true);
    expect(classes.filter((c) => c.base === 'WorkbenchError').length).toBeGreaterThan(15);
  });

  it('has exactly one eval-set error class (EvalsetError and EvalSetError were merged)', () => {
    expect(classes.filter((c) => /^Eval[sS]etError$/.test(c.name)).map((c) => c.name)).toEqual(['EvalSetError']);
  });

  it('makes every exported *Error class an instance of WorkbenchError at run time', async () => {
    const errorClasses = classes.filter((c) => c.exported && c.name.endsWith('Error') && c.file.endsWith('.ts'));
    expect(errorClasses.length).toBeGreaterThan(20);
    for (const c of errorClasses) {
      const mod = (await import(pathToFileURL(path.join(ROOT, c.file)).href)) as Record<string, unknown>;
      const cls = mod[c.name] as { prototype: unknown } | undefined;
      expect(cls, `${c.file} exports ${c.name}`).toBeDefined();
      expect(cls!.prototype instanceof WorkbenchError || cls === WorkbenchError, `${c.file}: ${c.name}`).toBe(true);
    }
  }, 120_000);
});
