/**
 * Splits cleaned text into the words BPE runs on, with open_clip's pattern. Digits come out one by
 * one, letters in runs, other non-space characters in runs, and the two special tokens whole.
 */

export const START_OF_TEXT = '<start_of_text>';
export const END_OF_TEXT = '<end_of_text>';
/** Hugging Face spells the same two tokens this way in vocab.json. */
export const HF_START_OF_TEXT = '<|startoftext|>';
export const HF_END_OF_TEXT = '<|endoftext|>';

export const PRE_TOKEN_PATTERN = /<start_of_text>|<end_of_text>|'s|'t|'re|'ve|'m|'ll|'d|\p{L}+|\p{N}|[^\s\p{L}\p{N}]+/giu;

/** The pre-tokens of already-cleaned text (see cleanText), in order. */
export function preTokenize(cleaned: string): string[] {
  return cleaned.match(PRE_TOKEN_PATTERN) ?? [];
}
