// @ts-check
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { importRules } from './scripts/import-rules.mjs';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      '.hivemind/**',
      'coverage/**',
      'libs/contracts/src/grpc/generated/**',
      '.angular/**',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  prettier,
  {
    languageOptions: {
      globals: { ...globals.node, ...globals.jest },
      parserOptions: {
        project: [
          './tsconfig.check.json',
          './apps/web/tsconfig.app.json',
          './apps/web/tsconfig.spec.json',
          './libs/ui/tsconfig.lib.json',
          './libs/ui/tsconfig.spec.json',
          './apps/worker-console/tsconfig.app.json',
          './apps/worker-console/tsconfig.spec.json',
        ],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-extraneous-class': 'off',
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', 'libs/testing/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    // Angular's Validators.* are static functions: passing them unbound is the idiom
    files: ['apps/web/**/*.ts', 'apps/worker-console/**/*.ts', 'libs/ui/**/*.ts'],
    rules: { '@typescript-eslint/unbound-method': 'off' },
  },
  ...importRules,
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
