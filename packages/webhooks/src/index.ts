export {
  generateWebhookSecret,
  isWebhookSecret,
  newWebhookId,
  signWebhook,
  WebhookSigningError,
  type SignWebhookInput,
  type WebhookSignatureHeaders,
  type WebhookSigningErrorCode,
} from './webhook-signature';
export {
  allowPrivateFromEnv,
  checkLiteralHost,
  checkOutboundUrl,
  guardedLookup,
  isPublicAddress,
  OutboundUrlError,
  type AddressPolicy,
  type HostResolver,
  type OutboundUrlErrorCode,
} from './ssrf-guard';
export {
  fetchBytes,
  OutboundRequestError,
  parseRetryAfter,
  postJson,
  USER_AGENT,
  type FetchBytesRequest,
  type FetchedBytes,
  type FetchErrorCode,
  type OutboundErrorCode,
  type OutboundResult,
  type PostJsonRequest,
} from './outbound-request';
