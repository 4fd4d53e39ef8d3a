/**
 * The smallest cookie jar that the Google Drive confirmation step needs: name=value per host, from
 * Set-Cookie, sent back to the same host. No paths, no expiry: it lives for one download.
 */
export class CookieJar {
  private readonly byHost = new Map<string, Map<string, string>>();

  store(url: string, setCookie: string[] | string | undefined): void {
    if (!setCookie) return;
    const host = new URL(url).hostname;
    const jar = this.byHost.get(host) ?? new Map<string, string>();
    for (const header of Array.isArray(setCookie) ? setCookie : [setCookie]) {
      const pair = header.split(';')[0] ?? '';
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
    this.byHost.set(host, jar);
  }

  headerFor(url: string): string | null {
    const jar = this.byHost.get(new URL(url).hostname);
    if (!jar || jar.size === 0) return null;
    return [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  /** Cookies of a host whose name starts with `prefix` (e.g. Drive's `download_warning_...`). */
  find(url: string, prefix: string): { name: string; value: string } | null {
    const jar = this.byHost.get(new URL(url).hostname);
    for (const [name, value] of jar ?? []) if (name.startsWith(prefix)) return { name, value };
    return null;
  }
}
