// @ts-check
// ESLint flat config. Syntax-only rules (tseslint.configs.recommended, not the
// type-checked variant) so that `eslint .` stays fast; `tsc --noEmit` in
// `npm run lint` does the type checking.
import eslint from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  // Build and run output (see .gitignore). Only the root lib/ is build output:
  // bench/lib is source. Bench and test runs write under os.tmpdir(), except
  // for cdktf/terraform state and the emulator's local data folder.
  globalIgnores([
    '**/node_modules/',
    'lib/',
    'dist/',
    '**/cdktf.out/',
    '**/.alooma-local/',
    'coverage/',
    '**/.gen/',
    '**/.terraform/',
    '*.tgz',
  ]),
  {
    linterOptions: {
      // A disable comment that no longer suppresses anything fails the lint.
      reportUnusedDisableDirectives: 'error',
    },
  },
  eslint.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { ...globals.node },
    },
    rules: {
      // Same convention as tsc's noUnusedLocals/noUnusedParameters (which also
      // run in `npm run lint`): a leading underscore marks a binding that is
      // unused on purpose, and `{ secret: _secret, ...rest }` is how the code
      // drops a key from an object.
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      // Names are validated by rejecting control characters, written as
      // explicit \u escapes (`/[\u0000-\u001f\u007f-\u009f]/`). The rule is
      // for control characters that got into a pattern by accident, which an
      // escape never is, and it flags the escapes too.
      'no-control-regex': 'off',
    },
  },
  {
    // Plain CommonJS run by node as is (bin, scripts, bench preload hooks,
    // jest.config.js, test fixtures): `require` is their only import.
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: {
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    // Tests read untyped JSON (synthesized Terraform config, API and emulator
    // answers) and assert on its shape; `any` there is the point, and typing
    // it would only add casts.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
);
