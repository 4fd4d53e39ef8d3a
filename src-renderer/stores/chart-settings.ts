/**
 * Chart controls shared by the run page and the compare page (smoothing, log y, x axis), kept across
 * sessions in localStorage like TensorBoard keeps its smoothing. Anything unreadable there falls back
 * to the defaults (TensorBoard's 0.6 smoothing).
 */
import { defineStore } from 'pinia';
import { ref, watch } from 'vue';
import type { XMode } from '../charts/axis';

export interface ChartSettings {
  smoothing: number;
  logY: boolean;
  xMode: XMode;
}

export const DEFAULT_CHART_SETTINGS: ChartSettings = { smoothing: 0.6, logY: false, xMode: 'step' };
export const MAX_SMOOTHING = 0.99;
const STORAGE_KEY = 'clipwb.chart-settings';

export function parseChartSettings(json: string | null): ChartSettings {
  const out = { ...DEFAULT_CHART_SETTINGS };
  if (!json) return out;
  let o: unknown;
  try {
    o = JSON.parse(json);
  } catch {
    return out;
  }
  if (typeof o !== 'object' || o === null) return out;
  const r = o as Record<string, unknown>;
  if (typeof r.smoothing === 'number' && r.smoothing >= 0 && r.smoothing <= MAX_SMOOTHING) out.smoothing = r.smoothing;
  if (typeof r.logY === 'boolean') out.logY = r.logY;
  if (r.xMode === 'step' || r.xMode === 'relative' || r.xMode === 'wall') out.xMode = r.xMode;
  return out;
}

interface KeyValueStorage { getItem(key: string): string | null; setItem(key: string, value: string): void }

/** The browser's localStorage where there is one (tests and some embedders have none). */
export function storage(): KeyValueStorage | null {
  try {
    return (globalThis as { localStorage?: KeyValueStorage }).localStorage ?? null;
  } catch {
    return null;
  }
}

export const useChartSettings = defineStore('chart-settings', () => {
  const initial = parseChartSettings(storage()?.getItem(STORAGE_KEY) ?? null);
  const smoothing = ref(initial.smoothing);
  const logY = ref(initial.logY);
  const xMode = ref<XMode>(initial.xMode);
  watch([smoothing, logY, xMode], () => {
    try {
      storage()?.setItem(STORAGE_KEY, JSON.stringify({ smoothing: smoothing.value, logY: logY.value, xMode: xMode.value }));
    } catch {
      // Private mode or a full quota: the settings just do not persist.
    }
  });
  return { smoothing, logY, xMode };
});
