import {
  HTTP_REQUEST_DEFAULTS,
  MAX_STEP_PAYLOAD_BYTES,
  NonRetriableStepError,
  StepFailure,
} from '@weft/core';
import {
  checkOutboundUrl,
  isLastingRefusal,
  OutboundRequestError,
  OutboundUrlError,
  parseRetryAfter,
  sendRequest,
  type OutboundResponse,
} from '@weft/webhooks';
import { checkHeaders } from './header-check';
import type { StepHandler } from '@weft/worker';
import type { StepServices } from './step-services';

/** The inputs of an `http_request` node, as its input schema admits them. */
interface HttpRequestInputs {
  method?: string;
  url: string;
  headers?: Record<string, string>;
  secret_headers?: Record<string, string>;
  json?: unknown;
  text?: string;
  timeout_ms?: number;
  fail_on_status?: boolean;
}

function bodyOf(inputs: HttpRequestInputs, headers: Record<string, string>) {
  const declaredType = Object.entries(headers).find(
    ([name]) => name.toLowerCase() === 'content-type',
  );
  if (inputs.json !== undefined) {
    return { bytes: JSON.stringify(inputs.json), contentType: 'application/json' };
  }
  if (inputs.text !== undefined) {
    return { bytes: inputs.text, contentType: declaredType?.[1] ?? 'text/plain; charset=utf-8' };
  }
  return undefined;
}

/** The answer's body as the step returns it: JSON parsed when it says it is JSON, else text. */
function answerBody(response: OutboundResponse): unknown {
  if (response.bytes.length === 0) return null;
  const text = response.bytes.toString('utf8');
  const type = response.headers['content-type'] ?? '';
  if (/^application\/([a-z0-9.+-]*\+)?json\b/i.test(type)) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

/** The failure of an exchange that had no answer, by what stopped it. */
function noAnswer(error: OutboundRequestError | OutboundUrlError): StepFailure {
  switch (error.code) {
    case 'address_not_allowed':
    case 'url_not_allowed':
    case 'invalid_url':
      return new NonRetriableStepError(error.code, error.message);
    case 'timeout':
    case 'too_many_redirects':
    case 'too_large':
    case 'connection_failed':
      return new StepFailure(`http_${error.code}`, error.message);
    case 'aborted':
      return new StepFailure('aborted', error.message);
    case 'http_status':
      // A redirect without a Location: the server's answer, which a retry will not change.
      return new StepFailure('http_status', error.message, { retryable: false });
  }
}

/**
 * http_request: one HTTP exchange through the SSRF guard. Secret headers are filled in from the
 * worker's configuration here, so their values never enter the run; a request carrying one is not
 * redirected, which would send the secret on to another origin.
 */
export function httpStepHandlers(services: StepServices): Record<string, StepHandler> {
  return {
    http_request: async (raw, context) => {
      const inputs = raw as unknown as HttpRequestInputs;
      const headers = checkHeaders(inputs.headers);
      let url: URL;
      try {
        url = checkOutboundUrl(inputs.url);
      } catch (error) {
        if (error instanceof OutboundUrlError) throw noAnswer(error);
        throw error;
      }
      const secretHeaders = Object.entries(inputs.secret_headers ?? {});
      for (const [header, name] of secretHeaders) {
        const secret = services.secrets.resolve(name, context.appId, url);
        if ('refused' in secret) {
          throw new NonRetriableStepError('secret_not_available', secret.refused);
        }
        headers[header] = secret.value;
      }
      const method = inputs.method ?? HTTP_REQUEST_DEFAULTS.method;
      let response: OutboundResponse;
      try {
        response = await sendRequest({
          method,
          url: url.href,
          headers,
          body: bodyOf(inputs, headers),
          // What fits in a step's output; a larger answer could not be returned anyway.
          maxBytes: MAX_STEP_PAYLOAD_BYTES,
          timeoutMs: inputs.timeout_ms ?? HTTP_REQUEST_DEFAULTS.timeout_ms,
          signal: context.signal,
          followRedirects: secretHeaders.length === 0,
          allowPrivate: services.allowPrivateNetworks,
        });
      } catch (error) {
        if (error instanceof OutboundRequestError || error instanceof OutboundUrlError) {
          throw noAnswer(error);
        }
        throw error;
      }
      const { status } = response;
      const failOnStatus = inputs.fail_on_status ?? HTTP_REQUEST_DEFAULTS.fail_on_status;
      if (failOnStatus && (status < 200 || status >= 300)) {
        const retryAfterMs = parseRetryAfter(response.headers['retry-after']);
        throw new StepFailure('http_status', `${method} ${url.origin} answered ${status}`, {
          retryable: !isLastingRefusal(status),
          details: { status },
          ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        });
      }
      return { status, headers: response.headers, body: answerBody(response) };
    },
  };
}
