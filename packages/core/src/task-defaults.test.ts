import { withRegistered } from './task-catalogue';
import { withTaskDefaults } from './task-defaults';
import { checkDefinition } from './validate-definition';
import type { WorkflowDefinition } from './definition-types';

const catalogue = withRegistered([
  {
    name: 'acme/resize',
    version: 1,
    description: 'Resizes an image.',
    inputSchema: { type: 'object' },
    outputSchema: { type: 'object' },
    retry: { max_attempts: 7, jitter: 'full' },
    timeout: 45,
  },
]);

function definitionOf(nodes: Record<string, unknown>): WorkflowDefinition {
  const checked = checkDefinition({ name: 'Defaults', dag: { nodes, edges: [] } }, catalogue);
  if (!checked.definition) throw new Error(JSON.stringify(checked.diagnostics.errors));
  return checked.definition;
}

describe('withTaskDefaults', () => {
  it("gives a registered type's nodes its retry policy and timeout when they set none", () => {
    const definition = definitionOf({
      plain: { task: 'acme/resize', inputs: {} },
      own: { task: 'acme/resize', inputs: {}, retry: { max_attempts: 1 }, timeout: 5 },
      half: { task: 'acme/resize', inputs: {}, timeout: 5 },
      builtIn: { task: 'core/delay', inputs: { ms: 1 } },
    });
    const applied = withTaskDefaults(definition, catalogue);
    expect(applied.dag.nodes.plain).toMatchObject({
      retry: { max_attempts: 7, jitter: 'full' },
      timeout: 45,
    });
    // A node's own policy is kept whole, not merged with the type's.
    expect(applied.dag.nodes.own).toMatchObject({ retry: { max_attempts: 1 }, timeout: 5 });
    expect(applied.dag.nodes.half).toMatchObject({ retry: { max_attempts: 7 }, timeout: 5 });
    expect(applied.dag.nodes.builtIn).toBe(definition.dag.nodes.builtIn);
    expect(definition.dag.nodes.plain?.retry).toBeUndefined();
  });

  it('returns the definition itself when no node takes a default', () => {
    const definition = definitionOf({ wait: { task: 'core/delay', inputs: { ms: 1 } } });
    expect(withTaskDefaults(definition, catalogue)).toBe(definition);
  });
});
