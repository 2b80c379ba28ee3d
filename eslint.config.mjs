import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The layering (README, each package's README): packages never import a service, services never
// import each other, core and the contract are pure. A rule per layer, each repeating the entry
// point rule, as a later `no-restricted-imports` replaces an earlier one for the files it covers.
const ENTRY_POINT_ONLY = {
  group: ['@weft/*/src', '@weft/*/src/*', '@weft/*/dist/*'],
  message: 'Import a package through its entry point only.',
};
// The same, by path: `../../core/src/x` from another package reaches past core's entry point.
const NO_REACHING_IN = {
  regex: '^(\\.\\./){2,}(packages/|services/)?[a-z-]+/src(/|$)',
  message: 'Import another package through its entry point, not by a path into its sources.',
};
const SERVICES = {
  gateway: '@weft/gateway',
  orchestrator: '@weft/orchestrator',
  worker: '@weft/worker-service',
  webhooks: '@weft/webhooks-service',
};
const restrictImports = (...patterns) => [
  'error',
  { patterns: [ENTRY_POINT_ONLY, NO_REACHING_IN, ...patterns] },
];
const SOURCES = '**/*.{ts,tsx,mts}';
const TESTS = ['**/*.test.ts', '**/testing/**'];

export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/node_modules/**', 'coverage/**', '.weft/**', '**/*.js', '**/*.mjs'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { project: './tsconfig.check.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // Handlers must return promises whether or not they await; the two rules above catch misuse.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      'no-restricted-imports': restrictImports(),
    },
  },
  {
    files: [`packages/${SOURCES}`],
    rules: {
      'no-restricted-imports': restrictImports({
        group: Object.values(SERVICES),
        message: 'A package never imports a service.',
      }),
    },
  },
  ...Object.entries(SERVICES).map(([directory, name]) => ({
    files: [`services/${directory}/${SOURCES}`],
    rules: {
      'no-restricted-imports': restrictImports({
        group: Object.values(SERVICES).filter((other) => other !== name),
        message: 'A service never imports another: share through a package.',
      }),
    },
  })),
  {
    files: [`packages/core/${SOURCES}`],
    ignores: TESTS,
    rules: {
      'no-restricted-imports': restrictImports({
        regex: '^(?!\\.|ajv$|@weft/contract$)',
        message: 'Core is pure: it imports ajv, @weft/contract and its own modules, no I/O.',
      }),
    },
  },
  {
    files: [`packages/contract/${SOURCES}`],
    ignores: TESTS,
    rules: {
      'no-restricted-imports': restrictImports({
        regex: '^(?!\\.|@sinclair/typebox$)',
        message: 'The contract is pure: it imports TypeBox and its own modules.',
      }),
    },
  },
  {
    // The one exception: the console's bundle swaps core's schema compiler for this module
    // (vite/precompiled-validators.mts), which must reach core's own modules to stand in for one.
    files: ['packages/console/app/validation/precompiled-schema-compiler.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [ENTRY_POINT_ONLY] }] },
  },
  {
    // The console is browser code with its own compiler settings (DOM, JSX, a bundler): it is
    // type-checked against its own tsconfigs, not the Node packages' tsconfig.check.json.
    files: ['packages/console/**/*.{ts,tsx,mts}'],
    languageOptions: {
      parserOptions: {
        project: ['./packages/console/tsconfig.json', './packages/console/tsconfig.node.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
  },
);
