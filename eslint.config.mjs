// @ts-check
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

/**
 * `{ ...a, b }`: in V8 (Node 20) an object spread followed by more fields makes a hidden
 * class for every object it makes, which the read model kept per entity and every request
 * paid for in fresh memory. `Object.assign({}, a, { b })` or the fields written out share one.
 */
const SPREAD_THEN_FIELDS = {
  selector: 'ObjectExpression > SpreadElement ~ Property',
  message:
    'An object spread followed by fields makes a hidden class per object in V8: write the fields out, or use Object.assign({}, a, { b }).',
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'data/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: false } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-definitions': 'off',
      'no-console': ['error', { allow: ['error', 'warn'] }],
    },
  },
  {
    // The domain is pure: no framework, no I/O, no clock, no randomness.
    files: ['libs/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@nestjs/*', 'better-sqlite3', '@eventstore/*', 'graphql', 'graphql-*'],
              message: 'libs/domain is pure TypeScript.',
            },
            {
              group: ['@partnerships/*', '**/apps/**', '**/event-store/**', '**/projections/**'],
              message: 'libs/domain imports nothing of ours but itself.',
            },
            {
              group: ['node:*', 'fs', 'path', 'crypto', 'os', 'child_process', 'http'],
              message: 'libs/domain does no I/O.',
            },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'Time arrives in the command; decide never reads the clock.',
        },
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message: 'Time arrives in the command; decide never reads the clock.',
        },
        {
          selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']",
          message: 'No randomness in the domain.',
        },
        SPREAD_THEN_FIELDS,
      ],
    },
  },
  {
    // The server and the libraries it runs (the domain's block above repeats the rule).
    files: [
      'apps/api/src/**/*.ts',
      'libs/audit/**/*.ts',
      'libs/event-store/**/*.ts',
      'libs/projections/**/*.ts',
    ],
    rules: { 'no-restricted-syntax': ['error', SPREAD_THEN_FIELDS] },
  },
  {
    // Command-line tools talk to people on stdout.
    files: [
      'apps/admin/**/*.ts',
      'apps/migrate/**/*.ts',
      'apps/generate/**/*.ts',
      'apps/bench/**/*.ts',
      'apps/dashboard/scripts/**/*.js',
    ],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['**/*.spec.ts', '**/*.e2e.ts', 'tests/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-restricted-syntax': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: {
      globals: {
        module: 'writable',
        require: 'readonly',
        __dirname: 'readonly',
        process: 'readonly',
        console: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  prettier,
);
