import type { TSchema } from '@sinclair/typebox';
import {
  ANSWER_COMPONENTS,
  API_ERROR_CODES,
  componentName,
  DATA_COMPONENTS,
  DIAGNOSTIC_COMPONENTS,
  ERROR_COMPONENTS,
  ERROR_DETAILS,
  httpStatusOf,
  KEY_COMPONENTS,
  RUN_COMPONENTS,
  RunSummary,
  RunView,
  SEED_API_COMPONENTS,
  WEBHOOK_COMPONENTS,
  WORKFLOW_COMPONENTS,
} from './index';

const MODULES = {
  ERROR_COMPONENTS,
  DIAGNOSTIC_COMPONENTS,
  RUN_COMPONENTS,
  WORKFLOW_COMPONENTS,
  DATA_COMPONENTS,
  KEY_COMPONENTS,
  WEBHOOK_COMPONENTS,
  SEED_API_COMPONENTS,
  ANSWER_COMPONENTS,
};

describe('the contract', () => {
  it('names every component as the OpenAPI document lists it, each name once', () => {
    const names: string[] = [];
    for (const components of Object.values(MODULES)) {
      for (const [name, schema] of Object.entries<TSchema>(components)) {
        expect([name, componentName(schema)]).toEqual([name, name]);
        names.push(name);
      }
    }
    expect(new Set(names).size).toBe(names.length);
  });

  it('writes references to components, not copies of them', () => {
    expect(RunView.properties.status).toMatchObject({ $ref: '#/components/schemas/RunStatus' });
    expect(RunView.properties.nodes).toMatchObject({
      additionalProperties: { $ref: '#/components/schemas/NodeView' },
    });
    expect(RunSummary.required).toEqual([
      'runId',
      'status',
      'workflow',
      'error',
      'createdAt',
      'startedAt',
      'finishedAt',
      'durationMs',
      'statusUrl',
    ]);
  });

  it('answers every error code with a 4xx or 5xx, and describes details only of codes it has', () => {
    for (const code of API_ERROR_CODES) expect(httpStatusOf(code)).toBeGreaterThanOrEqual(400);
    for (const code of Object.keys(ERROR_DETAILS)) expect(API_ERROR_CODES).toContain(code);
  });
});
