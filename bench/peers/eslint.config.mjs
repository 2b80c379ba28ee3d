// ESLint takes the nearest config to each file, so this one serves bench/peers: the root's rules
// with bench/peers's own TypeScript project, whose packages (BullMQ, Temporal) sit in its own
// node_modules. On a fresh clone, before they are installed (install.ts), the files importing
// them cannot be type-checked, so they are left out rather than failing on types it cannot see.
import { existsSync } from 'node:fs';
import root from '../../eslint.config.mjs';

const installed = existsSync(new URL('./node_modules', import.meta.url));

export default [
  ...root,
  {
    languageOptions: {
      parserOptions: { project: './tsconfig.json', tsconfigRootDir: import.meta.dirname },
    },
  },
  ...(installed ? [] : [{ ignores: ['bullmq.ts', 'temporal.ts', 'temporal-workflows.ts'] }]),
];
