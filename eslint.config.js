import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';

/** A `no-restricted-imports` rule that forbids value imports from the given folders. */
function layer(files, forbidden, message) {
  return {
    files,
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: forbidden.map((group) => ({ group: [group], message, allowTypeImports: true })),
        },
      ],
    },
  };
}

const src = (...folders) => folders.flatMap((f) => [`**/src/${f}`, `**/src/${f}/**`, `**/src/${f}.ts`]);

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
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked },
  layer(
    ['src/lib/**'],
    [
      ...src('core', 'transport', 'storage', 'app', 'controllers', 'views', 'components'),
      'lit',
      'peerjs',
      'idb',
    ],
    'src/lib imports nothing from src and no framework.',
  ),
  layer(
    ['src/core/**'],
    [
      ...src('transport', 'storage', 'app', 'controllers', 'views', 'components'),
      'lit',
      'lit/*',
      'peerjs',
      'idb',
    ],
    'src/core is DOM-free protocol code: it imports only src/lib and itself (see DESIGN.md).',
  ),
  layer(
    ['src/core/crypto/**', 'src/core/wire/**'],
    [
      ...src('core/identity', 'core/mesh', 'core/ports'),
      ...src('transport', 'storage', 'app'),
      'lit',
      'peerjs',
      'idb',
    ],
    'crypto and wire import only src/lib.',
  ),
  layer(
    ['src/transport/**', 'src/storage/**'],
    [
      ...src(
        'core/crypto',
        'core/identity',
        'core/wire',
        'core/mesh',
        'app',
        'controllers',
        'views',
        'components',
      ),
      'lit',
    ],
    'adapters import only src/lib and src/core/ports.ts.',
  ),
  layer(['src/storage/**'], [...src('transport'), 'peerjs'], 'only src/transport/peerjs imports peerjs.'),
  layer(['src/transport/**'], [...src('storage'), 'idb'], 'only src/storage/idb imports idb.'),
  layer(
    ['src/app/**'],
    [...src('controllers', 'views', 'components'), 'peerjs', 'idb'],
    'src/app wires the core; peerjs and idb are wired in src/main.ts only.',
  ),
  layer(
    ['src/controllers/**'],
    [...src('transport', 'storage', 'views', 'components'), 'peerjs', 'idb'],
    'controllers subscribe to the app layer; they never reach transport or storage.',
  ),
  layer(
    ['src/views/**'],
    [...src('transport', 'storage'), 'peerjs', 'idb'],
    'views render state and call the app layer; no transport or storage.',
  ),
  layer(
    ['src/components/**'],
    [...src('core', 'transport', 'storage', 'app', 'controllers', 'views'), 'peerjs', 'idb'],
    'components are presentational: properties in, events out.',
  ),
  layer(
    ['sw/**'],
    [...src('core', 'transport', 'storage', 'app', 'controllers', 'views', 'components')],
    'sw/ imports Workbox and src/lib only.',
  ),
);
