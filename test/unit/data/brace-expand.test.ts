import { describe, expect, it } from 'vitest';
import { expandBraces } from '../../../src-worker/data/shards/brace-expand';
import { splitSources } from '../../../src-worker/data/shards/resolve';

describe('expandBraces', () => {
  it('expands the seed DFN pattern to 140 zero-padded names', () => {
    const names = expandBraces('./dfn_data/00000{000..139}.tar');
    expect(names).toHaveLength(140);
    expect(names[0]).toBe('./dfn_data/00000000.tar');
    expect(names[7]).toBe('./dfn_data/00000007.tar');
    expect(names[139]).toBe('./dfn_data/00000139.tar');
  });

  it('pads to the widest end only when an end has a leading zero', () => {
    expect(expandBraces('{8..11}')).toEqual(['8', '9', '10', '11']);
    expect(expandBraces('{08..11}')).toEqual(['08', '09', '10', '11']);
    expect(expandBraces('{008..10}')).toEqual(['008', '009', '010']);
  });

  it('handles lists, descending and stepped ranges, letters', () => {
    expect(expandBraces('x{a,b,c}.tar')).toEqual(['xa.tar', 'xb.tar', 'xc.tar']);
    expect(expandBraces('{3..1}')).toEqual(['3', '2', '1']);
    expect(expandBraces('{0..10..5}')).toEqual(['0', '5', '10']);
    expect(expandBraces('{a..c}')).toEqual(['a', 'b', 'c']);
  });

  it('multiplies several groups left to right and expands nested groups', () => {
    expect(expandBraces('{a,b}-{1..2}')).toEqual(['a-1', 'a-2', 'b-1', 'b-2']);
    expect(expandBraces('d/{x,y{1..2}}/s')).toEqual(['d/x/s', 'd/y1/s', 'd/y2/s']);
    expect(expandBraces('{{a,b},c}')).toEqual(['a', 'b', 'c']);
  });

  it('keeps literal and unmatched braces and honours backslash escapes', () => {
    expect(expandBraces('plain.tar')).toEqual(['plain.tar']);
    expect(expandBraces('a{b}c')).toEqual(['a{b}c']);
    expect(expandBraces('a{b')).toEqual(['a{b']);
    expect(expandBraces('a}b{1,2}')).toEqual(['a}b1', 'a}b2']);
    expect(expandBraces('\\{1,2\\}')).toEqual(['{1,2}']);
  });

  it('splits sources on :: as open_clip does', () => {
    expect(splitSources('/a/{0..1}.tar::/b/x.tar')).toEqual(['/a/{0..1}.tar', '/b/x.tar']);
    expect(splitSources(' /a.tar :: ')).toEqual(['/a.tar']);
  });
});
