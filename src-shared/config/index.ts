/**
 * The training configuration, shared by every process and the renderer: the option table (one row per
 * flag, with type, default and bounds), the presets, and the parser/validator that turns flags or an
 * API object into one validated `TrainConfig`. Pure TypeScript: no Node-only imports, no tfjs.
 */
export * from './options';
export * from './presets';
export * from './train-config';
