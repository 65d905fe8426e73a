// Lint: typescript-eslint with type information (recommendedTypeChecked) over src/, test/, bench/ and scripts/.
// Formatting is prettier's job (npm run format); this file only judges code.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'test/simulator/dist/**',
      'test/relay-sim/dist/**',
      '.tmp/**',
      '**/*.cjs',
      '**/*.mjs',
      'eslint.config.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['vitest.config.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      // Terminal output is parsed on purpose (ANSI escapes in `hermes pair` output, BEL-terminated OSC, NUL in .env
      // values, backspace in crontab lines): control characters in those regular expressions are the point.
      'no-control-regex': 'off',
    },
  },
  {
    // Vitest's asymmetric matchers (expect.stringMatching, expect.any) are typed `any`, so every
    // `{ detail: expect.stringMatching(…) }` is an "unsafe assignment". Member access and calls on `any` stay errors.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-unsafe-assignment': 'off' },
  },
);
