/**
 * ESLint rule `layering/folders`: which top-level folders of the repository a file may import from.
 * no-restricted-imports matches import strings, not where a relative path lands ('../../src-main/x'
 * and '../x' can both reach src-main), so this rule resolves every relative import against the
 * importing file's folder and checks the top-level folder it ends in. Options, one of:
 *   { allow: ['src-renderer', 'src-shared'] }  only these top-level folders
 *   { deny: ['src-main', 'src-renderer'] }      anything but these
 * Bare specifiers (packages, node: builtins) are left to no-restricted-imports. The layering itself is
 * in docs/design/architecture.md#layering.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The top-level folder a relative import from `filename` resolves into, or null when it leaves the repository. */
export function targetFolder(filename, specifier) {
  const resolved = path.resolve(path.dirname(filename), specifier);
  const rel = path.relative(ROOT, resolved);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return null;
  return rel.split(path.sep)[0];
}

const foldersRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Keep the layers apart: restrict which top-level folders a file may import from' },
    schema: [{
      type: 'object',
      properties: {
        allow: { type: 'array', items: { type: 'string' } },
        deny: { type: 'array', items: { type: 'string' } },
      },
      additionalProperties: false,
    }],
    messages: {
      notAllowed: "{{from}} may import only from {{allowed}}; '{{specifier}}' resolves into {{folder}}/ (see docs/design/architecture.md#layering).",
      denied: "{{from}} may not import from {{folder}}/; '{{specifier}}' resolves there (see docs/design/architecture.md#layering).",
    },
  },
  create(context) {
    const { allow, deny } = context.options[0] ?? {};
    const filename = context.filename ?? context.getFilename();
    const from = path.relative(ROOT, filename).split(path.sep)[0];

    function check(node, specifier) {
      if (typeof specifier !== 'string' || !(specifier.startsWith('./') || specifier.startsWith('../') || specifier === '.' || specifier === '..')) return;
      const folder = targetFolder(filename, specifier);
      if (folder === null) return;
      if (allow && !allow.includes(folder)) {
        context.report({ node, messageId: 'notAllowed', data: { from: `${from}/`, allowed: allow.map((f) => `${f}/`).join(', '), specifier, folder } });
      } else if (deny && deny.includes(folder)) {
        context.report({ node, messageId: 'denied', data: { from: `${from}/`, specifier, folder } });
      }
    }
    const fromSource = (node) => { if (node.source) check(node.source, node.source.value); };

    return {
      ImportDeclaration: fromSource,
      ExportNamedDeclaration: fromSource,
      ExportAllDeclaration: fromSource,
      ImportExpression(node) { if (node.source.type === 'Literal') check(node.source, node.source.value); },
      TSImportEqualsDeclaration(node) {
        const ref = node.moduleReference;
        if (ref.type === 'TSExternalModuleReference' && ref.expression.type === 'Literal') check(ref.expression, ref.expression.value);
      },
      CallExpression(node) {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require' && node.arguments[0]?.type === 'Literal') {
          check(node.arguments[0], node.arguments[0].value);
        }
      },
      TSImportType(node) {
        const arg = node.argument;
        const lit = arg?.type === 'TSLiteralType' ? arg.literal : arg;
        if (lit?.type === 'Literal') check(lit, lit.value);
      },
    };
  },
};

export default { meta: { name: 'layering' }, rules: { folders: foldersRule } };
