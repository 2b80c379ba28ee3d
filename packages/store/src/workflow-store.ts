import { WORKFLOW_SLUG_PATTERN } from '@weft/contract';
import { Schema, type Connection, type Model } from 'mongoose';
import {
  checkDefinition,
  getTemplate,
  TEMPLATES,
  type WorkflowDefinition,
  type WorkflowTemplate,
} from '@weft/core';
import type { DefinitionStore } from './definition-store';
import { newId } from './ids';

const SLUG = new RegExp(WORKFLOW_SLUG_PATTERN);

/** A workflow as listed: an app's own, or a built-in template every app can run. */
export interface WorkflowSummary {
  /** `wf_…`; absent for a built-in template. */
  id?: string;
  slug: string;
  name: string;
  description?: string;
  latestVersion: number;
  /** True for a built-in template, which is version 1 and cannot change. */
  builtIn: boolean;
  /** Epoch ms; absent for a built-in template. */
  createdAt?: number;
  updatedAt?: number;
}

/** One immutable version of a workflow, with its definition (canonical form). */
export interface WorkflowVersion {
  /** `wf_…`; absent for a built-in template. */
  workflowId?: string;
  slug: string;
  version: number;
  name: string;
  description?: string;
  /** The definition's content id in the DefinitionStore; absent for a built-in template. */
  definitionId?: string;
  definition: WorkflowDefinition;
  builtIn: boolean;
  /** Epoch ms; absent for a built-in template. */
  createdAt?: number;
}

/** A version as listed, without its definition. */
export type WorkflowVersionSummary = Omit<WorkflowVersion, 'definition'>;

interface WorkflowDocument {
  _id: string;
  appId: string;
  slug: string;
  name: string;
  description?: string;
  /**
   * The newest version, as last recorded: a hint for readers of the collection. The versions
   * themselves are the truth (on a store without atomic updates, racing saves may leave this
   * behind), so the store reads the latest version from them.
   */
  latestVersion: number;
  createdAt: number;
  updatedAt: number;
  deletedAt?: number;
}

interface WorkflowVersionDocument {
  /** `${workflowId}@${version}`: unique by construction. */
  _id: string;
  workflowId: string;
  appId: string;
  slug: string;
  version: number;
  name: string;
  description?: string;
  definitionId: string;
  createdAt: number;
}

const workflowSchema = new Schema<WorkflowDocument>(
  {
    _id: { type: String, required: true },
    appId: { type: String, required: true },
    slug: { type: String, required: true },
    name: { type: String, required: true },
    description: String,
    latestVersion: { type: Number, required: true },
    createdAt: { type: Number, required: true },
    updatedAt: { type: Number, required: true },
    deletedAt: Number,
  },
  { versionKey: false, collection: 'workflows' },
);
workflowSchema.index({ appId: 1, slug: 1 }, { unique: true });

const workflowVersionSchema = new Schema<WorkflowVersionDocument>(
  {
    _id: { type: String, required: true },
    workflowId: { type: String, required: true },
    appId: { type: String, required: true },
    slug: { type: String, required: true },
    version: { type: Number, required: true },
    name: { type: String, required: true },
    description: String,
    definitionId: { type: String, required: true },
    createdAt: { type: Number, required: true },
  },
  { versionKey: false, collection: 'workflow_versions' },
);
workflowVersionSchema.index({ workflowId: 1, version: -1 });

/** The definitions a workflow store keeps versions in: {@link DefinitionStore}'s put and get. */
export type WorkflowDefinitions = Pick<DefinitionStore, 'put' | 'get'>;

/** Built-in templates in canonical form, normalized once. */
const builtInDefinitions = new Map<string, WorkflowDefinition>();

function builtInVersion(template: WorkflowTemplate): WorkflowVersion {
  let definition = builtInDefinitions.get(template.slug);
  if (definition === undefined) {
    definition = checkDefinition(template.definition).definition;
    if (definition === undefined) {
      throw new Error(`the built-in template ${template.slug} does not pass validation`);
    }
    builtInDefinitions.set(template.slug, definition);
  }
  return {
    slug: template.slug,
    version: 1,
    name: template.name,
    description: template.description,
    definition,
    builtIn: true,
  };
}

function builtInSummary(template: WorkflowTemplate): WorkflowSummary {
  return {
    slug: template.slug,
    name: template.name,
    description: template.description,
    latestVersion: 1,
    builtIn: true,
  };
}

/** Attempts at claiming a version number before giving up: every round, one racing save wins. */
const MAX_SAVE_ATTEMPTS = 50;

function isDuplicateKey(error: unknown): boolean {
  return (error as { code?: number }).code === 11000;
}

function withDescription<T extends object>(target: T, description: string | undefined | null): T {
  return description === undefined || description === null ? target : { ...target, description };
}

/**
 * An app's workflows, each a series of immutable versions (collections `workflows` and
 * `workflow_versions`; the definitions themselves live in the DefinitionStore). The built-in
 * templates are every app's version 1 of their slug until the app saves its own.
 */
export class WorkflowStore {
  private readonly workflows: Model<WorkflowDocument>;
  private readonly versionsModel: Model<WorkflowVersionDocument>;

  constructor(
    connection: Connection,
    private readonly definitions: WorkflowDefinitions,
    private readonly clock: () => number = Date.now,
  ) {
    this.workflows = connection.model<WorkflowDocument>('Workflow', workflowSchema);
    this.versionsModel = connection.model<WorkflowVersionDocument>(
      'WorkflowVersion',
      workflowVersionSchema,
    );
  }

  /** Creates the indexes, the unique (appId, slug) among them; idempotent. */
  async ensureIndexes(): Promise<void> {
    await Promise.all([this.workflows.createIndexes(), this.versionsModel.createIndexes()]);
  }

  /**
   * Saves `definition` (canonical, already checked by checkDefinition) as the next version of the
   * app's workflow `slug`, creating the workflow at version 1. Throws a RangeError for a bad slug.
   *
   * The next number is claimed by inserting the version under the unique id `<workflow>@<n>`:
   * inserts are the one write every MongoDB-compatible store makes atomic, so two racing saves can
   * never get the same number. A crash part way leaves no version that points nowhere.
   */
  async save(
    appId: string,
    slug: string,
    definition: WorkflowDefinition,
  ): Promise<WorkflowVersion> {
    if (!SLUG.test(slug)) throw new RangeError(`"${slug}" is not a valid workflow slug`);
    const definitionId = await this.definitions.put(definition);
    const workflow = await this.findOrCreateWorkflow(appId, slug, definition);
    for (let attempt = 0; attempt < MAX_SAVE_ATTEMPTS; attempt++) {
      const version = ((await this.latestVersion(workflow._id))?.version ?? 0) + 1;
      const now = this.clock();
      const document: WorkflowVersionDocument = withDescription(
        {
          _id: `${workflow._id}@${version}`,
          workflowId: workflow._id,
          appId,
          slug,
          version,
          name: definition.name,
          definitionId,
          createdAt: now,
        },
        definition.description,
      );
      try {
        await this.versionsModel.create(document);
      } catch (error) {
        if (isDuplicateKey(error)) continue;
        throw error;
      }
      await this.workflows.updateOne(
        { _id: workflow._id, latestVersion: { $lt: version } },
        definition.description === undefined
          ? {
              $set: { latestVersion: version, name: definition.name, updatedAt: now },
              $unset: { description: 1 },
            }
          : {
              $set: {
                latestVersion: version,
                name: definition.name,
                description: definition.description,
                updatedAt: now,
              },
            },
      );
      return { ...versionSummary(document), definition };
    }
    throw new Error(
      `workflow ${slug}: gave up after ${MAX_SAVE_ATTEMPTS} saves raced for a version number`,
    );
  }

  /**
   * Version `version` (default: the latest) of the app's workflow `slug`, else of the built-in
   * template of that slug (version 1 only); undefined when neither exists.
   */
  async get(appId: string, slug: string, version?: number): Promise<WorkflowVersion | undefined> {
    const own = await this.ownWorkflow(appId, slug);
    if (own) {
      const document =
        version === undefined
          ? await this.latestVersion(own._id)
          : await this.versionsModel.findById(`${own._id}@${version}`).lean();
      if (!document) return undefined;
      const definition = await this.definitions.get(document.definitionId);
      if (!definition) {
        throw new Error(
          `workflow ${own._id} version ${document.version} refers to a missing definition ${document.definitionId}`,
        );
      }
      return { ...versionSummary(document), definition };
    }
    const template = getTemplate(slug);
    if (!template || (version !== undefined && version !== 1)) return undefined;
    return builtInVersion(template);
  }

  /**
   * Version `version` (default: the latest) of the app's workflow with this id, with when the
   * workflow itself was made; undefined when the app has no such workflow (or it was deleted).
   */
  async getById(
    appId: string,
    workflowId: string,
    version?: number,
  ): Promise<(WorkflowVersion & { workflowCreatedAt: number }) | undefined> {
    const own = await this.workflows
      .findOne({ _id: workflowId, appId, deletedAt: { $exists: false } })
      .lean();
    if (!own) return undefined;
    const found = await this.get(appId, own.slug, version);
    return found && !found.builtIn ? { ...found, workflowCreatedAt: own.createdAt } : undefined;
  }

  /** The app's own workflows (no built-ins), each at its latest version, oldest first. */
  async listOwn(appId: string): Promise<(WorkflowVersion & { workflowCreatedAt: number })[]> {
    const documents = await this.workflows
      .find({ appId, deletedAt: { $exists: false } })
      .sort({ _id: 1 })
      .lean();
    const found = await Promise.all(documents.map((document) => this.getById(appId, document._id)));
    return found.filter((version) => version !== undefined);
  }

  /**
   * Deletes the app's workflow: it is no longer listed or runnable, and its slug is free again.
   * Its versions stay, so runs that executed them still show what they ran. False when not found.
   */
  async delete(appId: string, workflowId: string): Promise<boolean> {
    const now = this.clock();
    // The slug takes the (unique) id, so the unique (appId, slug) index lets the slug be reused.
    const result = await this.workflows.updateOne(
      { _id: workflowId, appId, deletedAt: { $exists: false } },
      { $set: { deletedAt: now, updatedAt: now, slug: `deleted:${workflowId}` } },
    );
    return result.modifiedCount === 1;
  }

  /** The app's workflows by slug, then the built-in templates it has not replaced. */
  async list(appId: string): Promise<WorkflowSummary[]> {
    const documents = await this.workflows
      .find({ appId, deletedAt: { $exists: false } })
      .sort({ slug: 1 })
      .lean();
    const latest = await Promise.all(documents.map((document) => this.latestVersion(document._id)));
    const own: WorkflowSummary[] = [];
    documents.forEach((document, i) => {
      const version = latest[i];
      if (!version) return; // its first save did not finish
      own.push(
        withDescription(
          {
            id: document._id,
            slug: document.slug,
            name: version.name,
            latestVersion: version.version,
            builtIn: false,
            createdAt: document.createdAt,
            updatedAt: version.createdAt,
          },
          version.description,
        ),
      );
    });
    const taken = new Set(own.map((workflow) => workflow.slug));
    return [
      ...own,
      ...TEMPLATES.filter((template) => !taken.has(template.slug)).map(builtInSummary),
    ];
  }

  /** Every version of the app's workflow `slug`, oldest first; undefined when there is none. */
  async versions(appId: string, slug: string): Promise<WorkflowVersionSummary[] | undefined> {
    const own = await this.ownWorkflow(appId, slug);
    if (own) {
      const documents = await this.versionsModel
        .find({ workflowId: own._id })
        .sort({ version: 1 })
        .lean();
      return documents.map(versionSummary);
    }
    const template = getTemplate(slug);
    if (!template) return undefined;
    const { definition: _definition, ...summary } = builtInVersion(template);
    return [summary];
  }

  /** The app's workflow `slug` if at least one version of it was written, else undefined. */
  private async ownWorkflow(appId: string, slug: string): Promise<WorkflowDocument | undefined> {
    const document = await this.workflows
      .findOne({ appId, slug, deletedAt: { $exists: false } })
      .lean();
    if (!document) return undefined;
    if (document.latestVersion < 1 && !(await this.latestVersion(document._id))) return undefined;
    return document;
  }

  /** The workflow's newest version, from the versions themselves. */
  private async latestVersion(workflowId: string): Promise<WorkflowVersionDocument | undefined> {
    const document = await this.versionsModel.findOne({ workflowId }).sort({ version: -1 }).lean();
    return document ?? undefined;
  }

  /** The app's workflow `slug`, inserted if new; a racing insert loses to the unique index. */
  private async findOrCreateWorkflow(
    appId: string,
    slug: string,
    definition: WorkflowDefinition,
  ): Promise<WorkflowDocument> {
    const existing = await this.workflows.findOne({ appId, slug }).lean();
    if (existing) return existing;
    const now = this.clock();
    const document: WorkflowDocument = withDescription(
      {
        _id: newId('wf'),
        appId,
        slug,
        name: definition.name,
        latestVersion: 0,
        createdAt: now,
        updatedAt: now,
      },
      definition.description,
    );
    try {
      await this.workflows.create(document);
      return document;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      const winner = await this.workflows.findOne({ appId, slug }).lean();
      if (!winner) throw error;
      return winner;
    }
  }
}

function versionSummary(document: WorkflowVersionDocument): WorkflowVersionSummary {
  return withDescription(
    {
      workflowId: document.workflowId,
      slug: document.slug,
      version: document.version,
      name: document.name,
      definitionId: document.definitionId,
      builtIn: false,
      createdAt: document.createdAt,
    },
    document.description,
  );
}
