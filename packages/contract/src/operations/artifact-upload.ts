import type { ApiErrorCode } from '../api-errors';
import { ArtifactFile } from '../data';
import { DEFAULT_ARTIFACT_LIMIT_BYTES, MAX_MEDIA_TYPE_LENGTH } from '../names';
import { headerRef, json } from '../openapi/parts';
import type { Operation } from './operation';

// What the two upload routes (an app's, with its key; any app's, for operators) share.

/**
 * The upload's body, query, answer and errors (its own, and `errors` of its route): everything
 * but its path and who may call it. `owner` names whose artifact it becomes, for the description.
 */
export function artifactUpload(
  owner: string,
  errors: readonly ApiErrorCode[] = [],
): Pick<Operation, 'description' | 'parameters' | 'requestBody' | 'responses' | 'errors'> {
  return {
    description: [
      `The body is the bytes, as they are, and \`Content-Type\` (required, at most ${MAX_MEDIA_TYPE_LENGTH} characters) says what they are; they are stored as ${owner}'s, and served with that type.`,
      `At most \`ARTIFACT_LIMIT_BYTES\` (a gateway setting, default ${DEFAULT_ARTIFACT_LIMIT_BYTES}); beyond, 413 \`artifact_too_large\`, and the rest of the body is not read.`,
      'A refused, broken-off or too-large upload stores nothing. A body with a `Content-Encoding` other than `identity` is refused: it would be stored as sent.',
      'The answer is an artifact as step results name one, so a step handler can return it as its result (or part of it).',
    ].join('\n\n'),
    parameters: [
      {
        name: 'runId',
        in: 'query',
        description: `\`run_…\`: the run the artifact belongs to, recorded with it; it must be ${owner}'s (404 \`run_not_found\` otherwise).`,
        schema: { type: 'string' },
      },
    ],
    requestBody: { required: true, content: { '*/*': {} } },
    responses: {
      '201': json('Stored.', ArtifactFile, {
        Location: headerRef('Location'),
      }),
    },
    errors: ['invalid_request', 'run_not_found', 'artifact_too_large', ...errors],
  };
}
