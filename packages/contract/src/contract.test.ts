import { componentName, RUN_COMPONENTS, RunSummary, RunView } from './index';

describe('the contract', () => {
  it('names every component as the OpenAPI document lists it', () => {
    for (const [name, schema] of Object.entries(RUN_COMPONENTS)) {
      expect(componentName(schema)).toBe(name);
    }
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
});
