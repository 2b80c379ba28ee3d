export { API_ERROR_CODES, API_ERRORS, httpStatusOf, type ApiErrorCode } from './api-errors';
export { ERROR_COMPONENTS, ERROR_DETAILS, ErrorBody, ErrorCode, RequestIssue } from './errors';
export { artifactUrl } from './artifact-url';
export {
  DEFAULT_ARTIFACT_LIMIT_BYTES,
  DISPLAY_NAME_PATTERN,
  DISPLAY_TEXT_PATTERN,
  DISPLAY_TEXT_RULE,
  MAX_MEDIA_TYPE_LENGTH,
  MAX_VECTOR_DIMENSIONS,
  MAX_WEBHOOK_ENDPOINTS,
  MEDIA_TYPE_PATTERN,
  MAX_WEBHOOK_URL_LENGTH,
  RESULT_COLLECTION_PATTERN,
  RUN_WEBHOOK_EVENTS,
  VECTOR_INDEX_PATTERN,
  VECTOR_ITEM_ID_PATTERN,
  WEBHOOK_EVENT_PATTERN,
  WORKFLOW_SLUG_PATTERN,
} from './names';
export { componentName, type Components } from './schema-kit';
export {
  isTerminalRunStatus,
  NODE_STATUSES,
  RUN_STATUSES,
  TASK_CATEGORIES,
  type TaskCategory,
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
export {
  ArtifactFile,
  DATA_COMPONENTS,
  DocumentPage,
  SearchVectorsRequest,
  StoredDocument,
  UpsertVectorRequest,
  VectorItemSaved,
  VectorMatch,
  VectorMatches,
} from './data';
export { ApiKey, CreatedApiKey, KEY_COMPONENTS } from './keys';
export {
  CreateWebhookRequest,
  DELIVERY_STATUSES,
  DeliveryAttempt,
  UpdateWebhookRequest,
  WEBHOOK_COMPONENTS,
  WebhookDeliveries,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEndpointWithSecret,
} from './webhooks';
export {
  ExecuteRequest,
  ExecutionApi,
  ExecutionNodeApi,
  SavedWorkflowApi,
  SEED_API_COMPONENTS,
  WorkflowApi,
  WorkflowApiRequest,
} from './seed-api';
export {
  ANSWER_COMPONENTS,
  ApiKeyAnswer,
  ApiKeyList,
  ExecutionAnswer,
  ExecutionPageApi,
  WebhookDeliveryAnswer,
  WebhookEndpointAnswer,
  WebhookEndpointList,
  WorkflowApiAnswer,
  WorkflowApiList,
  WorkflowList,
  WorkflowVersionAnswer,
  WorkflowVersionList,
} from './answers';
export {
  CUSTOM_TASK_TYPE_NAME_PATTERN,
  IDEMPOTENCY_KEY_PATTERN,
  MAX_APP_NAME_LENGTH,
  MAX_DELIVERIES_LISTED,
  MAX_IDEMPOTENCY_KEY_LENGTH,
  PAGE_LIMITS,
} from './names';
export { Health, Readiness, SERVICE_COMPONENTS } from './service';
export { ADMIN_COMPONENTS, App, AppList, CreateAppRequest, CreatedApp } from './admin';
export {
  RegisteredTaskType,
  RegisteredTaskTypeAnswer,
  RegisteredTaskTypeList,
  TASK_TYPE_COMPONENTS,
  TaskTypeList,
  TaskTypeRegistration,
  TaskTypeView,
} from './task-types';
export {
  API_OPERATIONS,
  API_TAGS,
  type ApiTag,
  type GatewayFacts,
  type Operation,
} from './operations';
export { openApiDocument, type DocumentOptions } from './openapi/document';
export {
  HTTP_METHODS,
  type HeaderObject,
  type HttpMethod,
  type JsonType,
  type MediaTypeObject,
  type OpenApiDocument,
  type OperationObject,
  type ParameterObject,
  type PathItemObject,
  type ReferenceObject,
  type RequestBodyObject,
  type ResponseObject,
  type SchemaObject,
  type SecuritySchemeObject,
} from './openapi/objects';
