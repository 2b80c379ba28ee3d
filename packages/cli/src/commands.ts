import type { Command } from './command';
import { getArtifactCommand, uploadArtifactCommand } from './commands/artifacts';
import { createAppCommand, listAppsCommand } from './commands/apps';
import { createKeyCommand, listKeysCommand, revokeKeyCommand } from './commands/keys';
import { runCommand } from './commands/run';
import { listProfilesCommand, setProfileCommand } from './commands/profiles';
import {
  cancelRunCommand,
  listRunsCommand,
  resumeRunCommand,
  showRunCommand,
  watchRunCommand,
} from './commands/runs';
import { listTaskTypesCommand, removeTaskTypeCommand } from './commands/task-types';
import {
  listWorkflowsCommand,
  pushWorkflowCommand,
  showWorkflowCommand,
  validateWorkflowCommand,
} from './commands/workflows';

/** Every command, in the order help lists them. */
export const COMMANDS: readonly Command[] = [
  createAppCommand,
  listAppsCommand,
  createKeyCommand,
  listKeysCommand,
  revokeKeyCommand,
  pushWorkflowCommand,
  listWorkflowsCommand,
  showWorkflowCommand,
  validateWorkflowCommand,
  listTaskTypesCommand,
  removeTaskTypeCommand,
  runCommand,
  listRunsCommand,
  showRunCommand,
  watchRunCommand,
  cancelRunCommand,
  resumeRunCommand,
  uploadArtifactCommand,
  getArtifactCommand,
  setProfileCommand,
  listProfilesCommand,
];
