/** Tokenizes and encodes texts a chunk at a time, so 80,000 class prompts never sit in memory together. */
import { checkEmbeddings, l2NormalizeRows } from './vectors';
import type { ClipEncoder, TextTokenizer } from './types';

export const DEFAULT_TEXT_BATCH_SIZE = 256;

export async function forEachTextChunk(
  encoder: ClipEncoder,
  tokenizer: TextTokenizer,
  texts: readonly string[],
  chunkSize: number,
  /** embeddings: L2-normalised [count, embedDim] of texts[start .. start+count). */
  onChunk: (embeddings: Float32Array, start: number, count: number) => void,
  signal?: AbortSignal,
): Promise<void> {
  if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new Error(`textBatchSize must be a positive integer, got ${chunkSize}`);
  const d = encoder.embedDim;
  const ctx = encoder.contextLength;
  for (let start = 0; start < texts.length; start += chunkSize) {
    signal?.throwIfAborted();
    const batch = texts.slice(start, start + chunkSize);
    const tokens = tokenizer.encode(batch, ctx);
    if (tokens.length !== batch.length * ctx) {
      throw new Error(`tokenizer returned ${tokens.length} ids for ${batch.length} texts; expected ${batch.length} x ${ctx} (the encoder's contextLength)`);
    }
    const out = await encoder.encodeTexts(tokens, batch.length);
    checkEmbeddings(out, batch.length, d, 'encodeTexts');
    onChunk(l2NormalizeRows(out, batch.length, d), start, batch.length);
  }
}
