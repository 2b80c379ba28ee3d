import {
  engineConsumerGroups,
  ORCHESTRATOR_GROUP,
  WEBHOOKS_GROUP,
  workerControlGroup,
  workerGroup,
} from './consumer-groups';
import { RUN_EVENTS_TOPIC, stepTopic, STEP_RESULTS_TOPIC } from './topics';

describe('consumer groups', () => {
  // Offsets are kept by these names: a deployment upgraded over them must find its own.
  it('keeps the names existing deployments have offsets under', () => {
    expect(ORCHESTRATOR_GROUP).toBe('weft.orchestrator');
    expect(WEBHOOKS_GROUP).toBe('weft.webhooks');
    expect(workerGroup(stepTopic('core/transform'))).toBe('weft.worker.weft.steps.core.transform');
    expect(workerGroup(stepTopic('image_generate', 'eu'))).toBe(
      'weft.worker.weft.steps.image_generate.eu',
    );
    expect(workerControlGroup('w1', 'abc')).toBe('weft.worker-control.w1.abc');
  });

  it("lists the orchestrators', the dispatchers' and every step topic's pool with its topic", () => {
    const groups = engineConsumerGroups(['core/transform']);
    expect(groups).toEqual([
      { group: 'weft.orchestrator', topic: STEP_RESULTS_TOPIC },
      { group: 'weft.webhooks', topic: RUN_EVENTS_TOPIC },
      ...['', '.us', '.eu'].map((suffix) => ({
        group: `weft.worker.weft.steps.core.transform${suffix}`,
        topic: `weft.steps.core.transform${suffix}`,
      })),
    ]);
  });
});
