import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, StoreError, assertSchemaCurrent, currentSchemaVersion, migrate, openStore, type Migration } from '../../../src-main/store';
import { useTempStores } from './temp-store';

describe('opening and migrating the database', () => {
  const stores = useTempStores();

  it('creates every table from empty, in WAL mode with foreign keys on', () => {
    const store = stores.open();
    expect(store.migration).toEqual({ from: 0, to: MIGRATIONS.length, applied: MIGRATIONS.map((m) => m.version) });
    const tables = store.db
      .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
      .pluck()
      .all();
    expect(tables).toEqual(
      expect.arrayContaining(['runs', 'metric_series', 'metric_points', 'metric_chunks', 'events', 'checkpoints', 'evaluations', 'datasets', 'downloads', 'schema_migrations']),
    );
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(Number(store.db.pragma('busy_timeout', { simple: true }))).toBeGreaterThan(0);
  });

  it('re-opening applies nothing and keeps the data', () => {
    const first = stores.open();
    first.runs.create({ id: 'keep-me', name: 'kept', origin: 'cli' });
    first.close();
    const again = stores.open();
    expect(again.migration.applied).toEqual([]);
    expect(again.migration.from).toBe(MIGRATIONS.length);
    expect(again.runs.get('keep-me')?.name).toBe('kept');
    expect(currentSchemaVersion(again.db)).toBe(MIGRATIONS.length);
  });

  it('applies only the migrations that are new, in order', () => {
    const v1: Migration[] = [{ version: 1, name: 'one', up: 'CREATE TABLE a (x INTEGER)' }];
    const v2: Migration[] = [...v1, { version: 2, name: 'two', up: (db) => db.exec('ALTER TABLE a ADD COLUMN y TEXT') }];
    const db = new Database(stores.file());
    try {
      expect(migrate(db, v1, 'test.sqlite')).toEqual({ from: 0, to: 1, applied: [1] });
      expect(migrate(db, v2, 'test.sqlite')).toEqual({ from: 1, to: 2, applied: [2] });
      expect(migrate(db, v2, 'test.sqlite')).toEqual({ from: 2, to: 2, applied: [] });
      expect(db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('a')).toEqual(['x', 'y']);
      expect(() => assertSchemaCurrent(db, v1, 'test.sqlite')).toThrow(/schema version 2/);
      expect(assertSchemaCurrent(db, v2, 'test.sqlite')).toBe(2);
    } finally {
      db.close();
    }
  });

  it('gives built-in training sets registered before version 3 (by the CLI) their builtin: spec', () => {
    const db = new Database(stores.file());
    try {
      migrate(db, MIGRATIONS.slice(0, 2), 'test.sqlite');
      const add = db.prepare('INSERT INTO datasets (name, kind, path, type, scan, added_at) VALUES (?, ?, ?, ?, ?, 0)');
      add.run('fashion-mnist (train)', 'builtin', '/d/fashion-mnist', 'train', JSON.stringify({ samples: 60000, vocab: '/d/fashion-mnist/vocab' }));
      add.run('fashion-mnist (fashion_mnist test)', 'builtin', '/d/fashion-mnist/test', 'eval', JSON.stringify({ task: 'fashion_mnist' }));
      add.run('mine', 'folder', '/d/mine', 'train', null);
      migrate(db, MIGRATIONS, 'test.sqlite');
      const scans = db.prepare('SELECT name, scan FROM datasets ORDER BY id').all() as { name: string; scan: string | null }[];
      expect(scans.map((r) => [r.name, r.scan === null ? null : JSON.parse(r.scan) as unknown])).toEqual([
        ['fashion-mnist (train)', { samples: 60000, vocab: '/d/fashion-mnist/vocab', trainData: 'builtin:fashion-mnist' }],
        ['fashion-mnist (fashion_mnist test)', { task: 'fashion_mnist' }],
        ['mine', null],
      ]);
    } finally {
      db.close();
    }
  });

  it('rolls back a failing migration entirely', () => {
    const bad: Migration[] = [
      { version: 1, name: 'one', up: 'CREATE TABLE a (x INTEGER)' },
      { version: 2, name: 'broken', up: 'CREATE TABLE b (x INTEGER); THIS IS NOT SQL' },
    ];
    const db = new Database(stores.file());
    try {
      expect(() => migrate(db, bad, 'test.sqlite')).toThrow();
      expect(db.prepare("SELECT COUNT(*) FROM sqlite_schema WHERE name IN ('a', 'b')").pluck().get()).toBe(0);
      expect(currentSchemaVersion(db)).toBe(0);
    } finally {
      db.close();
    }
  });

  it('rejects a migration list with gaps', () => {
    const db = new Database(':memory:');
    expect(() => migrate(db, [{ version: 2, name: 'x', up: '' }], 'mem')).toThrow(/out of order/);
    db.close();
  });

  it('refuses a database written by a newer build, with a message saying what to do', () => {
    stores.open().close();
    const db = new Database(stores.file());
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(MIGRATIONS.length + 1, 'from the future', Date.now());
    db.close();
    let caught: unknown;
    try {
      stores.open();
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(StoreError);
    expect((caught as StoreError).code).toBe('SCHEMA_TOO_NEW');
    expect((caught as StoreError).message).toMatch(new RegExp(`schema version ${MIGRATIONS.length + 1}.*knows versions up to ${MIGRATIONS.length}.*update CLIP Workbench`));
    // Read-only opening refuses it too.
    expect(() => stores.open({ readonly: true })).toThrow(/update CLIP Workbench/);
  });

  it('read-only opening works on a current database and refuses an outdated one', () => {
    stores.open().runs.create({ id: 'r', name: 'r', origin: 'app' });
    const ro = stores.open({ readonly: true });
    expect(ro.db.readonly).toBe(true);
    expect(ro.runs.get('r')?.name).toBe('r');
    ro.close();
    const db = new Database(stores.file());
    db.prepare('DELETE FROM schema_migrations WHERE version = ?').run(MIGRATIONS.length);
    db.close();
    expect(() => stores.open({ readonly: true })).toThrow(/open it once read-write/);
  });

  it('names the file when it is not a database, and creates missing parent folders', () => {
    const junk = path.join(stores.dir(), 'junk.sqlite');
    fs.writeFileSync(junk, 'this is not sqlite at all, just some text that is long enough to have a header'.repeat(20));
    expect(() => openStore({ file: junk })).toThrow(new RegExp(`${junk.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not a CLIP Workbench database`));
    const nested = openStore({ file: path.join(stores.dir(), 'a', 'b', 'clipwb.sqlite') });
    expect(nested.schemaVersion).toBe(MIGRATIONS.length);
    nested.close();
  });

  it('two connections can open the same fresh file; migrations run once', () => {
    const a = stores.open();
    const b = stores.open();
    expect(a.migration.applied.length + b.migration.applied.length).toBe(MIGRATIONS.length);
    const rows = a.db.prepare('SELECT COUNT(*) FROM schema_migrations').pluck().get();
    expect(rows).toBe(MIGRATIONS.length);
  });
});
