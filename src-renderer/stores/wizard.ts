/**
 * The new-run wizard: the option table and presets from `options.list`, the draft being edited, local
 * checks on every keystroke, and `runs.validate` on the whole config a moment after typing stops
 * (answers to older configs are ignored). Creating the run goes through `runs.create`; its error, if
 * any, lands next to its field like a validation error.
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { ModelInfo, TaskInfo } from '../../src-shared/api/contract';
import type { DatasetInfo, FieldError, GpuSample, OptionInfo, PresetInfo, ValidationResult } from '../../src-shared/api/types';
import { client } from './client';
import { indexOptions } from '../components/wizard/option-lookup';
import { draftFromPreset, draftFromValues, withTeacher, type FieldValue, type WizardDraft } from '../components/wizard/draft';
import { assembleConfig, configSignature } from '../components/wizard/assemble';
import { checkDraft, visibleErrors } from '../components/wizard/local-checks';
import { errorsPerStep, mapFieldErrors } from '../components/wizard/field-errors';
import { commandPreview, type ValidationSnapshot } from '../components/wizard/command-preview';
import { WIZARD_STEPS, stepIndex, stepOfKey, type StepId } from '../components/wizard/steps';
import { BUNDLED_MODEL_NAMES } from '../components/wizard/model-names';
import { messageWithFix } from '../../src-shared/errors';

/** Long enough that a typed number is finished, short enough to feel immediate. */
export const VALIDATE_DEBOUNCE_MS = 300;

function messageOf(err: unknown): string {
  return messageWithFix(err);
}

export const useWizardStore = defineStore('wizard', () => {
  const options = shallowRef<OptionInfo[]>([]);
  const presets = shallowRef<PresetInfo[]>([]);
  const datasets = shallowRef<DatasetInfo[]>([]);
  const models = shallowRef<ModelInfo[]>([]);
  const tasks = shallowRef<TaskInfo[]>([]);
  const gpus = shallowRef<{ state: string; reason: string | null; gpus: GpuSample[] } | null>(null);
  const loaded = ref(false);
  const loadError = ref<string | null>(null);

  const draft = ref<WizardDraft>({ fields: {}, useTeacher: false });
  const presetName = ref<string | null>(null);
  /** Names in a preset or cloned config that this wizard has no field for (shown, not silently dropped). */
  const droppedNames = ref<string[]>([]);
  const step = ref<StepId>('data');
  const runTags = ref('');
  const runNotes = ref('');
  /** Fields the user edited: only those (or all, once showAll) show a "required" error. */
  const touched = ref<Set<string>>(new Set());
  const showAll = ref(false);
  /** The server's answer on whether the typed training data exists (for the value it was asked about). */
  const trainDataProblem = ref<{ value: string; problem: string | null } | null>(null);

  const index = computed(() => indexOptions(options.value));
  const config = computed(() => assembleConfig(draft.value, options.value));
  const signature = computed(() => configSignature(config.value));
  const localErrors = computed(() => checkDraft(draft.value, options.value, BUNDLED_MODEL_NAMES));

  const lastValidation = shallowRef<ValidationSnapshot | null>(null);
  const validating = ref(false);
  /** Errors from the server: the last validation's, or the create call's. */
  const serverErrors = shallowRef<FieldError[]>([]);
  const requestError = ref<string | null>(null);
  const creating = ref(false);

  const mappedServer = computed(() => mapFieldErrors(serverErrors.value, index.value));
  const trainDataValue = computed(() => String(draft.value.fields.trainData ?? '').trim());
  const pathErrors = computed<Record<string, string>>(() => {
    const p = trainDataProblem.value;
    const out: Record<string, string> = {};
    if (p && p.problem && p.value === trainDataValue.value) out.trainData = p.problem;
    return out;
  });
  const allErrors = computed<Record<string, string>>(() => ({ ...mappedServer.value.byKey, ...pathErrors.value, ...localErrors.value }));
  const fieldErrors = computed<Record<string, string>>(() => visibleErrors(allErrors.value, touched.value, showAll.value));
  const generalErrors = computed(() => [...mappedServer.value.general, ...(requestError.value ? [requestError.value] : [])]);
  const stepErrors = computed(() => errorsPerStep(Object.keys(fieldErrors.value), generalErrors.value.length));
  const warnings = computed(() => lastValidation.value?.result.warnings ?? []);
  const preview = computed(() => commandPreview(signature.value, lastValidation.value, Object.keys(localErrors.value).length));

  let timer: ReturnType<typeof setTimeout> | null = null;
  let sequence = 0;
  let pathSequence = 0;

  /** Asks the server whether the typed training data exists (not for builtin: sets or empty values). */
  async function checkTrainData(): Promise<void> {
    const value = trainDataValue.value;
    if (value === '' || value.startsWith('builtin:')) {
      trainDataProblem.value = null;
      return;
    }
    if (trainDataProblem.value?.value === value) return;
    const mine = ++pathSequence;
    try {
      const { problem } = await client().call('runs.checkTrainData', { value });
      if (mine === pathSequence) trainDataProblem.value = { value, problem };
    } catch {
      // The check is a convenience: without an answer the run's own validation still applies.
      if (mine === pathSequence) trainDataProblem.value = null;
    }
  }

  async function validateNow(): Promise<void> {
    if (timer !== null) { clearTimeout(timer); timer = null; }
    const mine = ++sequence;
    const sig = signature.value;
    validating.value = true;
    const pathCheck = checkTrainData();
    try {
      const [result] = await Promise.all([client().call('runs.validate', { config: config.value }) as Promise<ValidationResult>, pathCheck]);
      if (mine !== sequence) return;
      lastValidation.value = { signature: sig, result };
      serverErrors.value = result.errors;
      requestError.value = null;
    } catch (err) {
      if (mine !== sequence) return;
      requestError.value = `Could not check the configuration: ${messageOf(err)}`;
    } finally {
      if (mine === sequence) validating.value = false;
    }
  }

  function scheduleValidation(): void {
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(() => { timer = null; void validateNow(); }, VALIDATE_DEBOUNCE_MS);
  }

  function setDraft(next: WizardDraft): void {
    draft.value = next;
    scheduleValidation();
  }

  function touch(keys: readonly string[]): void {
    const next = new Set(touched.value);
    for (const k of keys) next.add(k);
    touched.value = next;
  }

  function setField(key: string, value: FieldValue): void {
    touch([key]);
    setDraft({ ...draft.value, fields: { ...draft.value.fields, [key]: value } });
  }

  function setFields(fields: Record<string, FieldValue>): void {
    touch(Object.keys(fields).filter((k) => fields[k] !== draft.value.fields[k]));
    setDraft({ ...draft.value, fields });
  }

  /** After a run is created: its name, tags and notes are its own, not the next run's. */
  function forgetRunIdentity(): void {
    const { name: _name, ...fields } = draft.value.fields;
    draft.value = { ...draft.value, fields };
    runTags.value = '';
    runNotes.value = '';
    touched.value = new Set();
    showAll.value = false;
  }

  function setUseTeacher(on: boolean): void {
    setDraft(withTeacher(draft.value, on));
  }

  function applyPreset(name: string): void {
    const p = presets.value.find((x) => x.name === name);
    if (!p) return;
    const { draft: next, unknown } = draftFromPreset(options.value, p);
    presetName.value = name;
    droppedNames.value = unknown;
    setDraft(next);
  }

  function reset(): void {
    presetName.value = null;
    droppedNames.value = [];
    setDraft(draftFromValues(options.value).draft);
    step.value = 'data';
    touched.value = new Set();
    showAll.value = false;
  }

  async function refreshGpus(): Promise<void> {
    try {
      gpus.value = await client().call('gpu.snapshot', {});
    } catch (err) {
      gpus.value = { state: 'error', reason: messageOf(err), gpus: [] };
    }
  }

  /**
   * Loads the option table and what the steps offer. `from` starts from a stored run's config (clone),
   * `preset` from a preset; otherwise a draft already being edited is kept.
   */
  async function load(start: { preset?: string; from?: string } = {}): Promise<void> {
    loadError.value = null;
    try {
      const api = client();
      const [opts, ds, ms, ts] = await Promise.all([
        api.call('options.list', {}),
        api.call('datasets.list', {}),
        api.call('models.list', {}).catch(() => ({ models: [] as ModelInfo[] })),
        api.call('tasks.list', {}).catch(() => ({ tasks: [] as TaskInfo[] })),
      ]);
      options.value = opts.options;
      presets.value = opts.presets;
      datasets.value = ds.datasets;
      models.value = ms.models;
      tasks.value = ts.tasks;
      void refreshGpus();
      if (start.from) {
        const run = await api.call('runs.get', { id: start.from });
        // A clone is a new run: it gets its own name and does not continue the original's checkpoints.
        const { name: _name, resume: _resume, ...config } = run.config;
        const { draft: next, unknown } = draftFromValues(options.value, config);
        presetName.value = null;
        droppedNames.value = unknown;
        setDraft(next);
      } else if (start.preset && presets.value.some((p) => p.name === start.preset)) {
        applyPreset(start.preset);
      } else if (!loaded.value || Object.keys(draft.value.fields).length === 0) {
        setDraft(draftFromValues(options.value).draft);
      }
      loaded.value = true;
    } catch (err) {
      loadError.value = messageOf(err);
    }
  }

  function setStep(id: StepId): void {
    step.value = id;
    // The review step lists every problem left, missing values included.
    if (id === 'review') showAll.value = true;
  }
  function goTo(id: StepId): void { setStep(id); }
  function next(): void { setStep(WIZARD_STEPS[Math.min(stepIndex(step.value) + 1, WIZARD_STEPS.length - 1)]!.id); }
  function back(): void { setStep(WIZARD_STEPS[Math.max(stepIndex(step.value) - 1, 0)]!.id); }

  /** The first step holding an error, to send the user there. */
  function firstStepWithError(): StepId | null {
    for (const s of WIZARD_STEPS) if (stepErrors.value[s.id] > 0) return s.id;
    return null;
  }

  /** Creates and queues the run; returns its id, or null (with the error placed next to its field). */
  async function create(): Promise<string | null> {
    // A second click (or Ctrl+Enter) while the first is still checking must not make a second run.
    if (creating.value) return null;
    creating.value = true;
    showAll.value = true;
    try {
      await validateNow();
      const bad = firstStepWithError();
      if (bad) { step.value = bad; return null; }
      const tags = runTags.value.split(',').map((t) => t.trim()).filter((t) => t.length > 0);
      const notes = runNotes.value.trim();
      const r = await client().call('runs.create', { config: config.value, ...(tags.length ? { tags } : {}), ...(notes ? { notes } : {}) });
      forgetRunIdentity();
      return r.run.id;
    } catch (err) {
      const field = (err as { field?: unknown }).field;
      // No field: the error is about the run as a whole and shows at the top of the review step.
      serverErrors.value = [{ field: typeof field === 'string' ? field : '', message: messageOf(err) }];
      step.value = stepOfKey(index.value.find(typeof field === 'string' ? field : '')?.key);
      return null;
    } finally {
      creating.value = false;
    }
  }

  return {
    options, presets, datasets, models, tasks, gpus, loaded, loadError,
    draft, presetName, droppedNames, step, runTags, runNotes, touched, showAll,
    index, config, signature, localErrors, fieldErrors, generalErrors, stepErrors, warnings, preview, validating, creating,
    setField, setFields, setUseTeacher, applyPreset, reset, load, refreshGpus, validateNow, goTo, next, back, create,
  };
});
