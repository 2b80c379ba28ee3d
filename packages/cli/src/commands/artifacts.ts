import { openAsBlob } from 'node:fs';
import { stat, writeFile } from 'node:fs/promises';
import { artifactIdOf } from '@weft/client';
import { API_OPTIONS, apiClientOf } from '../api-client';
import { CommandError, UsageError, type Command } from '../command';
import { FALLBACK_MEDIA_TYPE, mediaTypeOf } from '../media-types';

/** A CommandError saying why `file` cannot be uploaded, unless it can. */
async function checkIsFile(file: string): Promise<void> {
  const found = await stat(file).catch((error: NodeJS.ErrnoException) => {
    throw new CommandError(`cannot read ${file}: ${error.code ?? error.message}`);
  });
  if (!found.isFile()) throw new CommandError(`${file} is not a file`);
}

/** The id in an artifact id or URL; a usage error for anything else. */
function artifactIdIn(idOrUrl: string): string {
  try {
    return artifactIdOf(idOrUrl);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** `weft artifacts upload <file>`: stores a file as an artifact of the key's app. */
export const uploadArtifactCommand: Command = {
  path: ['artifacts', 'upload'],
  usage: '<file> [--content-type <type>] [--run <runId>] [--json]',
  summary: "Store a file as an artifact of the key's app and print its URL",
  options: {
    'content-type': {
      type: 'string',
      placeholder: '<type>',
      description: `what the bytes are, e.g. image/png (default: by the file's extension, else ${FALLBACK_MEDIA_TYPE})`,
    },
    run: {
      type: 'string',
      placeholder: '<runId>',
      description: 'the run the artifact belongs to, recorded with it (a run of the same app)',
    },
    ...API_OPTIONS,
  },
  requiredOptions: [],
  positionals: { min: 1, max: 1 },
  async run({ positionals, values }, context) {
    const file = positionals[0] ?? '';
    const given = values['content-type'];
    if (typeof given === 'string' && given.trim() === '') {
      throw new UsageError('--content-type must not be empty');
    }
    const contentType = typeof given === 'string' ? given.trim() : mediaTypeOf(file);
    const client = apiClientOf(values, context);
    await checkIsFile(file);
    // Read from the disk as it is sent, never held whole; and sent again if the gateway asks.
    const body = await openAsBlob(file);
    const artifact = await client.artifacts.upload(body, {
      contentType,
      ...(typeof values.run === 'string' ? { runId: values.run } : {}),
      // A large file on a slow link takes what it takes; Ctrl-C stops it.
      timeoutMs: 0,
    });
    context.stdout(values.json === true ? `${JSON.stringify(artifact)}\n` : `${artifact.url}\n`);
  },
};

/** `weft artifacts get <id|url>`: an artifact's bytes, to a file or to stdout. */
export const getArtifactCommand: Command = {
  path: ['artifacts', 'get'],
  usage: '<artifactId|url> [--out <file>] [--json]',
  summary: "Download an artifact of the key's app (by id, or the URL a run's output holds)",
  options: {
    out: {
      type: 'string',
      placeholder: '<file>',
      description: 'write the bytes to this file (default: to stdout, as they are)',
    },
    ...API_OPTIONS,
  },
  requiredOptions: [],
  positionals: { min: 1, max: 1 },
  async run({ positionals, values }, context) {
    const out = typeof values.out === 'string' ? values.out : undefined;
    if (out === undefined && values.json === true) {
      throw new UsageError('--json describes the file --out writes: give --out <file>');
    }
    if (out === undefined && context.stdoutBytes === undefined) {
      throw new UsageError('give --out <file>: this output takes text only');
    }
    const id = artifactIdIn(positionals[0] ?? '');
    const artifact = await apiClientOf(values, context).artifacts.download(id);
    if (out === undefined) {
      context.stdoutBytes?.(artifact.bytes);
      return;
    }
    await writeFile(out, artifact.bytes);
    const size = artifact.bytes.byteLength;
    context.stdout(
      values.json === true
        ? `${JSON.stringify({ out, contentType: artifact.contentType, size, etag: artifact.etag })}\n`
        : `Wrote ${size} bytes (${artifact.contentType}) to ${out}\n`,
    );
  },
};
