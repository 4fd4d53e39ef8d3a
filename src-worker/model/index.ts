/** The CLIP model: configs, parameter lists, initialisation, forward, weights in and out. */
export * from './config';
export * from './param-spec';
export { initStateDict, initializerFor, type ParamInit } from './init';
export { type TensorMap } from './layers';
export * from './clip';
export * from './state-dict';
export { setActivationCheckpointing, activationCheckpointing } from './checkpointing';
