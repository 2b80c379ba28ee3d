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
  RunError,
  RunNodeEvent,
  RunStatus,
  RunStatusEvent,
  RunSummary,
  RunView,
  RunWorkflowRef,
  StepError,
  Waiting,
} from './runs';
