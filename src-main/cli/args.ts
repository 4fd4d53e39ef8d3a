/**
 * A small argument parser for the subcommands that are not `train` (whose flags come from the option
 * table). Unknown flags are errors with a suggestion, never silently ignored.
 */
import { WorkbenchError, type WorkbenchErrorOptions } from '../../src-shared/errors';

export class UsageError extends WorkbenchError {
  override name = 'UsageError';
  constructor(message: string, options: WorkbenchErrorOptions = {}) {
    super(message, { kind: 'invalid', ...options });
  }
}

export interface FlagSpec {
  name: string;
  type: 'string' | 'int' | 'float' | 'bool' | 'list';
  help: string;
  required?: boolean;
  default?: string | number | boolean | string[];
  /** May be given several times (values collected in order). */
  repeat?: boolean;
}

export interface ParsedArgs {
  flags: Record<string, string | number | boolean | string[] | undefined>;
  positionals: string[];
}

export function parseArgs(argv: readonly string[], specs: readonly FlagSpec[], command: string): ParsedArgs {
  const flags: ParsedArgs['flags'] = {};
  const positionals: string[] = [];
  const find = (n: string) => specs.find((s) => s.name === n || s.name === n.replace(/_/g, '-'));
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') { positionals.push(...argv.slice(i + 1)); break; }
    if (!a.startsWith('--')) { positionals.push(a); continue; }
    const eq = a.indexOf('=');
    const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
    let spec = find(name);
    let negated = false;
    if (!spec && name.startsWith('no-')) { const s = find(name.slice(3)); if (s?.type === 'bool') { spec = s; negated = true; } }
    if (!spec) {
      const known = specs.map((s) => `--${s.name}`).join(', ');
      throw new UsageError(`clipwb ${command}: unknown option --${name}${known ? ` (options: ${known})` : ''}`);
    }
    if (spec.type === 'bool') { flags[spec.name] = eq >= 0 ? a.slice(eq + 1) !== 'false' : !negated; continue; }
    const raw = eq >= 0 ? a.slice(eq + 1) : argv[++i];
    if (raw === undefined) throw new UsageError(`clipwb ${command}: --${spec.name} needs a value (${spec.help})`);
    let value: string | number | string[];
    if (spec.type === 'int' || spec.type === 'float') {
      const n = Number(raw);
      if (!Number.isFinite(n) || (spec.type === 'int' && !Number.isInteger(n))) {
        throw new UsageError(`clipwb ${command}: --${spec.name} expects ${spec.type === 'int' ? 'a whole number' : 'a number'}, got "${raw}"`);
      }
      value = n;
    } else if (spec.type === 'list') value = raw.split(',').map((s) => s.trim()).filter(Boolean);
    else value = raw;
    if (spec.repeat) {
      const prev = flags[spec.name];
      flags[spec.name] = [...(Array.isArray(prev) ? prev : []), ...(Array.isArray(value) ? value : [String(value)])];
    } else flags[spec.name] = value;
  }
  for (const s of specs) {
    if (flags[s.name] === undefined && s.default !== undefined) flags[s.name] = s.default;
    if (s.required && flags[s.name] === undefined) throw new UsageError(`clipwb ${command}: --${s.name} is required (${s.help})`);
  }
  return { flags, positionals };
}

export function formatFlagHelp(specs: readonly FlagSpec[]): string {
  return specs.map((s) => `  --${s.name}${s.type === 'bool' ? '' : ` <${s.type}>`}`.padEnd(30) + s.help + (s.default !== undefined && s.type !== 'bool' ? ` (default ${Array.isArray(s.default) ? s.default.join(',') : String(s.default)})` : '')).join('\n');
}

export function str(v: unknown): string | undefined { return typeof v === 'string' ? v : undefined; }
export function num(v: unknown): number | undefined { return typeof v === 'number' ? v : undefined; }
export function list(v: unknown): string[] { return Array.isArray(v) ? v.map(String) : []; }
