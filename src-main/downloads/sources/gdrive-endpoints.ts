/** Google Drive base URLs; overridable so tests (and mirrors) can point them elsewhere. */
export interface DriveEndpoints {
  /** Folder pages and the legacy /uc download URL. */
  drive: string;
  /** Where file data and the large-file confirmation form live. */
  usercontent: string;
}

export function driveEndpointsFromEnv(env: NodeJS.ProcessEnv = process.env): DriveEndpoints {
  return {
    drive: (env.CLIPWB_GDRIVE_ENDPOINT ?? 'https://drive.google.com').replace(/\/+$/, ''),
    usercontent: (env.CLIPWB_GDRIVE_USERCONTENT_ENDPOINT ?? 'https://drive.usercontent.google.com').replace(/\/+$/, ''),
  };
}

/** Accepts a folder/file id or a Drive URL (`/drive/folders/<id>`, `/file/d/<id>`, `?id=<id>`). */
export function driveIdFrom(input: string): string | null {
  const trimmed = input.trim();
  if (/^[\w-]{10,}$/.test(trimmed)) return trimmed;
  const m = /\/folders\/([\w-]{10,})/.exec(trimmed) ?? /\/file\/d\/([\w-]{10,})/.exec(trimmed) ?? /[?&]id=([\w-]{10,})/.exec(trimmed);
  return m?.[1] ?? null;
}
