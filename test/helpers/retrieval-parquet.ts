/** Parquet files shaped as the hub's MSCOCO / Flickr retrieval sets, written with hyparquet-writer. */
import { parquetWriteBuffer } from 'hyparquet-writer';

/** The schema the `datasets` library writes for {image: Image(), caption: Sequence(Value("string")), img_id: int64}. */
const SCHEMA = [
  { name: 'root', num_children: 3 },
  { name: 'image', repetition_type: 'OPTIONAL', num_children: 2 },
  { name: 'bytes', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL' },
  { name: 'path', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
  { name: 'caption', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
  { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
  { name: 'element', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
  { name: 'img_id', type: 'INT64', repetition_type: 'OPTIONAL' },
] as const;

export interface RetrievalRow {
  image: Buffer;
  captions: string[];
}

export function retrievalParquet(rows: RetrievalRow[], rowGroupSize = 2): Buffer {
  const buf = parquetWriteBuffer({
    schema: SCHEMA.map((s) => ({ ...s })) as never,
    rowGroupSize,
    columnData: [
      { name: 'image', data: rows.map((r, i) => ({ bytes: new Uint8Array(r.image), path: `${i}.jpg` })) },
      { name: 'caption', data: rows.map((r) => r.captions) },
      { name: 'img_id', data: rows.map((_, i) => BigInt(i)) },
    ],
  });
  return Buffer.from(buf);
}
