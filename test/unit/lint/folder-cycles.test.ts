/**
 * The engine's folders (src-worker/<folder>/) import each other without cycles: train/ is the loop on top,
 * io/ and the other parts below it. A cycle (train <-> eval, io <-> model) fails here with its path.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../../../src-worker');

function filesOf(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? filesOf(p) : /\.(ts|mts)$/.test(e.name) ? [p] : [];
  });
}

/** folder -> the other src-worker folders its files import (type-only imports included). */
function folderGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  const folders = fs.readdirSync(ROOT, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  for (const folder of folders) {
    const deps = new Set<string>();
    for (const file of filesOf(path.join(ROOT, folder))) {
      const src = fs.readFileSync(file, 'utf8');
      for (const m of src.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
        const rel = path.relative(ROOT, path.resolve(path.dirname(file), m[1]!));
        const top = rel.split(path.sep)[0]!;
        if (!rel.startsWith('..') && top !== folder && folders.includes(top)) deps.add(top);
      }
    }
    graph.set(folder, deps);
  }
  return graph;
}

function findCycle(graph: Map<string, Set<string>>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): string[] | null => {
    if (state.get(n) === 'done') return null;
    if (state.get(n) === 'open') return [...stack.slice(stack.indexOf(n)), n];
    state.set(n, 'open');
    stack.push(n);
    for (const d of graph.get(n) ?? []) {
      const c = visit(d);
      if (c) return c;
    }
    stack.pop();
    state.set(n, 'done');
    return null;
  };
  for (const n of graph.keys()) {
    const c = visit(n);
    if (c) return c;
  }
  return null;
}

describe('src-worker folders', () => {
  it('import each other without cycles', () => {
    const graph = folderGraph();
    expect(graph.get('train')?.has('eval')).toBe(true); // the graph is really read
    expect(findCycle(graph)).toBeNull();
  });

  it('the cycle finder finds a cycle when there is one', () => {
    expect(findCycle(new Map([['io', new Set(['model'])], ['model', new Set(['io'])]]))).toEqual(['io', 'model', 'io']);
  });
});
