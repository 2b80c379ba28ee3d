import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@weft/*/src', '@weft/*/src/*', '@weft/*/dist/*'],
              message: 'Import a package through its entry point only.',
            },
          ],
        },
      ],
    },
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
