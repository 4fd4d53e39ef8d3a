/// <reference types="vite/client" />
/**
 * The model config names the app ships (resources/model_configs), for the model fields' suggestions
 * and the unknown-name check. Read from the file names at build time; the JSON itself is not loaded.
 */
const files = import.meta.glob('../../../resources/model_configs/*.json');

export const BUNDLED_MODEL_NAMES: readonly string[] = Object.keys(files)
  .map((p) => p.slice(p.lastIndexOf('/') + 1).replace(/\.json$/, ''))
  .sort((a, b) => a.localeCompare(b));
