/** CLIP byte-level BPE: cleaning, tokenizer, vocabulary files and the BPE trainer. */
export { cleanText } from './clean';
export { preTokenize, START_OF_TEXT, END_OF_TEXT, HF_START_OF_TEXT, HF_END_OF_TEXT } from './pre-tokenize';
export { ClipTokenizer, DEFAULT_CONTEXT_LENGTH, type TokenizerOptions } from './tokenizer';
export {
  loadVocabulary,
  loadVocabularySync,
  saveVocabulary,
  resolveVocabularyFiles,
  type SavedVocabularyFiles,
  type VocabularySource,
} from './vocab-files';
export { VocabularyError, assertVocabularyFitsModel, vocabularyFromMerges, MAX_MERGES, type BpeVocabulary, type MergeRule } from './vocabulary';
export { standardVocabularyPath, noDefaultVocabularyError, STANDARD_VOCAB_FILE, STANDARD_VOCAB_SIZE } from './standard-vocab';
export { trainBpe, type TrainBpeOptions, type TrainBpeResult } from './train-bpe';
export { tokenizeCommand, type TokenizeCommandArgs } from './tokenize-command';
