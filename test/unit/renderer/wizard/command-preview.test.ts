import { describe, expect, it } from 'vitest';
import { toCommandLine, validateTrainConfig } from '../../../../src-shared/config/train-config';
import { commandPreview, singleLineCommand, type ValidationSnapshot } from '../../../../src-renderer/components/wizard/command-preview';

const command = toCommandLine(validateTrainConfig({ trainData: 'builtin:fashion-mnist', epochs: 1, lr: 0.002, name: "my run's" }).config);
const ok: ValidationSnapshot = { signature: 's1', result: { ok: true, errors: [], warnings: [], command } };

describe('the review step\'s command preview', () => {
  it('shows the server\'s command while it describes what is on screen', () => {
    expect(commandPreview('s1', ok, 0)).toEqual({ command, state: 'current' });
  });

  it('keeps the last command, marked as being checked, while a newer config is validated', () => {
    expect(commandPreview('s2', ok, 0)).toEqual({ command, state: 'checking' });
    expect(commandPreview('s2', null, 0)).toEqual({ command: null, state: 'checking' });
  });

  it('shows no command for a config with errors', () => {
    expect(commandPreview('s1', ok, 1)).toEqual({ command: null, state: 'invalid' });
    const bad: ValidationSnapshot = { signature: 's3', result: { ok: false, errors: [{ field: 'lr', message: 'x' }], warnings: [], command: null } };
    expect(commandPreview('s3', bad, 0)).toEqual({ command: null, state: 'invalid' });
  });

  it('puts a multi-line command on one line, quoting untouched', () => {
    expect(command).toContain(' \\\n  --');
    const one = singleLineCommand(command);
    expect(one).toBe("clipwb train --train-data builtin:fashion-mnist --lr 0.002 --epochs 1 --name 'my run'\\''s'");
  });
});
