import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { CommandError } from './command';

/** A workflow definition file's JSON (either form; the caller checks it). */
export async function readDefinitionFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new CommandError(
      code === 'ENOENT'
        ? `there is no file ${path}`
        : `cannot read ${path}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CommandError(`${path} is not JSON: ${(error as Error).message}`, { cause: error });
  }
}

/** The slug a file suggests: its name without extension, lowercased, other characters as `-`. */
export function slugFromFileName(path: string): string {
  return basename(path, extname(path))
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .slice(0, 64)
    .replace(/^[-_]+|[-_]+$/g, '');
}
