export { ERROR_COMPONENTS, RequestIssue } from './errors';
export { MAX_WEBHOOK_URL_LENGTH, WORKFLOW_SLUG_PATTERN } from './names';
export { componentName, type Components } from './schema-kit';
export {
  isTerminalRunStatus,
  NODE_STATUSES,
  RUN_STATUSES,
  TERMINAL_RUN_STATUSES,
  WAITING_REASONS,
} from './statuses';
export {
  NodeStatus,
  NodeView,
  RUN_COMPONENTS,
  RunAccepted,
  RunError,
  RunList,
  RunNodeEvent,
  RunRequest,
  RunStatus,
  RunStatusEvent,
  RunSummary,
  RunView,
  RunWorkflowRef,
  StepError,
  Waiting,
} from './runs';
export {
  SavedWorkflow,
  SaveWorkflowRequest,
  Slug,
  StepsDefinition,
  WORKFLOW_COMPONENTS,
  WorkflowDefinition,
  WorkflowSummary,
  WorkflowVersion,
  WorkflowVersionSummary,
} from './workflows';
export { DIAGNOSTIC_CODES, type DiagnosticCode, type DiagnosticSeverity } from './diagnostic-codes';
export { DIAGNOSTIC_COMPONENTS, Diagnostic, Diagnostics } from './diagnostics';
