import { describe, expect, it } from 'vitest';
import { followShellNavigation, shellRouteToHash } from '../../../../src-renderer/api/shell-navigation';

describe('navigation from the desktop shell', () => {
  it('follows File > New Run… ("/new") to the wizard', () => {
    let listener: ((route: string) => void) | null = null;
    let unsubscribed = false;
    const bridge = { onNavigate: (l: (route: string) => void) => { listener = l; return () => { unsubscribed = true; }; } };
    const went: string[] = [];
    const off = followShellNavigation(bridge, (h) => went.push(h));
    expect(listener).not.toBeNull();
    listener!('/new');
    listener!('/runs/abc?tab=logs');
    expect(went).toEqual(['#/new', '#/runs/abc?tab=logs']);
    off();
    expect(unsubscribed).toBe(true);
  });
  it('ignores anything that is not an in-app route', () => {
    for (const bad of ['https://example.org', '//evil.example', '', 'new', 'javascript:alert(1)', 42]) expect(shellRouteToHash(bad)).toBeNull();
  });
  it('does nothing without a bridge (the web mode)', () => {
    expect(() => followShellNavigation(undefined, () => { throw new Error('no'); })()).not.toThrow();
  });
});
