/** `Content-Range: bytes 100-199/1000`, `bytes 100-199/*` or (with 416) `bytes *\/1000`. */
export interface ContentRange {
  start: number | null;
  end: number | null;
  total: number | null;
}

export function parseContentRange(value: string | undefined): ContentRange | null {
  if (!value) return null;
  const m = /^bytes\s+(?:(\d+)-(\d+)|\*)\/(\d+|\*)$/i.exec(value.trim());
  if (!m) return null;
  return {
    start: m[1] === undefined ? null : Number(m[1]),
    end: m[2] === undefined ? null : Number(m[2]),
    total: m[3] === undefined || m[3] === '*' ? null : Number(m[3]),
  };
}
