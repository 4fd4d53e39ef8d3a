/**
 * A minimal PNG encoder for 8-bit grayscale images, writing the pixels as a stored (uncompressed)
 * zlib stream. Compressing a 28x28 image would save about 400 bytes, which the 512-byte tar blocks
 * mostly round away again, and zlib's per-call cost (about 130 µs) would triple the dataset build
 * time. Stored blocks also make the bytes independent of the zlib version, so rebuilt shards hash
 * the same everywhere.
 */
import { crc32 } from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** A stored deflate block holds at most 65,535 bytes. */
const MAX_STORED = 0xffff;

function writeChunk(out: Buffer, at: number, type: string, dataLength: number): number {
  out.writeUInt32BE(dataLength, at);
  out.write(type, at + 4, 4, 'latin1');
  const end = at + 8 + dataLength;
  out.writeUInt32BE(crc32(out.subarray(at + 4, end)), end);
  return end + 4;
}

function adler32(data: Uint8Array): number {
  let a = 1;
  let b = 0;
  // 5552 is the longest run for which the sums cannot overflow before the modulo (zlib's NMAX).
  for (let start = 0; start < data.length; start += 5552) {
    const end = Math.min(data.length, start + 5552);
    for (let i = start; i < end; i++) {
      a += data[i] as number;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

export function encodeGrayPng(width: number, height: number, pixels: Uint8Array): Buffer {
  if (pixels.length !== width * height) throw new Error(`encodeGrayPng: expected ${width * height} pixels, got ${pixels.length}`);
  // Each scanline starts with its filter type, 0 (none).
  const raw = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++) raw.set(pixels.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  const blocks = Math.max(1, Math.ceil(raw.length / MAX_STORED));
  const zlibLength = 2 + blocks * 5 + raw.length + 4;
  const out = Buffer.alloc(8 + (12 + 13) + (12 + zlibLength) + 12);
  SIGNATURE.copy(out, 0);
  let at = 8;
  out.writeUInt32BE(width, at + 8);
  out.writeUInt32BE(height, at + 12);
  out[at + 16] = 8; // bit depth
  out[at + 17] = 0; // colour type: grayscale (compression, filter, interlace: 0)
  at = writeChunk(out, at, 'IHDR', 13);
  let p = at + 8;
  out[p++] = 0x78; // zlib header: deflate, 32K window, no dictionary, fastest-compression flag
  out[p++] = 0x01;
  for (let b = 0; b < blocks; b++) {
    const start = b * MAX_STORED;
    const len = Math.min(MAX_STORED, raw.length - start);
    out[p++] = b === blocks - 1 ? 1 : 0;
    out.writeUInt16LE(len, p);
    out.writeUInt16LE(~len & 0xffff, p + 2);
    p += 4;
    raw.copy(out, p, start, start + len);
    p += len;
  }
  out.writeUInt32BE(adler32(raw), p);
  at = writeChunk(out, at, 'IDAT', zlibLength);
  writeChunk(out, at, 'IEND', 0);
  return out;
}
