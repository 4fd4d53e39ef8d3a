/** Trains a BPE vocabulary from the captions of webdataset shards (for models trained from scratch). */
import fs from 'node:fs';
import { FileByteSource, readTar } from './';
import { saveVocabulary, trainBpe } from '../text';
import { WorkbenchError } from '../../src-shared/errors';

/** Reads up to `limit` captions (`.txt` members) from the shards, in order. */
export async function readCaptions(shards: readonly string[], limit = 500_000): Promise<string[]> {
  const captions: string[] = [];
  const decoder = new TextDecoder();
  for (const shard of shards) {
    const source = await FileByteSource.open(shard);
    try {
      const isCaption = (name: string) => name.toLowerCase().endsWith('.txt');
      for await (const entry of readTar(source, { wantData: isCaption })) {
        if (entry.data && isCaption(entry.name)) captions.push(decoder.decode(entry.data).trim());
        if (captions.length >= limit) return captions;
      }
    } finally {
      await source.close();
    }
  }
  return captions;
}

export async function trainCaptionsVocabulary(shards: readonly string[], outDir: string, vocabSize: number): Promise<{ size: number; captions: number }> {
  const captions = await readCaptions(shards);
  if (captions.length === 0) throw new WorkbenchError(`no captions (.txt members) found in ${shards.length} shard(s); cannot train a vocabulary`, { kind: 'invalid', field: 'train-data' });
  const result = trainBpe(captions, { vocabSize });
  fs.mkdirSync(outDir, { recursive: true });
  saveVocabulary(result.vocabulary, outDir);
  return { size: result.size, captions: captions.length };
}
