import type {
  RegisteredTaskType,
  RegisteredTaskTypeAnswer,
  RegisteredTaskTypeList,
} from '@weft/contract';
import { signalOf, type CallOptions } from './call-options';
import { segment } from './path-segment';
import type { Transport } from './transport';

/** The task types registered at run time, for operators: `/v1/admin/task-types`. */
export class AdminTaskTypesApi {
  constructor(
    private readonly transport: Transport,
    private readonly headers: Record<string, string>,
  ) {}

  /** Every registered task type, by name, as registered (version, schemas, `registeredAt`). */
  async list(options?: CallOptions): Promise<RegisteredTaskType[]> {
    const { taskTypes } = await this.transport.json<RegisteredTaskTypeList>({
      method: 'GET',
      path: '/v1/admin/task-types',
      headers: this.headers,
      ...signalOf(options),
    });
    return taskTypes;
  }

  /**
   * Removes a registered task type; workflows naming it are refused from then on. 404
   * `task_type_not_found` when none of that name is registered (a built-in one included).
   */
  async remove(name: string, options?: CallOptions): Promise<RegisteredTaskType> {
    const { taskType } = await this.transport.json<RegisteredTaskTypeAnswer>({
      method: 'DELETE',
      path: `/v1/admin/task-types/${segment(name)}`,
      headers: this.headers,
      ...signalOf(options),
    });
    return taskType;
  }
}
