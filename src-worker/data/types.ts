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
}
