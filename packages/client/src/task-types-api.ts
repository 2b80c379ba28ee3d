import type { TaskTypeList, TaskTypeView } from '@weft/contract';
import { signalOf, type CallOptions } from './call-options';
import type { Transport } from './transport';

/** What a node may do: `/v1/task-types`. */
export class TaskTypesApi {
  constructor(private readonly transport: Transport) {}

  /** Every task type, with the JSON Schemas of its input and result. */
  async list(options?: CallOptions): Promise<TaskTypeView[]> {
    const { taskTypes } = await this.transport.json<TaskTypeList>({
      method: 'GET',
      path: '/v1/task-types',
      ...signalOf(options),
    });
    return taskTypes;
  }
}
