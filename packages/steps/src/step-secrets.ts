import { SECRET_NAME_PATTERN } from '@weft/core';
import { HEADER_VALUE } from './header-check';

/**
 * A secret an `http_request` step may send in a header: its value, the origins it may be sent to
 * (so a workflow cannot send it to a server of its author's), and the apps whose runs may use it
 * (absent: every app of this deployment).
 */
export interface StepSecret {
  value: string;
  origins: readonly string[];
  apps?: readonly string[];
}

const SECRET_NAME = new RegExp(SECRET_NAME_PATTERN);

/** The secrets of a worker's configuration, by name; never logged, never in a run. */
export class StepSecrets {
  constructor(private readonly byName: ReadonlyMap<string, StepSecret> = new Map()) {}

  /** The secret `name` as a run of `appId` may send it to `url`, or why it may not. */
  resolve(name: string, appId: string, url: URL): { value: string } | { refused: string } {
    const secret = this.byName.get(name);
    if (!secret) return { refused: `no secret "${name}" is configured on this worker` };
    if (secret.apps !== undefined && !secret.apps.includes(appId)) {
      return { refused: `secret "${name}" is not available to this app` };
    }
    if (!secret.origins.includes(url.origin)) {
      return { refused: `secret "${name}" may not be sent to ${url.origin}` };
    }
    return { value: secret.value };
  }

  get names(): string[] {
    return [...this.byName.keys()];
  }
}

function originOf(value: unknown): string | undefined {
  if (typeof value !== 'string' || !URL.canParse(value)) return undefined;
  const url = new URL(value);
  const isOrigin = url.origin === value.replace(/\/$/, '');
  return isOrigin && (url.protocol === 'https:' || url.protocol === 'http:')
    ? url.origin
    : undefined;
}

function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((item) => typeof item === 'string')
    ? value
    : undefined;
}

/**
 * Reads `STEP_SECRETS`: a JSON object of secrets by name,
 * `{"ACME_TOKEN": {"value": "…", "origins": ["https://api.acme.com"], "apps": ["app_…"]}}`.
 * Its problems name the secret and the field, never a value.
 */
export function parseStepSecrets(
  text: string | undefined,
): { secrets: StepSecrets } | { problem: string } {
  if (text === undefined || text.trim() === '') return { secrets: new StepSecrets() };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { problem: 'STEP_SECRETS must be a JSON object of secrets by name' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { problem: 'STEP_SECRETS must be a JSON object of secrets by name' };
  }
  const byName = new Map<string, StepSecret>();
  for (const [name, entry] of Object.entries(parsed as Record<string, unknown>)) {
    const where = `STEP_SECRETS: secret "${name}"`;
    if (!SECRET_NAME.test(name)) {
      return {
        problem: `${where}: a name is upper-case letters, digits and _ (${SECRET_NAME_PATTERN})`,
      };
    }
    const { value, origins, apps, ...others } = (entry ?? {}) as Record<string, unknown>;
    if (typeof value !== 'string' || value === '' || !HEADER_VALUE.test(value)) {
      return { problem: `${where}: "value" must be a non-empty string a header can carry` };
    }
    const originList = stringList(origins)?.map(originOf);
    if (!originList || originList.length === 0 || originList.some((o) => o === undefined)) {
      return {
        problem: `${where}: "origins" must list where it may be sent, e.g. ["https://api.example.com"]`,
      };
    }
    const appList = apps === undefined ? undefined : stringList(apps);
    if (apps !== undefined && !appList) {
      return { problem: `${where}: "apps" must be a list of app ids` };
    }
    const unknown = Object.keys(others);
    if (unknown.length > 0) return { problem: `${where}: unknown field "${unknown[0]}"` };
    byName.set(name, {
      value,
      origins: originList as string[],
      ...(appList ? { apps: appList } : {}),
    });
  }
  return { secrets: new StepSecrets(byName) };
}
