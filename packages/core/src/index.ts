export type { Clock } from './clock';
export { fixedClock } from './clock';
export type {
  Dag,
  DefinitionForm,
  Edge,
  InputParameter,
  NodeDefinition,
  OnError,
  ParameterType,
  Region,
  RetryPolicy,
  StepDefinition,
  StepRetryPolicy,
  StepsDefinition,
  WorkflowDefinition,
} from './definition-types';
export { onErrorOf, REGIONS, regionOf } from './definition-types';
export {
  CANONICAL_DEFINITION_SCHEMA,
  NODE_RETRY_SCHEMA,
  NODE_TIMEOUT_SCHEMA,
  STEPS_DEFINITION_SCHEMA,
} from './definition-schema';
export type { Diagnostic, DiagnosticCode, Diagnostics, DiagnosticSeverity } from './diagnostics';
export { DIAGNOSTIC_CODES, emptyDiagnostics, isClean } from './diagnostics';
export {
  DEFINITION_LIMITS,
  FORBIDDEN_NAMES,
  NODE_ID_PATTERN,
  PARAMETER_NAME_PATTERN,
} from './limits';
export {
  DISPLAY_NAME_PATTERN,
  DISPLAY_TEXT_PATTERN,
  DISPLAY_TEXT_RULE,
  isDisplayName,
  isDisplayText,
} from './display-text';
export type { JsonObject, JsonType, JsonValue } from './json-value';
export { jsonEqual } from './json-value';
export type { AcceptedTypes, JsonSchema, PathSegment, SchemaLookup } from './json-schema';
export { acceptedTypes, schemaAtPath } from './json-schema';
export type { NormalizeResult } from './normalize-definition';
export { normalizeDefinition } from './normalize-definition';
export type { CheckResult } from './validate-definition';
export { checkDefinition, validateDefinition } from './validate-definition';
export type {
  ParsedTemplate,
  Reference,
  ReferenceOccurrence,
  ReferenceProblem,
  ReferenceProblemCode,
  ReferenceProblemOccurrence,
  TemplatePart,
} from './references';
export {
  exactReference,
  formatPath,
  formatReference,
  listReferences,
  parsePath,
  parseReference,
  parseTemplate,
  scanReferences,
} from './references';
export type {
  ReferenceScope,
  ResolveError,
  ResolveErrorCode,
  ResolveResult,
} from './resolve-references';
export { resolveInputs, resolveReference } from './resolve-references';
export type { TaskCategory, TaskType } from './task-types';
export {
  getTaskType,
  HTTP_REQUEST_DEFAULTS,
  HTTP_REQUEST_METHODS,
  listTaskTypes,
  modelsFor,
  SECRET_NAME_PATTERN,
} from './task-types';
export { customTaskTypeNameProblem, RESERVED_TASK_NAMESPACES } from './task-type-names';
export type { RegistrationCheck, TaskTypeRegistration } from './task-type-registration';
export { checkTaskTypeRegistration } from './task-type-registration';
export { incompatibilities } from './task-type-compatibility';
export type { TaskCatalogue } from './task-catalogue';
export { BUILT_IN_TASKS, registeredTaskType, withRegistered } from './task-catalogue';
export { withTaskDefaults } from './task-defaults';
export type { GraphIndex, GraphIndexOptions } from './graph';
export {
  ancestorsOf,
  buildGraphIndex,
  childrenOf,
  descendantsOf,
  findCycle,
  graphOf,
  parentsOf,
  topologicalOrder,
} from './graph';
export type { NodeProgress, NodeStatus, RunProgress, RunStatus } from './run-progress';
export { isTerminalNodeStatus, isTerminalRunStatus, runOutcome, statusOf } from './run-progress';
export { nodesToSkip, readyNodes } from './ready-nodes';
export type { AttemptError, ResolvedRetryPolicy, RetryDecision } from './backoff';
export {
  backoffDelay,
  DEFAULT_RETRY_POLICY,
  MAX_RETRY_AFTER_MS,
  resolveRetryPolicy,
  retryDecision,
  transientRetryDelayMs,
} from './backoff';
export { runDeadline, stepDeadline } from './deadlines';
export type { EffectiveParameters } from './input-parameters';
export { fitsParameterType, inputParametersOf } from './input-parameters';
export type { RunInputResult } from './run-input';
export { validateRunInput } from './run-input';
export type { WorkflowTemplate } from './templates';
export { getTemplate, TEMPLATES } from './templates';
export {
  DEAD_LETTERS_TOPIC,
  engineTopics,
  isStepTopic,
  RUN_EVENTS_TOPIC,
  STEP_LEASES_TOPIC,
  STEP_RESULTS_TOPIC,
  stepTopic,
  TASK_TYPES_TOPIC,
  workerTopics,
  type TopicPartitionCounts,
} from './topics';
export {
  engineConsumerGroups,
  ORCHESTRATOR_GROUP,
  taskRegistryGroup,
  WEBHOOKS_GROUP,
  workerControlGroup,
  workerGroup,
} from './consumer-groups';
export type {
  Envelope,
  EnvelopeFields,
  EnvelopeProblem,
  MessageType,
  ParseEnvelopeResult,
  RunEventEnvelope,
  RunEventPayload,
  RunEventType,
  StepError,
  StepExecutePayload,
  StepFailedPayload,
  StepResultEnvelope,
  StepResultType,
  StepClaimPayload,
  StepHeartbeatPayload,
  StepLeaseCheckPayload,
  StepLeasePayload,
  StepReleasedPayload,
  StepSucceededPayload,
  LeaseDecision,
} from './envelope';
export {
  ENVELOPE_VERSION,
  envelope,
  isRunEvent,
  isStepResult,
  LEASE_DECISIONS,
  parseEnvelope,
  STEP_RESULT_TYPES,
} from './envelope';
export type {
  NonRetriableStepErrorCode,
  PerFailureStepErrorCode,
  SettledStepErrorCode,
  StepErrorCode,
  StepErrorRetry,
} from './step-error-codes';
export {
  hasStepErrorCode,
  isRetryableCode,
  isSettledCode,
  isStepErrorCode,
  STEP_ERROR_CODES,
  STEP_ERROR_RETRY,
} from './step-error-codes';
export type { ChosenStepErrorCode, FailureFacts, StepFailureArgs } from './step-failure';
export {
  chosenStepErrorCode,
  NonRetriableStepError,
  stepError,
  StepFailure,
  toStepError,
} from './step-failure';
export type {
  NodeLease,
  NodeRecord,
  OutgoingEnvelope,
  RunError,
  RunRecord,
  Transition,
  TransitionContext,
} from './run-machine';
export {
  applyStepResult,
  applyTimers,
  attemptKey,
  cancelRun,
  isResumable,
  isSettledNode,
  leaseAnswer,
  MAX_LOST_ATTEMPTS,
  nextTimerAt,
  resumeRun,
  runOutputs,
  startRun,
} from './run-machine';
export { MAX_MESSAGE_BYTES, MAX_STEP_PAYLOAD_BYTES } from './message-limits';
export { deadLetter, type DeadLetter, type MessageSource } from './dead-letter';
export { compileSchema, describeSchemaErrors, type SchemaProblem } from './schema-compiler';
