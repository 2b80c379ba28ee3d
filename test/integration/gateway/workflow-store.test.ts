import type { Connection } from 'mongoose';
import { checkDefinition, TEMPLATES, type WorkflowDefinition } from '@weft/core';
import { connectDatabase, DefinitionStore, WorkflowStore } from '@weft/store';
import { dropDatabase, uniqueName } from '../../support/test-infrastructure';

function definition(name: string, description?: string): WorkflowDefinition {
  const checked = checkDefinition({
    name,
    ...(description === undefined ? {} : { description }),
    steps: [{ id: 'say', type: 'text_generate', input: { prompt: '${input.prompt}' } }],
  });
  if (!checked.definition) throw new Error(JSON.stringify(checked.diagnostics.errors));
  return checked.definition;
}

describe('WorkflowStore on the real database', () => {
  let connection: Connection;
  let workflows: WorkflowStore;

  beforeAll(async () => {
    connection = await connectDatabase(process.env.MONGODB_URI ?? '', {
      dbName: uniqueName('workflows').replaceAll('-', '_'),
    });
    const definitions = new DefinitionStore(connection);
    workflows = new WorkflowStore(connection, definitions);
    await Promise.all([definitions.ensureIndexes(), workflows.ensureIndexes()]);
  });

  afterAll(async () => {
    await dropDatabase(connection);
  });

  it('makes a new immutable version on every save', async () => {
    const first = await workflows.save('app_a', 'greet', definition('Greet', 'hello'));
    const second = await workflows.save('app_a', 'greet', definition('Greet v2'));
    expect(first).toMatchObject({ slug: 'greet', version: 1, name: 'Greet', description: 'hello' });
    expect(second).toMatchObject({ slug: 'greet', version: 2, name: 'Greet v2', builtIn: false });
    expect(second.workflowId).toBe(first.workflowId);
    expect(second.description).toBeUndefined();

    expect(await workflows.get('app_a', 'greet')).toMatchObject({ version: 2, name: 'Greet v2' });
    const pinned = await workflows.get('app_a', 'greet', 1);
    expect(pinned).toMatchObject({ version: 1, name: 'Greet', description: 'hello' });
    expect(pinned?.definition).toEqual(definition('Greet', 'hello'));
    expect(await workflows.get('app_a', 'greet', 3)).toBeUndefined();

    const versions = await workflows.versions('app_a', 'greet');
    expect(versions?.map((version) => version.version)).toEqual([1, 2]);
    expect(versions?.[0]).not.toHaveProperty('definition');

    const listed = await workflows.list('app_a');
    expect(listed[0]).toMatchObject({
      slug: 'greet',
      name: 'Greet v2',
      latestVersion: 2,
      builtIn: false,
    });
    expect(listed[0]?.description).toBeUndefined();
  });

  it('keeps apps apart', async () => {
    await workflows.save('app_b', 'mine', definition('Mine'));
    expect(await workflows.get('app_c', 'mine')).toBeUndefined();
    expect(await workflows.versions('app_c', 'mine')).toBeUndefined();
    expect((await workflows.list('app_c')).some((workflow) => workflow.slug === 'mine')).toBe(
      false,
    );
  });

  it('offers the built-in templates to every app as version 1, until an app saves its own', async () => {
    const listed = await workflows.list('app_new');
    expect(listed.map((workflow) => workflow.slug)).toEqual(TEMPLATES.map((t) => t.slug));
    expect(listed.every((workflow) => workflow.builtIn && workflow.latestVersion === 1)).toBe(true);

    const builtIn = await workflows.get('app_new', 'image-generate-v1');
    expect(builtIn).toMatchObject({ slug: 'image-generate-v1', version: 1, builtIn: true });
    expect(Object.keys(builtIn?.definition.dag.nodes ?? {})).toContain('generate');
    expect(await workflows.get('app_new', 'image-generate-v1', 1)).toBeDefined();
    expect(await workflows.get('app_new', 'image-generate-v1', 2)).toBeUndefined();
    expect(await workflows.versions('app_new', 'blank')).toEqual([
      expect.objectContaining({ version: 1, builtIn: true }),
    ]);

    await workflows.save('app_d', 'blank', definition('My blank'));
    expect(await workflows.get('app_d', 'blank')).toMatchObject({ version: 1, builtIn: false });
    const mine = await workflows.list('app_d');
    expect(mine.filter((workflow) => workflow.slug === 'blank')).toEqual([
      expect.objectContaining({ builtIn: false, name: 'My blank' }),
    ]);
    expect(await workflows.get('app_new', 'blank')).toMatchObject({ builtIn: true });
  });

  it('numbers concurrent saves without gaps or duplicates', async () => {
    const saved = await Promise.all(
      Array.from({ length: 8 }, (_, i) => workflows.save('app_e', 'busy', definition(`Busy ${i}`))),
    );
    expect(saved.map((version) => version.version).sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(new Set(saved.map((version) => version.workflowId)).size).toBe(1);
    expect((await workflows.get('app_e', 'busy'))?.version).toBe(8);
    expect((await workflows.list('app_e'))[0]?.latestVersion).toBe(8);
  });

  it('refuses bad slugs', async () => {
    for (const slug of ['', 'Upper', '-lead', 'trail-', 'sp ace', 'x'.repeat(65)]) {
      await expect(workflows.save('app_f', slug, definition('Bad'))).rejects.toThrow(RangeError);
    }
    expect(await connection.collection('workflows').countDocuments({ appId: 'app_f' })).toBe(0);
  });
});
