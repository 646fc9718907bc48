import tseslint from 'typescript-eslint';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';

/**
 * A `no-restricted-imports` rule for one layer: value imports from the named folders (matched
 * as path segments, so relative paths count) and packages are errors; type-only imports
 * upward stay allowed.
 */
function layer(files, folders, packages, message) {
  const patterns = [{ regex: `(^|/)(${folders.join('|')})/`, message, allowTypeImports: true }];
  if (packages.length > 0) patterns.push({ group: packages, message, allowTypeImports: true });
  return { files, rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns }] } };
}

const ui = ['app', 'controllers', 'views', 'components'];
const adapters = ['transport', 'storage'];

export default tseslint.config(
  { ignores: ['dist/', 'dev-dist/', 'node_modules/', 'bench/results/'] },
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        project: ['./tsconfig.json', './tsconfig.node.json', './sw/tsconfig.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js'] })],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
      'no-console': 'off',
      '@typescript-eslint/no-confusing-void-expression': 'off',
    },
  },
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked },
  {
    // Lit binds \`this\` for \`@event=\${this.method}\` in templates.
    files: ['src/views/**', 'src/components/**'],
    rules: { '@typescript-eslint/unbound-method': 'off' },
  },
  {
    // Build scripts index fixed tables they define themselves.
    files: ['scripts/**'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    // node:test's describe/it return promises the runner tracks itself.
    files: ['test/e2e/**'],
    rules: { '@typescript-eslint/no-floating-promises': 'off' },
  },
  layer(
    ['src/lib/**'],
    ['core', ...adapters, ...ui],
    ['lit', 'lit/*', 'peerjs', 'idb'],
    'src/lib imports nothing from src.',
  ),
  layer(
    ['src/core/**'],
    [...adapters, ...ui],
    ['lit', 'lit/*', 'peerjs', 'idb'],
    'src/core is DOM-free protocol code: it imports only src/lib and itself (see DESIGN.md).',
  ),
  layer(
    ['src/core/crypto/**', 'src/core/wire/**'],
    ['identity', 'mesh', 'graph', 'groups', 'names', 'collab', 'dist', ...adapters, ...ui],
    [],
    'crypto and wire import only src/lib.',
  ),
  layer(
    ['src/storage/**'],
    ['crypto', 'identity', 'wire', 'mesh', 'graph', 'transport', ...ui],
    ['lit', 'lit/*', 'peerjs'],
    'storage adapters import only src/lib and src/core/ports.ts; only src/transport/peerjs imports peerjs.',
  ),
  layer(
    ['src/transport/**'],
    ['crypto', 'identity', 'wire', 'mesh', 'graph', 'storage', ...ui],
    ['lit', 'lit/*', 'idb'],
    'transport adapters import only src/lib and src/core/ports.ts; only src/storage/idb imports idb.',
  ),
  layer(
    ['src/app/**'],
    ['controllers', 'views', 'components'],
    ['peerjs', 'idb'],
    'src/app wires the core; peerjs and idb are wired in src/main.ts only.',
  ),
  layer(
    ['src/controllers/**'],
    [...adapters, 'views', 'components'],
    ['peerjs', 'idb'],
    'controllers subscribe to the app layer; they never reach transport or storage.',
  ),
  layer(['src/views/**'], adapters, ['peerjs', 'idb'], 'views render state and call the app layer.'),
  layer(
    ['src/components/**'],
    ['core', ...adapters, 'app', 'controllers', 'views'],
    ['peerjs', 'idb'],
    'components are presentational: properties in, events out.',
  ),
  layer(
    ['sw/**'],
    ['core', ...adapters, ...ui],
    ['peerjs', 'idb', 'lit'],
    'sw/ imports Workbox and src/lib only.',
  ),
);
