// The root `ajv` is ESLint's ajv 6, which has no 2020-12 build; the gateway's own ajv 8 does.
import Ajv2020, { type ValidateFunction } from '../../services/gateway/node_modules/ajv/dist/2020';
import {
  HTTP_METHODS,
  type HttpMethod,
  type OpenApiDocument,
  type OperationObject,
  type ReferenceObject,
  type ResponseObject,
} from '@weft/contract';
import { type ObservedExchange, OPENAPI_DOCUMENT } from '@weft/gateway';

/** An answer that the OpenAPI document does not describe. */
export interface ContractViolation {
  method: string;
  path: string;
  status: number;
  problem: string;
}

/** The id the document is known by inside ajv, so `$ref`s into it resolve. */
const DOCUMENT_ID = 'https://weft.invalid/openapi.json';

/** The keywords of an OpenAPI document's root, which are not JSON Schema keywords. */
const OPENAPI_ROOT_KEYWORDS = [
  'openapi',
  'info',
  'jsonSchemaDialect',
  'servers',
  'security',
  'tags',
  'paths',
  'webhooks',
  'components',
  'externalDocs',
];

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/i;

/**
 * An ajv for the document's schemas: JSON Schema 2020-12 (the dialect of OpenAPI 3.1), strict, so
 * a misspelt keyword fails to compile instead of allowing everything.
 */
export function createSchemaCompiler(): Ajv2020 {
  const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
  ajv.addVocabulary(OPENAPI_ROOT_KEYWORDS);
  ajv.addFormat('date-time', (value: string) => DATE_TIME.test(value) && !isNaN(Date.parse(value)));
  ajv.addFormat('uri', (value: string) => URL.canParse(value));
  return ajv;
}

/** A JSON pointer token, escaped for use in a `$ref`'s fragment. */
function pointerToken(token: string): string {
  return encodeURIComponent(token.replaceAll('~', '~0').replaceAll('/', '~1'));
}

interface Segment {
  literal?: string;
}

interface DocumentedPath {
  template: string;
  segments: Segment[];
}

function segmentsOf(path: string): string[] {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  return trimmed.split('/').slice(1);
}

function matches(documented: DocumentedPath, segments: readonly string[]): boolean {
  return (
    documented.segments.length === segments.length &&
    documented.segments.every(
      (segment, i) =>
        segment.literal === undefined || segment.literal === segments[i]?.toLowerCase(),
    )
  );
}

/** Concrete paths before templated ones, segment by segment, as OpenAPI says they match. */
function byPrecedence(a: DocumentedPath, b: DocumentedPath): number {
  for (let i = 0; i < Math.min(a.segments.length, b.segments.length); i++) {
    const aLiteral = a.segments[i]?.literal !== undefined;
    const bLiteral = b.segments[i]?.literal !== undefined;
    if (aLiteral !== bLiteral) return aLiteral ? -1 : 1;
  }
  return 0;
}

/** A path template with its parameter names erased: `/runs/:runId` and `/runs/{id}` agree. */
function shapeOf(template: string): string {
  return segmentsOf(template)
    .map((segment) => (/^(?::.+|\{[^}]+\})$/.test(segment) ? '{}' : segment.toLowerCase()))
    .join('/');
}

function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/**
 * Checks answers against an OpenAPI document: finds the operation of the method and path (as
 * OpenAPI matches templates: concrete segments first), then checks that the status is documented
 * for it and that the JSON body fits the documented schema. A path no operation matches is only
 * allowed the gateway's 404 `not_found`.
 */
export class OpenApiValidator {
  private readonly ajv = createSchemaCompiler();
  private readonly paths: DocumentedPath[];
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(private readonly document: OpenApiDocument = OPENAPI_DOCUMENT) {
    this.ajv.addSchema(document, DOCUMENT_ID);
    this.paths = Object.keys(document.paths)
      .map((template) => ({
        template,
        segments: segmentsOf(template).map((segment) =>
          /^\{[^}]+\}$/.test(segment) ? {} : { literal: segment.toLowerCase() },
        ),
      }))
      .sort(byPrecedence);
  }

  /** The documented operation that answers `method` on `path`, with its path template. */
  operationOf(
    method: string,
    path: string,
  ): { template: string; method: HttpMethod; operation: OperationObject } | undefined {
    const lower = method.toLowerCase();
    const verb = (lower === 'head' ? 'get' : lower) as HttpMethod;
    if (!HTTP_METHODS.includes(verb)) return undefined;
    const segments = segmentsOf(path);
    for (const documented of this.paths) {
      const operation = this.document.paths[documented.template]?.[verb];
      if (operation && matches(documented, segments)) {
        return { template: documented.template, method: verb, operation };
      }
    }
    return undefined;
  }

  /** What is wrong with one answer; empty when the document describes it. */
  check(exchange: ObservedExchange): string[] {
    const found = this.operationOf(exchange.method, exchange.path);
    if (!found) {
      if (exchange.status !== 404) {
        return [`no documented operation for ${exchange.method} ${exchange.path}`];
      }
      return this.checkBody(
        exchange,
        this.document.components.responses.RouteNotFound,
        '/components/responses/RouteNotFound',
        'an undocumented route',
      );
    }
    const { template, method, operation } = found;
    const where = `${method.toUpperCase()} ${template}`;
    const problems: string[] = [];
    if (exchange.route !== undefined && shapeOf(exchange.route) !== shapeOf(template)) {
      problems.push(
        `the express route ${exchange.route} answered, but the document matches ${where}`,
      );
    }
    const status = String(exchange.status);
    const key = [status, `${status[0] ?? ''}XX`, 'default'].find(
      (candidate) => operation.responses[candidate] !== undefined,
    );
    const response = key === undefined ? undefined : operation.responses[key];
    if (key === undefined || response === undefined) {
      return [...problems, `status ${status} is not documented for ${where}`];
    }
    const pointer = `/paths/${pointerToken(template)}/${method}/responses/${key}`;
    return [
      ...problems,
      ...(isReference(response)
        ? this.checkBody(
            exchange,
            this.resolveResponse(response.$ref),
            response.$ref.slice(1).split('/').map(pointerToken).join('/'),
            where,
          )
        : this.checkBody(exchange, response, pointer, where)),
    ];
  }

  private resolveResponse($ref: string): ResponseObject | undefined {
    const name = /^#\/components\/responses\/([^/]+)$/.exec($ref)?.[1];
    return name === undefined ? undefined : this.document.components.responses[name];
  }

  private checkBody(
    exchange: ObservedExchange,
    response: ResponseObject | undefined,
    pointer: string,
    where: string,
  ): string[] {
    if (!response) return [`${where}: the response ${pointer} does not resolve`];
    if (exchange.body === undefined) return [];
    const content = response.content ?? {};
    const mediaType = mediaTypeOf(exchange.contentType);
    const documented = [mediaType, `${mediaType.split('/')[0] ?? ''}/*`, '*/*'].find(
      (candidate) => content[candidate] !== undefined,
    );
    if (documented === undefined) {
      return [
        `${where} ${exchange.status}: a ${mediaType || 'body without a type'} answer is not documented`,
      ];
    }
    if (content[documented]?.schema === undefined) return [];
    const schemaPointer = `${pointer}/content/${pointerToken(documented)}/schema`;
    let validate = this.compiled.get(schemaPointer);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `${DOCUMENT_ID}#${schemaPointer}` });
      this.compiled.set(schemaPointer, validate);
    }
    // What the client receives: the JSON text of the body, parsed again.
    const body = JSON.parse(JSON.stringify(exchange.body)) as unknown;
    if (validate(body)) return [];
    return (validate.errors ?? []).map(
      (error) =>
        `${where} ${exchange.status}: body${error.instancePath} ${error.message ?? 'is not valid'}` +
        (error.keyword === 'additionalProperties'
          ? ` (${String((error.params as { additionalProperty?: unknown }).additionalProperty)})`
          : ''),
    );
  }
}

function isReference(value: ResponseObject | ReferenceObject): value is ReferenceObject {
  return '$ref' in value;
}

let sharedValidator: OpenApiValidator | undefined;
const recorders: ContractRecorder[] = [];

/** The document's validator, compiled once per test file. */
export function openApiValidator(): OpenApiValidator {
  sharedValidator ??= new OpenApiValidator();
  return sharedValidator;
}

/** Thrown when answers did not match the OpenAPI document; lists every one. */
export class ContractViolationError extends Error {
  override name = 'ContractViolationError';

  constructor(readonly violations: readonly ContractViolation[]) {
    super(
      `${violations.length} answer(s) do not match the OpenAPI document (services/gateway/src/openapi.ts):\n` +
        violations
          .map(({ method, path, status, problem }) => `  ${method} ${path} → ${status}: ${problem}`)
          .join('\n'),
    );
  }
}

/**
 * Collects the contract violations of the answers one gateway gives: pass {@link observe} as
 * `observeResponse`, then {@link assertNone}.
 */
export class ContractRecorder {
  private pending: ContractViolation[] = [];

  constructor(private readonly validator: OpenApiValidator = openApiValidator()) {
    recorders.push(this);
  }

  /** For `GatewayDeps.observeResponse`; never throws, so it cannot change an answer. */
  readonly observe = (exchange: ObservedExchange): void => {
    let problems: string[];
    try {
      problems = this.validator.check(exchange);
    } catch (error) {
      problems = [
        `the validator failed: ${error instanceof Error ? error.message : String(error)}`,
      ];
    }
    for (const problem of problems) {
      this.pending.push({
        method: exchange.method,
        path: exchange.path,
        status: exchange.status,
        problem,
      });
    }
  };

  /** The violations not yet asserted on, and forgets them. */
  take(): ContractViolation[] {
    const taken = this.pending;
    this.pending = [];
    return taken;
  }

  /** Throws {@link ContractViolationError} if any answer since the last call broke the contract. */
  assertNone(): void {
    const violations = this.take();
    if (violations.length > 0) throw new ContractViolationError(violations);
  }
}

/**
 * Throws if any answer of a gateway started in this test file (by the gateway fixture or
 * `TestEngine.startGateway`) did not match the OpenAPI document since the last check.
 */
export function expectNoContractViolations(): void {
  const violations = recorders.flatMap((recorder) => recorder.take());
  if (violations.length > 0) throw new ContractViolationError(violations);
}
