// Lint: typescript-eslint's recommended rules over the sources, rules, benchmarks and tests.
// Formatting is prettier's job (npm run format:check), so no stylistic rules here.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'cache/', 'coverage/', 'node_modules/', 'tests/fixtures/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: globals.node },
    rules: {
      // Unused bindings are errors, except deliberately ignored ones spelled with a leading underscore.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // A binding a closure reads before its one assignment (an event source created after the
      // handlers that use it) has to be `let`.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // Vendor and store errors are rewritten into messages that name the file or key and say what
      // to do; chaining the original as `cause` would print vendor internals (request URLs, headers)
      // into logs and --json output, which the redaction rules keep out.
      'preserve-caught-error': 'off',
    },
  },
  {
    // CommonJS entry points (the worker-pool shim, the network blocker the README test preloads).
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['tests/**'],
    rules: {
      // Tests match terminal output, ANSI escapes included.
      'no-control-regex': 'off',
    },
  },
);
