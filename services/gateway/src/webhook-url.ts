import { checkLiteralHost, checkOutboundUrl, OutboundUrlError } from '@weft/webhooks';
import { ApiError } from './api-error';

/**
 * Checks a receiver URL when it is given: http(s), no credentials, and — unless private targets
 * are allowed — not a literal loopback, private, link-local or otherwise non-public address.
 * Hostnames are resolved only when delivering, where the guard checks the address connected to.
 */
export function checkWebhookUrl(raw: string, field: string, allowPrivate: boolean): string {
  try {
    checkLiteralHost(checkOutboundUrl(raw), { allowPrivate });
    return raw;
  } catch (error) {
    if (!(error instanceof OutboundUrlError)) throw error;
    throw new ApiError('invalid_webhook_url', `${field}: ${error.message}`, {
      issues: [{ path: `/${field}`, message: error.message }],
      reason: error.code,
    });
  }
}
