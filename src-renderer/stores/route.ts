/**
 * Where the app is: parsed from and written to the URL hash (`#/runs/abc?tab=logs`). Hash routing
 * works the same from the web server and from a file:// page in Electron, with no server rewrite
 * rules. Pure parsing here (unit-tested); router.ts binds it to window.location and the page table.
 */

export type RouteName = 'dashboard' | 'runs' | 'run' | 'new' | 'data' | 'evaluations' | 'compare' | 'not-found';

export interface Route {
  name: RouteName;
  /** Path parameters: `id` for a run. */
  params: Record<string, string>;
  query: Record<string, string>;
  /** The normalised path, e.g. "/runs/abc". */
  path: string;
}

const STATIC: Record<string, RouteName> = {
  '/': 'dashboard',
  '/runs': 'runs',
  '/new': 'new',
  '/data': 'data',
  '/evaluations': 'evaluations',
  '/compare': 'compare',
};

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export function parseQuery(search: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of search.replace(/^\?/, '').split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const k = decode((eq < 0 ? part : part.slice(0, eq)).replace(/\+/g, ' '));
    const v = eq < 0 ? '' : decode(part.slice(eq + 1).replace(/\+/g, ' '));
    if (k) out[k] = v;
  }
  return out;
}

/** "#/runs/abc?tab=logs" (or "/runs/abc?tab=logs") → the route. Unknown paths give 'not-found'. */
export function parseLocation(hash: string): Route {
  const raw = hash.replace(/^#/, '') || '/';
  const q = raw.indexOf('?');
  let path = (q < 0 ? raw : raw.slice(0, q)) || '/';
  if (!path.startsWith('/')) path = `/${path}`;
  if (path.length > 1) path = path.replace(/\/+$/, '');
  const query = parseQuery(q < 0 ? '' : raw.slice(q + 1));
  const fixed = STATIC[path];
  if (fixed) return { name: fixed, params: {}, query, path };
  const m = /^\/runs\/([^/]+)$/.exec(path);
  if (m?.[1]) return { name: 'run', params: { id: decode(m[1]) }, query, path };
  return { name: 'not-found', params: {}, query, path };
}

/** The hash for a path and query; empty query values are left out so URLs stay short. */
export function formatLocation(path: string, query: Record<string, string | undefined> = {}): string {
  const qs = Object.entries(query)
    .filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
  return `#${path}${qs ? `?${qs}` : ''}`;
}

export const runPath = (id: string): string => `/runs/${encodeURIComponent(id)}`;

/** The compare page for these runs: `#/compare?runs=a,b`. */
export const compareHash = (ids: readonly string[]): string => formatLocation('/compare', { runs: ids.join(',') });

export function splitList(v: string | undefined): string[] {
  return (v ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0);
}
