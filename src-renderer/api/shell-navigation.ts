/**
 * Navigation asked for by the desktop shell (File > New Run… sends "/new" through the preload's
 * onNavigate). Only app routes are accepted: the shell says where to go, never what to load.
 */
export interface NavigationSource {
  onNavigate?(listener: (route: string) => void): () => void;
}

/** "/new" → "#/new"; anything that is not an in-app path (a URL, an empty string) → null. */
export function shellRouteToHash(route: unknown): string | null {
  if (typeof route !== 'string') return null;
  const r = route.trim();
  if (!/^\/[A-Za-z0-9/_.~?=&%,-]*$/.test(r) || r.startsWith('//')) return null;
  return `#${r}`;
}

/** Follows the shell's navigation requests with `go` (the router's navigate); returns the unsubscribe. */
export function followShellNavigation(source: NavigationSource | undefined, go: (hash: string) => void): () => void {
  if (!source?.onNavigate) return () => undefined;
  return source.onNavigate((route) => {
    const hash = shellRouteToHash(route);
    if (hash) go(hash);
  });
}
