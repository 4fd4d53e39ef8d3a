import { describe, expect, it } from 'vitest';
import { cleanText } from '../../../src-worker/text/clean';
import { preTokenize } from '../../../src-worker/text/pre-tokenize';

const split = (text: string): string[] => preTokenize(cleanText(text));

describe('preTokenize', () => {
  it('splits contractions off the word before them', () => {
    expect(split("it's")).toEqual(['it', "'s"]);
    expect(split("don't we're they've i'm you'll he'd")).toEqual(['don', "'t", 'we', "'re", 'they', "'ve", 'i', "'m", 'you', "'ll", 'he', "'d"]);
  });

  it('keeps an apostrophe that starts no contraction as punctuation', () => {
    expect(split("rock 'n' roll")).toEqual(['rock', "'", 'n', "'", 'roll']);
  });

  it('splits digits one by one', () => {
    expect(split('1024 px')).toEqual(['1', '0', '2', '4', 'px']);
    expect(split('abc123def')).toEqual(['abc', '1', '2', '3', 'def']);
    expect(split('٣٤')).toEqual(['٣', '٤']); // Arabic-Indic digits are \p{N} too
  });

  it('keeps runs of punctuation together and apart from letters', () => {
    expect(split('wow!!! ...really?')).toEqual(['wow', '!!!', '...', 'really', '?']);
    expect(split('a-b_c')).toEqual(['a', '-', 'b', '_', 'c']);
    expect(split('😂😂 ok')).toEqual(['😂😂', 'ok']);
  });

  it('treats letters of any script as words', () => {
    expect(split('naïve café')).toEqual(['naïve', 'café']);
    expect(split('привет мир')).toEqual(['привет', 'мир']);
    expect(split('東京タワー')).toEqual(['東京タワー']);
  });

  it('keeps the special tokens whole', () => {
    expect(split('a <start_of_text>b<end_of_text>')).toEqual(['a', '<start_of_text>', 'b', '<end_of_text>']);
    // upper case is lowered by cleaning, then still matches
    expect(split('<END_OF_TEXT>')).toEqual(['<end_of_text>']);
    expect(split('<start_of>')).toEqual(['<', 'start', '_', 'of', '>']);
  });
});
