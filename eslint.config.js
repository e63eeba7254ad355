import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { files: ['bin/**/*.js', '*.js'], languageOptions: { globals: globals.node } },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Product code is wired by construction; test files may keep fixtures between hooks.
    files: ['src/**/*.ts', 'actors/**/*.ts', 'protocol/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: 'Program > VariableDeclaration[kind="let"]', message: 'No module-level mutable state: pass dependencies in.' },
      ],
    },
  },
  {
    files: ['protocol/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['../src/*', '../actors/*', '../../src/*', '../../actors/*'] }],
    },
  },
  {
    files: ['actors/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['../src/*', '../../src/*', 'ws', 'kafkajs', 'better-sqlite3', 'cassandra-driver'] }],
    },
  },
);
