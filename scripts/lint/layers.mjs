// ESLint plugin: who may import whom, decided by resolved path at any folder depth (ARCHITECTURE.md "Layers").
//
// Each file's layer comes from where it lives (src-main/core/**, src-main/node/**, src-renderer/**, …); each
// import's layer from where its specifier resolves to (relative paths are resolved against the importing
// file, `$shared/...` is src-main/shared), so `core/a/b/x.ts` importing `../../../node/y` is caught as surely
// as `core/x.ts` importing `../node/y`.
import { builtinModules } from 'node:module'
import path from 'node:path'

const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]))

/** The layer of a repo-relative path (forward slashes), or null when outside the layered tree. */
export function layerOf(rel) {
  if (rel === 'src-main/cli.ts') return 'node'
  if (rel === 'src-main/index.ts') return 'electron-main'
  const m = /^src-main\/(shared|core|node|electron-main|preload)(\/|$)/.exec(rel)
  if (m) return m[1]
  if (rel.startsWith('src-renderer/')) return 'renderer'
  if (rel.startsWith('resources/')) return 'resources'
  if (rel.startsWith('tests/')) return 'tests'
  return null
}

/** Project layers each layer may import (its own layer always included). */
const ALLOWED = {
  shared: ['shared'],
  core: ['shared', 'core', 'resources'],
  node: ['shared', 'core', 'node', 'resources'],
  'electron-main': ['shared', 'core', 'node', 'electron-main', 'resources'],
  preload: ['shared', 'preload'],
  renderer: ['shared', 'renderer', 'resources']
}

/** Packages (and builtins) a layer may not import, with the reason. */
function forbiddenPackage(layer, spec) {
  const isBuiltin = BUILTINS.has(spec) || BUILTINS.has(spec.split('/')[0])
  const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]
  switch (layer) {
    case 'shared':
      if (pkg === 'electron' || isBuiltin || pkg === 'systeminformation')
        return 'shared/ is pure: no electron, no node:*, no I/O libraries'
      return null
    case 'core':
      if (pkg === 'electron' || isBuiltin || pkg === 'systeminformation')
        return 'core/ is pure analysis: no electron, no node:*, no I/O libraries'
      return null
    case 'node':
      return pkg === 'electron'
        ? 'node/ never imports electron (it runs outside Electron too)'
        : null
    case 'preload':
      if (isBuiltin) return 'preload/ may import only shared types and electron'
      return null
    case 'renderer':
      if (pkg === 'electron' || isBuiltin) return 'the renderer never imports electron or node:*'
      return null
    default:
      return null
  }
}

const rule = {
  meta: {
    type: 'problem',
    docs: {
      description: 'Enforce the layer rules of ARCHITECTURE.md by resolved path, at any depth'
    },
    schema: [
      { type: 'object', properties: { root: { type: 'string' } }, additionalProperties: false }
    ]
  },
  create(context) {
    const root = context.options[0]?.root ?? context.cwd
    const file = context.filename
    const rel = path.relative(root, file).split(path.sep).join('/')
    const layer = layerOf(rel)
    if (!layer || layer === 'tests' || layer === 'resources') return {}

    function check(node, spec) {
      if (typeof spec !== 'string') return
      let target
      if (spec === '$shared' || spec.startsWith('$shared/')) target = 'src-main/shared/x'
      else if (spec.startsWith('.')) {
        target = path
          .relative(root, path.resolve(path.dirname(file), spec))
          .split(path.sep)
          .join('/')
      } else {
        const why = forbiddenPackage(layer, spec)
        if (why)
          context.report({ node, message: `${rel}: import of '${spec}' not allowed: ${why}.` })
        return
      }
      const to = layerOf(target)
      if (to === 'tests') {
        context.report({
          node,
          message: `${rel}: production code never imports tests/ ('${spec}').`
        })
        return
      }
      if (to === null) {
        context.report({ node, message: `${rel}: '${spec}' resolves outside the layered tree.` })
        return
      }
      if (!ALLOWED[layer].includes(to))
        context.report({
          node,
          message: `${rel} (${layer}) may not import ${to} ('${spec}'); ${layer} may import: ${ALLOWED[layer].join(', ')}.`
        })
    }

    const fromSource = (node) => check(node.source, node.source?.value)
    return {
      ImportDeclaration: fromSource,
      ExportNamedDeclaration: (node) => node.source && fromSource(node),
      ExportAllDeclaration: fromSource,
      ImportExpression: (node) =>
        node.source.type === 'Literal' && check(node.source, node.source.value)
    }
  }
}

/** The plugin object for the flat config. */
export default { rules: { imports: rule } }
