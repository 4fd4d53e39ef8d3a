/** The reference (teacher) model: loading from pulled models, folders and checkpoints; HF name mapping; init from teacher. */
export { loadReferenceModel, type LoadReferenceOptions, type ReferenceModel } from './load';
export { initStudentFromTeacher, planInitFromTeacher, type InitFromTeacherReport } from './init-from-teacher';
export { resolveReferenceSource, PULL_MANIFEST_NAME, type ResolvedSource } from './resolve-source';
export { hfParamSpecs, hfRules, hfToOpenClip, openClipToHf, looksLikeHfLayout, type HfRule, type HfParamSpec } from './hf-layout';
export { parseHfClipConfig, readHfClipConfig, HfConfigError, type HfClipArchitecture } from './hf-config';
export { architectureDifferences } from './architecture';
export { assertTeacherFitsStudent, assertSharedTokenizer } from './pairing';
export { OPENAI_REPO } from './errors';
