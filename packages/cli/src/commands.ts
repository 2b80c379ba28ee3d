import type { Command } from './command';
import { createAppCommand } from './commands/apps';
import { createKeyCommand, listKeysCommand, revokeKeyCommand } from './commands/keys';

/** Every command, in the order help lists them. Later commands (runs, workflows) join here. */
export const COMMANDS: readonly Command[] = [
  createAppCommand,
  createKeyCommand,
  listKeysCommand,
  revokeKeyCommand,
];
