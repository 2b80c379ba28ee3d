import { bytes, errorResponse, headerRef, json } from '../openapi/parts';
import { Health, Readiness } from '../service';
import type { Operation } from './operation';

/** Health, readiness, metrics and the document itself: no API key. */
export const SERVICE_OPERATIONS: readonly Operation[] = [
  {
    method: 'get',
    path: '/healthz',
    operationId: 'getHealth',
    tags: ['Service'],
    summary: 'Is the gateway up',
    access: 'open',
    responses: { '200': json('It is.', Health) },
  },
  {
    method: 'get',
    path: '/readyz',
    operationId: 'getReadiness',
    tags: ['Service'],
    summary: 'Can the gateway serve: are its dependencies usable',
    access: 'open',
    responses: {
      '200': json('Every check passed.', Readiness),
      '503': json('A check failed or timed out; `checks` says which.', Readiness),
    },
  },
  {
    method: 'get',
    path: '/metrics',
    operationId: 'getMetrics',
    tags: ['Service'],
    summary: 'Prometheus metrics',
    access: 'open',
    responses: {
      '200': bytes('The Prometheus text exposition format.', 'text/plain', { type: 'string' }),
      '401': errorResponse(['invalid_metrics_token'], {
        'WWW-Authenticate': headerRef('WWW-Authenticate'),
      }),
      '404': {
        ...errorResponse(['not_found']),
        description: '`not_found`: metrics are not enabled in this gateway.',
      },
    },
  },
  {
    method: 'get',
    path: '/openapi.json',
    operationId: 'getOpenApiDocument',
    tags: ['Service'],
    summary: 'This OpenAPI 3.1 document',
    access: 'open',
    responses: {
      '200': json('The document.', {
        type: 'object',
        required: ['openapi', 'info', 'paths', 'components'],
        properties: {
          openapi: { const: '3.1.0' },
          info: { type: 'object' },
          paths: { type: 'object' },
          components: { type: 'object' },
        },
      }),
    },
  },
  {
    method: 'get',
    path: '/docs',
    operationId: 'getApiReference',
    tags: ['Service'],
    summary: 'This document as an HTML page',
    access: 'open',
    responses: {
      '200': bytes('A self-contained page: no scripts, no external resources.', 'text/html', {
        type: 'string',
      }),
    },
  },
];
