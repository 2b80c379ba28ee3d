import { stepTopic, TASK_TYPES_TOPIC, type TaskTypeRegistration } from '@weft/core';
import {
  createKafkaClient,
  kafkaImplementationFromEnv,
  type KafkaAdmin,
  type KafkaClient,
} from '@weft/kafka';
import {
  registerTaskTypes,
  removeTaskType,
  TaskTypeConflictError,
  TaskTypeRegistry,
  type InvalidRegistryRecord,
} from '@weft/task-registry';
import { requiredEnv, uniqueName, waitFor } from '../../support/test-infrastructure';

/**
 * The registry on the real broker: registrations written through Kafka alone, read back by
 * registries that follow the topic, refused when they would break workflows, and removed.
 */

const resize: TaskTypeRegistration = {
  name: 'acme/resize',
  version: 1,
  description: 'Resizes an image.',
  inputSchema: {
    type: 'object',
    required: ['image_url'],
    properties: { image_url: { type: 'string' }, width: { type: 'integer' } },
  },
  outputSchema: {
    type: 'object',
    required: ['url'],
    properties: { url: { type: 'string' } },
  },
  retry: { max_attempts: 4 },
};

describe('the task type registry', () => {
  const namespace = uniqueName('registry');
  let kafka: KafkaClient;
  let admin: KafkaAdmin;
  const registries: TaskTypeRegistry[] = [];
  const invalid: InvalidRegistryRecord[] = [];

  /** A registry following the topic, ready. */
  async function follow(): Promise<TaskTypeRegistry> {
    const registry = new TaskTypeRegistry(kafka, {
      onInvalidRecord: (record) => invalid.push(record),
    });
    registries.push(registry);
    await registry.start();
    return registry;
  }

  /** How many records the registry's topic holds. */
  async function records(): Promise<number> {
    const offsets = await admin.topicOffsets(TASK_TYPES_TOPIC);
    return offsets.reduce((sum, entry) => sum + Number(entry.latest), 0);
  }

  beforeAll(async () => {
    kafka = createKafkaClient({
      brokers: requiredEnv('KAFKA_BROKERS').split(','),
      clientId: namespace,
      namespace,
      logLevel: 'nothing',
      implementation: kafkaImplementationFromEnv(process.env),
    });
    admin = await kafka.admin();
  });

  afterAll(async () => {
    await Promise.all(registries.map((registry) => registry.stop()));
    const topics = await admin.listTopics();
    if (topics.length > 0) await admin.deleteTopics(topics);
    await admin.disconnect();
  });

  it('starts ready on an empty registry, creating its topic', async () => {
    const registry = await follow();
    expect(registry.list()).toEqual([]);
    expect(await admin.listTopics()).toContain(TASK_TYPES_TOPIC);
  });

  it('registers a type with its step topics, and a registry started later reads it before it is ready', async () => {
    const before = new Date('2030-01-02T03:04:05.000Z');
    expect(await registerTaskTypes(kafka, [resize], { now: () => before })).toEqual([
      { name: 'acme/resize', version: 1, outcome: 'registered' },
    ]);
    const topics = await admin.listTopics();
    for (const region of ['global', 'us', 'eu'] as const) {
      expect(topics).toContain(stepTopic('acme/resize', region));
    }

    const registry = await follow();
    expect(registry.list()).toEqual([{ ...resize, registeredAt: before.toISOString() }]);
    expect(registry.get('acme/resize')?.version).toBe(1);
    expect(registry.catalogue().get('acme/resize')).toMatchObject({
      category: 'custom',
      retry: { max_attempts: 4 },
    });
    expect(registry.catalogue().get('image_generate')?.category).toBe('image');
  });

  it('writes nothing when the same type is registered again', async () => {
    const written = await records();
    expect(await registerTaskTypes(kafka, [{ ...resize }])).toEqual([
      { name: 'acme/resize', version: 1, outcome: 'unchanged' },
    ]);
    expect(await records()).toBe(written);
  });

  it('refuses an incompatible change at the same version, naming the type, the version and each reason, and writes nothing', async () => {
    const written = await records();
    const incompatible: TaskTypeRegistration = {
      ...resize,
      inputSchema: {
        type: 'object',
        required: ['image_url', 'height'],
        properties: { image_url: { type: 'string' }, height: { type: 'integer' } },
      },
    };
    const refused = await registerTaskTypes(kafka, [incompatible]).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(TaskTypeConflictError);
    const error = refused as TaskTypeConflictError;
    expect(error.code).toBe('task_type_conflict');
    expect(error.conflicts).toEqual([
      {
        name: 'acme/resize',
        version: 1,
        kind: 'incompatible',
        reasons: ['input "width" was removed', 'input "height" is now required'],
      },
    ]);
    expect(error.message).toContain('task type "acme/resize" version 1');
    expect(error.message).toContain('input "height" is now required');
    expect(error.message).toContain('Raise "version"');
    expect(await records()).toBe(written);

    expect(await registerTaskTypes(kafka, [{ ...incompatible, version: 2 }])).toEqual([
      { name: 'acme/resize', version: 2, outcome: 'registered' },
    ]);
    const registry = await follow();
    expect(registry.get('acme/resize')?.inputSchema.required).toEqual(['image_url', 'height']);
  });

  it('accepts a compatible change at the same version, and a running registry sees it', async () => {
    const registry = await follow();
    const current = registry.get('acme/resize');
    if (!current) throw new Error('acme/resize is not registered');
    const { registeredAt: _at, ...registration } = current;
    await registerTaskTypes(kafka, [{ ...registration, description: 'Resizes, fast.' }]);
    await registry.catchUp();
    expect(registry.get('acme/resize')?.description).toBe('Resizes, fast.');
  });

  it('refuses reserved and malformed names and schemas that do not compile, all or nothing', async () => {
    const written = await records();
    const refused = await registerTaskTypes(kafka, [
      { ...resize, name: 'acme/crop' },
      { ...resize, name: 'openai/resize' },
      { ...resize, name: 'image_generate' },
      { ...resize, name: 'acme/blur', inputSchema: { type: 'object', propertys: {} } as never },
    ]).catch((error: unknown) => error as TaskTypeConflictError);
    expect(refused).toBeInstanceOf(TaskTypeConflictError);
    expect((refused as TaskTypeConflictError).conflicts.map((conflict) => conflict.name)).toEqual([
      'openai/resize',
      'image_generate',
      'acme/blur',
    ]);
    expect((refused as TaskTypeConflictError).message).toMatch(/"openai".*reserved/);
    expect(await records()).toBe(written);
    const registry = await follow();
    expect(registry.get('acme/crop')).toBeUndefined();
  });

  it('removes a type with a tombstone that every registry follows', async () => {
    await registerTaskTypes(kafka, [{ ...resize, name: 'acme/crop' }]);
    const watching = await follow();
    expect(watching.get('acme/crop')).toBeDefined();

    const removed = await watching.remove('acme/crop');
    expect(removed?.name).toBe('acme/crop');
    expect(watching.get('acme/crop')).toBeUndefined();
    expect(await watching.remove('acme/crop')).toBeUndefined();
    expect((await follow()).get('acme/crop')).toBeUndefined();
    await expect(removeTaskType(kafka, 'core/delay')).rejects.toThrow(/built-in/);
  });

  it('drops a name whose latest record is not a valid registration, and says so', async () => {
    const registry = await follow();
    expect(registry.get('acme/resize')).toBeDefined();
    const producer = await kafka.producer();
    await producer.send(TASK_TYPES_TOPIC, [
      { key: 'acme/resize', value: JSON.stringify({ name: 'acme/resize', version: 'two' }) },
    ]);
    await producer.disconnect();
    await registry.catchUp();
    expect(registry.get('acme/resize')).toBeUndefined();
    await waitFor('the invalid record to be reported', async () =>
      invalid.some((record) => record.name === 'acme/resize') ? true : undefined,
    );
    expect(invalid.find((record) => record.name === 'acme/resize')?.problems).toEqual(
      expect.arrayContaining([expect.stringMatching(/registeredAt/)]),
    );
  });
});
