import { describe, expect, it } from 'vitest';
import { compareHash, formatLocation, parseLocation, parseQuery, runPath, splitList } from '../../../../src-renderer/stores/route';

describe('parseLocation', () => {
  it('maps the sections', () => {
    expect(parseLocation('').name).toBe('dashboard');
    expect(parseLocation('#/').name).toBe('dashboard');
    expect(parseLocation('#/runs').name).toBe('runs');
    expect(parseLocation('#/runs/').name).toBe('runs');
    expect(parseLocation('#/new').name).toBe('new');
    expect(parseLocation('#/data').name).toBe('data');
    expect(parseLocation('#/evaluations').name).toBe('evaluations');
    expect(parseLocation('#/compare').name).toBe('compare');
  });
  it('reads the run id and the query', () => {
    const r = parseLocation('#/runs/20261126-demo-1a2b?tab=logs&x=1');
    expect(r).toEqual({ name: 'run', params: { id: '20261126-demo-1a2b' }, query: { tab: 'logs', x: '1' }, path: '/runs/20261126-demo-1a2b' });
  });
  it('decodes encoded ids and tolerates bad escapes', () => {
    expect(parseLocation('#/runs/a%20b').params.id).toBe('a b');
    expect(parseLocation('#/runs/a%E0').params.id).toBe('a%E0');
  });
  it('says not-found for unknown paths instead of guessing', () => {
    expect(parseLocation('#/nope').name).toBe('not-found');
    expect(parseLocation('#/runs/a/b').name).toBe('not-found');
  });
});

describe('query and hashes', () => {
  it('round-trips through formatLocation', () => {
    const hash = formatLocation('/compare', { runs: 'a,b', empty: '', none: undefined });
    expect(hash).toBe('#/compare?runs=a%2Cb');
    expect(parseLocation(hash).query).toEqual({ runs: 'a,b' });
  });
  it('parses plus signs and missing values', () => {
    expect(parseQuery('?q=a+b&flag')).toEqual({ q: 'a b', flag: '' });
  });
  it('builds run and compare links', () => {
    expect(runPath('a/b')).toBe('/runs/a%2Fb');
    expect(splitList(parseLocation(compareHash(['r1', 'r2'])).query.runs)).toEqual(['r1', 'r2']);
    expect(splitList(' a, ,b ,')).toEqual(['a', 'b']);
    expect(splitList(undefined)).toEqual([]);
  });
});
