/**
 * Renderer entry: one API client (Electron preload or web transport; `?fake` in the URL swaps in the
 * in-memory fake for development and load tests), one event subscription, the desktop menu's
 * navigation requests, Pinia, the shell.
 */
import { createApp } from 'vue';
import { createPinia } from 'pinia';
import App from './App.vue';
import { setApi, useApi } from './api';
import { installClient } from './stores/client';
import { connectEvents } from './stores/events';
import { navigate, startRouter } from './router';
import { followShellNavigation } from './api/shell-navigation';
import type { PreloadBridge } from './api/electron-client';
import './styles/base.css';

async function boot(): Promise<void> {
  const params = new URLSearchParams(window.location.search);
  if (params.has('fake')) {
    const { createFakeClient } = await import('./dev/fake-client');
    setApi(createFakeClient({ longRunPoints: Number(params.get('points')) || 1_000_000 }));
  }
  const api = useApi();
  installClient(api);
  connectEvents(api);
  startRouter();
  // The desktop shell's menu (File > New Run…) navigates through the preload bridge.
  followShellNavigation((window as unknown as { clipwb?: PreloadBridge }).clipwb, (hash) => navigate(hash));
  createApp(App).use(createPinia()).mount('#app');
}

void boot();
