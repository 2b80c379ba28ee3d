import { WORKFLOW_SLUG_PATTERN } from '@weft/contract';
import { WeftApiError, type WeftClient, type WorkflowVersion } from '@weft/client';
import { checkDefinition } from '@weft/core';
import { API_OPTIONS, apiClientOf } from '../api-client';
import { EXIT_FAILURE, EXIT_OK, UsageError, type Command } from '../command';
import { readDefinitionFile, slugFromFileName } from '../definition-file';
import { diagnosticsSummary, formatDiagnostics } from '../diagnostics-format';
import { formatTable } from '../table';

const SLUG = new RegExp(WORKFLOW_SLUG_PATTERN);
/** WORKFLOW_SLUG_PATTERN in words. */
const SLUG_RULE = 'lowercase letters, digits, "-" and "_", at most 64';

/** `weft workflows push <file> [--slug s]`: saves the file's definition as a new version. */
export const pushWorkflowCommand: Command = {
  path: ['workflows', 'push'],
  usage: '<file> [--slug <slug>] [--json]',
  summary:
    'Save a definition file (either form) as a new version; the slug defaults to the file name',
  options: {
    slug: {
      type: 'string',
      placeholder: '<slug>',
      description:
        `the workflow to save it as: ${SLUG_RULE} ` +
        '(default: the file name, `My Flow.json` → my-flow)',
    },
    ...API_OPTIONS,
  },
  requiredOptions: [],
  positionals: { min: 1, max: 1 },
  async run({ positionals, values }, context) {
    const file = positionals[0] ?? '';
    const slug = typeof values.slug === 'string' ? values.slug.trim() : slugFromFileName(file);
    if (!SLUG.test(slug)) {
      throw new UsageError(`"${slug}" is not a workflow slug (${SLUG_RULE}); pass --slug`);
    }
    const definition = await readDefinitionFile(file);
    if (typeof definition !== 'object' || definition === null || Array.isArray(definition)) {
      throw new UsageError(`${file} must hold a JSON object: a workflow definition`);
    }
    const saved = await apiClientOf(values, context).workflows.save({
      slug,
      definition: definition as Record<string, unknown>,
    });
    if (values.json === true) {
      context.stdout(`${JSON.stringify(saved)}\n`);
      return;
    }
    const { workflow, diagnostics } = saved;
    context.stdout(
      `Saved ${workflow.slug} version ${workflow.version}` +
        `${workflow.id === null ? '' : ` (${workflow.id})`}: ${diagnosticsSummary(diagnostics)}.\n` +
        formatDiagnostics(diagnostics),
    );
  },
};

/** `weft workflows list`: the app's workflows, then the built-in templates. */
export const listWorkflowsCommand: Command = {
  path: ['workflows', 'list'],
  usage: '[--json]',
  summary: "List the app's workflows and the built-in templates",
  options: { ...API_OPTIONS },
  requiredOptions: [],
  positionals: { min: 0, max: 0 },
  async run({ values }, context) {
    const workflows = await apiClientOf(values, context).workflows.list();
    if (values.json === true) {
      context.stdout(`${JSON.stringify({ workflows })}\n`);
      return;
    }
    context.stdout(
      formatTable(
        ['SLUG', 'VERSION', 'NAME', 'ID', 'UPDATED'],
        workflows.map((workflow) => [
          workflow.slug,
          String(workflow.latestVersion),
          workflow.name,
          workflow.id ?? 'built-in',
          workflow.updatedAt ?? '',
        ]),
      ),
    );
  },
};

/**
 * The slug of a workflow named by slug or by id (`wf_…`): ids are looked up with `/api`, or in
 * the listing when the server has no `/api`.
 */
async function slugOf(client: WeftClient, reference: string): Promise<string> {
  if (!reference.startsWith('wf_')) return reference;
  try {
    return (await client.api.getWorkflow(reference)).slug;
  } catch (error) {
    if (!(error instanceof WeftApiError && error.code === 'not_found')) throw error;
  }
  const found = (await client.workflows.list()).find((workflow) => workflow.id === reference);
  if (found === undefined) {
    throw new WeftApiError({
      status: 404,
      code: 'workflow_not_found',
      message: `No workflow ${reference} in this app`,
      details: { id: reference },
    });
  }
  return found.slug;
}

function describeVersion(workflow: WorkflowVersion): string {
  return (
    `${workflow.slug} version ${workflow.version}: ${workflow.name}\n` +
    (workflow.description === null ? '' : `  ${workflow.description}\n`) +
    `  id       ${workflow.id ?? '(built-in template)'}\n` +
    `  created  ${workflow.createdAt ?? '-'}\n\n` +
    `${JSON.stringify(workflow.definition, null, 2)}\n`
  );
}

/** `weft workflows show <slug|id>`: the latest version with its definition. */
export const showWorkflowCommand: Command = {
  path: ['workflows', 'show'],
  usage: '<slug|id> [--json]',
  summary: "Show a workflow's latest version and its definition",
  options: { ...API_OPTIONS },
  requiredOptions: [],
  positionals: { min: 1, max: 1 },
  async run({ positionals, values }, context) {
    const client = apiClientOf(values, context);
    const workflow = await client.workflows.get(await slugOf(client, positionals[0] ?? ''));
    context.stdout(
      values.json === true ? `${JSON.stringify({ workflow })}\n` : describeVersion(workflow),
    );
  },
};

/** `weft workflows validate <file>`: checks a definition here, with no server. */
export const validateWorkflowCommand: Command = {
  path: ['workflows', 'validate'],
  usage: '<file> [--json]',
  summary: 'Check a definition file locally (no server): every diagnostic; exit 1 on errors',
  options: {},
  requiredOptions: [],
  positionals: { min: 1, max: 1 },
  async run({ positionals, values }, context) {
    const file = positionals[0] ?? '';
    const { diagnostics } = checkDefinition(await readDefinitionFile(file));
    const valid = diagnostics.errors.length === 0;
    if (values.json === true) {
      context.stdout(`${JSON.stringify({ valid, diagnostics })}\n`);
    } else {
      context.stdout(
        formatDiagnostics(diagnostics) +
          `${file}: ${valid ? 'valid' : 'invalid'}, ${diagnosticsSummary(diagnostics)}\n`,
      );
    }
    return valid ? EXIT_OK : EXIT_FAILURE;
  },
};
