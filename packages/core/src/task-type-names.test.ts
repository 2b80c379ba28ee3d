import { customTaskTypeNameProblem, RESERVED_TASK_NAMESPACES } from './task-type-names';
import { listTaskTypes } from './task-types';
import { stepTopic } from './topics';

describe('customTaskTypeNameProblem', () => {
  it.each(['acme/resize', 'a/b', 'acme-co/resize_v2', `a${'b'.repeat(62)}/c${'d'.repeat(62)}`])(
    'accepts %s',
    (name) => {
      expect(customTaskTypeNameProblem(name)).toBeUndefined();
    },
  );

  it.each([
    ['no namespace', 'resize'],
    ['a dot, which would share a topic', 'acme/re.size'],
    ['a dotted namespace', 'acme.co/resize'],
    ['upper case', 'Acme/resize'],
    ['a leading digit', 'acme/2x'],
    ['a leading dash', 'acme/-x'],
    ['two slashes', 'acme/image/resize'],
    ['an empty part', 'acme/'],
    ['a part over 63 characters', `acme/a${'b'.repeat(63)}`],
    ['spaces', 'acme/re size'],
    ['nothing', ''],
  ])('refuses %s', (_why, name) => {
    expect(customTaskTypeNameProblem(name)).toMatch(/namespace\/name/);
  });

  it("reserves the built-in types' namespaces and weft's, derived from the catalogue", () => {
    expect([...RESERVED_TASK_NAMESPACES].sort()).toEqual(['core', 'fal', 'openai', 'weft']);
    expect(customTaskTypeNameProblem('openai/my-chat')).toMatch(/namespace "openai".*reserved/);
    expect(customTaskTypeNameProblem('weft/anything')).toMatch(/namespace "weft".*reserved/);
    expect(customTaskTypeNameProblem('core/sleep')).toMatch(/reserved/);
  });

  it('never lets a built-in name be taken', () => {
    for (const { name } of listTaskTypes()) {
      expect(customTaskTypeNameProblem(name)).toMatch(/built-in task type/);
    }
  });

  it('keeps the step topics of two valid names apart', () => {
    // A name's `/` becomes `.` in its topic; without dots in names, topics map back one to one.
    expect(stepTopic('acme/resize')).toBe('weft.steps.acme.resize');
    expect(customTaskTypeNameProblem('acme.resize/x')).toBeDefined();
  });
});
