import { CoalescingSender, type TopicMessages } from './coalescing-sender';

const message = (key: string, bytes = 10) => ({ key, value: 'x'.repeat(bytes) });

function recorder(refuse: (batch: TopicMessages) => boolean = () => false) {
  const batches: TopicMessages[] = [];
  const send = async (batch: TopicMessages) => {
    batches.push(batch);
    if (refuse(batch)) throw new Error('refused');
  };
  return { batches, send };
}

describe('CoalescingSender', () => {
  it('sends what was sent in one turn as one request, grouped by topic', async () => {
    const { batches, send } = recorder();
    const sender = new CoalescingSender(send);
    await Promise.all([
      sender.send('a', [message('1')]),
      sender.send('b', [message('2')]),
      sender.send('a', [message('3')]),
    ]);
    expect(batches).toHaveLength(1);
    expect(batches[0]).toEqual([
      { topic: 'a', messages: [message('1'), message('3')] },
      { topic: 'b', messages: [message('2')] },
    ]);
  });

  it('keeps a later turn in a later request, after the earlier one', async () => {
    const { batches, send } = recorder();
    const sender = new CoalescingSender(send);
    await sender.send('a', [message('1')]);
    await sender.send('a', [message('2')]);
    expect(batches.map((batch) => batch[0]?.messages[0]?.key)).toEqual(['1', '2']);
  });

  it('splits a turn whose values add up past the size limit', async () => {
    const { batches, send } = recorder();
    const sender = new CoalescingSender(send, 100);
    await Promise.all(['1', '2', '3'].map((key) => sender.send('a', [message(key, 60)])));
    expect(batches.map((batch) => batch[0]?.messages.map((m) => m.key))).toEqual([
      ['1'],
      ['2'],
      ['3'],
    ]);
  });

  it('fails only the sender whose message the broker refuses', async () => {
    const { send } = recorder((batch) =>
      batch.some((t) => t.messages.some((m) => m.key === 'bad')),
    );
    const sender = new CoalescingSender(send);
    const outcomes = await Promise.allSettled([
      sender.send('a', [message('good')]),
      sender.send('a', [message('bad')]),
      sender.send('b', [message('fine')]),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
  });

  it('resolves an empty send at once', async () => {
    const { batches, send } = recorder();
    await new CoalescingSender(send).send('a', []);
    expect(batches).toEqual([]);
  });
});
