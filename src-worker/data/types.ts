/** One training or evaluation batch as the data pipeline hands it to the engine. */
export interface Batch {
  /** Number of samples b. */
  size: number;
  /** Side of the square images, in pixels. */
  imageSize: number;
  /** Normalised pixels, NHWC: [b, imageSize, imageSize, 3], OpenAI mean/std applied. */
  images: Float32Array;
  /** Token ids [b, contextLength], zero-padded, as the tokenizer produced them. */
  tokens: Int32Array;
  contextLength: number;
  /** Global sample index of each row (the webdataset JSON `key`), used to index FastCLIP's state. */
  keys: Int32Array;
  /** Milliseconds the consumer waited for this batch (data time in the training log). */
  waitMs: number;
  /** Epoch this batch belongs to (set by the training loader). */
  epoch?: number;
  /** Position of this batch inside its epoch, from 0 (set by the training loader; resume from index + 1). */
  index?: number;
}

/** A batch of an evaluation set, eval-transformed (shortest-side resize + centre crop), in file order. */
export interface EvalImageBatch {
  size: number;
  imageSize: number;
  /** Normalised pixels, NHWC: [size, imageSize, imageSize, 3]. */
  images: Float32Array;
  /** The webdataset key of each row (e.g. "s0000123"). */
  sampleKeys: string[];
}

export interface ClassificationBatch extends EvalImageBatch {
  /** Class index of each row, in [0, classnames.length). */
  labels: Int32Array;
}

export interface RetrievalBatch extends EvalImageBatch {
  /** The captions of each row's image (one or more each). */
  captions: string[][];
}
