import { describe, expect, it } from 'vitest';
import { parseArgs, UsageError, type FlagSpec } from '../../../src-main/cli/args';
import { takeHomeFlag } from '../../../src-main/cli/context';

const SPECS: FlagSpec[] = [
  { name: 'tasks', type: 'list', help: 'tasks', required: true },
  { name: 'batch-size', type: 'int', help: 'batch', default: 256 },
  { name: 'scale', type: 'float', help: 'scale' },
  { name: 'json', type: 'bool', help: 'json' },
  { name: 'image', type: 'string', help: 'image', repeat: true },
];

describe('clipwb argument parser', () => {
  it('parses flags of every type, positionals, defaults and repeats', () => {
    const r = parseArgs(['pos', '--tasks', 'a, b,,c', '--batch_size=64', '--scale', '0.5', '--json', '--image', 'x.png', '--image=y.png', '--', '--not-a-flag'], SPECS, 'x');
    expect(r.flags).toEqual({ tasks: ['a', 'b', 'c'], 'batch-size': 64, scale: 0.5, json: true, image: ['x.png', 'y.png'] });
    expect(r.positionals).toEqual(['pos', '--not-a-flag']);
    expect(parseArgs(['--tasks', 'a', '--no-json'], SPECS, 'x').flags).toMatchObject({ json: false, 'batch-size': 256 });
  });

  it('rejects unknown flags, bad numbers, missing values and missing required flags with a UsageError', () => {
    const bad: [string[], RegExp][] = [
      [['--tasks', 'a', '--bogus'], /clipwb x: unknown option --bogus \(options: --tasks, --batch-size/],
      [['--tasks', 'a', '--batch-size', '1.5'], /--batch-size expects a whole number, got "1.5"/],
      [['--tasks', 'a', '--scale', 'big'], /--scale expects a number, got "big"/],
      [['--tasks'], /--tasks needs a value/],
      [[], /--tasks is required/],
    ];
    for (const [argv, message] of bad) {
      expect(() => parseArgs(argv, SPECS, 'x')).toThrow(UsageError);
      expect(() => parseArgs(argv, SPECS, 'x')).toThrow(message);
    }
  });

  it('takes --home out of the train arguments in both spellings', () => {
    expect(takeHomeFlag(['--lr', '1', '--home', '/h', '--x'])).toEqual({ home: '/h', rest: ['--lr', '1', '--x'] });
    expect(takeHomeFlag(['--home=/h2'])).toEqual({ home: '/h2', rest: [] });
  });
});
