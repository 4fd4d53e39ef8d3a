/**
 * Hash routing bound to the page table. Pages load lazily (each is its own chunk), so the first paint
 * only pays for the shell and the page it opens on. /new, /data and /evaluations are UI engineer 2's.
 */
import { defineAsyncComponent, readonly, shallowRef, type Component, type Ref } from 'vue';
import { formatLocation, parseLocation, type Route, type RouteName } from './stores/route';

const pages: Record<RouteName, Component> = {
  dashboard: defineAsyncComponent(() => import('./pages/DashboardPage.vue')),
  runs: defineAsyncComponent(() => import('./pages/RunsPage.vue')),
  run: defineAsyncComponent(() => import('./pages/RunDetailPage.vue')),
  compare: defineAsyncComponent(() => import('./pages/ComparePage.vue')),
  new: defineAsyncComponent(() => import('./pages/WizardPage.vue')),
  data: defineAsyncComponent(() => import('./pages/DataPage.vue')),
  evaluations: defineAsyncComponent(() => import('./pages/EvaluationsPage.vue')),
  'not-found': defineAsyncComponent(() => import('./components/NotFound.vue')),
};

const current = shallowRef<Route>(parseLocation(window.location.hash));

export function startRouter(): void {
  window.addEventListener('hashchange', () => {
    current.value = parseLocation(window.location.hash);
  });
}

export function useRoute(): Readonly<Ref<Route>> {
  return readonly(current) as Readonly<Ref<Route>>;
}

export function pageFor(route: Route): Component {
  return pages[route.name];
}

/** Goes to a hash like "#/runs/abc"; `replace` keeps the back button for real navigation only. */
export function navigate(hash: string, replace = false): void {
  const target = hash.startsWith('#') ? hash : `#${hash}`;
  if (window.location.hash === target) return;
  if (replace) {
    window.history.replaceState(window.history.state, '', target);
    current.value = parseLocation(target);
  } else {
    window.location.hash = target;
  }
}

/** Changes query parameters of the current page (tabs, filters) without a history entry per keystroke. */
export function setQuery(patch: Record<string, string | undefined>): void {
  const r = current.value;
  navigate(formatLocation(r.path, { ...r.query, ...patch }), true);
}
