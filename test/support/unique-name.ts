import { randomBytes } from 'node:crypto';

/** A name no other test uses, for topics, groups and databases: tests never share them. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}
