import { createHash } from 'node:crypto';
import { Router } from 'express';
import {
  API_ERROR_CODES,
  API_ERRORS,
  httpStatusOf,
  HTTP_METHODS,
  type HeaderObject,
  type OpenApiDocument,
  type OperationObject,
  type ParameterObject,
  type ReferenceObject,
  type ResponseObject,
  type SchemaObject,
} from '@weft/contract';
import { OPENAPI_DOCUMENT } from './api-document';

/** The page's only style: inline, allowed by its hash in the page's CSP. */
const STYLE = `
body { font: 15px/1.5 system-ui, sans-serif; color: #1b1f24; margin: 0 auto; max-width: 72rem; padding: 1rem 2rem 4rem; }
h1 { margin-bottom: 0; } h2 { border-bottom: 1px solid #d0d7de; padding-bottom: .3rem; margin-top: 2.5rem; }
h3 { margin: 2rem 0 .3rem; font-size: 1.1rem; } h4 { margin: 1rem 0 .3rem; font-size: .95rem; }
code { font: .9em ui-monospace, monospace; background: #f3f4f6; padding: 0 .25em; border-radius: 3px; }
.method { display: inline-block; min-width: 4.2em; text-align: center; border-radius: 4px; color: #fff; font: bold .8rem ui-monospace, monospace; padding: .15em .4em; margin-right: .5em; }
.get { background: #1f6feb; } .post { background: #1a7f37; } .put { background: #9a6700; } .patch { background: #8250df; } .delete { background: #cf222e; }
.operation { border-top: 1px solid #eaeef2; } .muted { color: #57606a; }
table { border-collapse: collapse; margin: .4rem 0; width: 100%; } th, td { text-align: left; vertical-align: top; border: 1px solid #d0d7de; padding: .3rem .5rem; }
th { background: #f6f8fa; font-weight: 600; } td > ul, dd > ul { margin: .2rem 0; padding-left: 1.2rem; }
ul.properties { list-style: none; padding-left: 1rem; border-left: 2px solid #eaeef2; margin: .2rem 0; }
.required { color: #cf222e; font-size: .8em; } nav ul { columns: 2; } dt { font-weight: 600; margin-top: .5rem; }
`;

/** The page's Content-Security-Policy: nothing may load or run; only its own style applies. */
export const DOCS_CONTENT_SECURITY_POLICY = `default-src 'none'; style-src 'sha256-${createHash(
  'sha256',
)
  .update(STYLE)
  .digest('base64')}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;

function escapeHtml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** Escapes a description and shows its `backticked` spans as code. */
function prose(value: string | undefined): string {
  if (!value) return '';
  return escapeHtml(value).replace(/`([^`]+)`/g, '<code>$1</code>');
}

function paragraphs(value: string | undefined): string {
  return (value ?? '')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => `<p>${prose(line)}</p>`)
    .join('');
}

function isReference(value: object): value is ReferenceObject {
  return '$ref' in value && typeof value.$ref === 'string';
}

/** `#/components/<kind>/<name>` of a `$ref`, when it names one. */
function componentOf($ref: string): { kind: string; name: string; rest: string } | undefined {
  const match = /^#\/components\/([^/]+)\/([^/]+)(.*)$/.exec($ref);
  return match ? { kind: match[1] ?? '', name: match[2] ?? '', rest: match[3] ?? '' } : undefined;
}

function schemaLink($ref: string): string {
  const component = componentOf($ref);
  if (component?.kind !== 'schemas') return `<code>${escapeHtml($ref)}</code>`;
  const suffix = component.rest.replace(/^\/properties\//, '.').replaceAll('/properties/', '.');
  return `<a href="#schema-${escapeHtml(component.name)}">${escapeHtml(component.name + suffix)}</a>`;
}

function literal(value: unknown): string {
  return `<code>${escapeHtml(JSON.stringify(value))}</code>`;
}

/** One line saying what a schema admits: its type, format, bounds and values. */
function typeLabel(schema: SchemaObject): string {
  if (schema.$ref !== undefined) return schemaLink(schema.$ref);
  if (schema.const !== undefined) return literal(schema.const);
  if (schema.enum) return `one of ${schema.enum.map(literal).join(', ')}`;
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants) return variants.map(typeLabel).join(' or ');
  if (schema.allOf) return schema.allOf.map(typeLabel).join(' and ');
  const types = schema.type === undefined ? [] : [schema.type].flat();
  let label = types.length === 0 ? 'any JSON' : types.join(' or ');
  if (schema.type === 'array' && schema.items) label = `array of ${typeLabel(schema.items)}`;
  if (
    schema.type === 'object' &&
    !schema.properties &&
    typeof schema.additionalProperties === 'object'
  ) {
    label = `map of string to ${typeLabel(schema.additionalProperties)}`;
  }
  const facts: string[] = [];
  if (schema.format) facts.push(escapeHtml(schema.format));
  if (schema.pattern) facts.push(`matching <code>${escapeHtml(schema.pattern)}</code>`);
  if (schema.minimum !== undefined) facts.push(`≥ ${schema.minimum}`);
  if (schema.exclusiveMinimum !== undefined) facts.push(`&gt; ${schema.exclusiveMinimum}`);
  if (schema.maximum !== undefined) facts.push(`≤ ${schema.maximum}`);
  if (schema.minLength !== undefined) facts.push(`length ≥ ${schema.minLength}`);
  if (schema.maxLength !== undefined) facts.push(`length ≤ ${schema.maxLength}`);
  if (schema.minItems !== undefined) facts.push(`≥ ${schema.minItems} items`);
  if (schema.maxItems !== undefined) facts.push(`≤ ${schema.maxItems} items`);
  if (schema.default !== undefined) facts.push(`default ${literal(schema.default)}`);
  return facts.length === 0 ? label : `${label} (${facts.join(', ')})`;
}

/** A schema: its type, its description, and its properties (each the same way, nested). */
function renderSchema(schema: SchemaObject, depth = 0): string {
  const parts = [typeLabel(schema)];
  // `X or null` carries its description on X.
  const description =
    schema.description ??
    (schema.anyOf ?? schema.oneOf)?.find((variant) => variant.description)?.description;
  if (description) parts.push(`<span class="muted">${prose(description)}</span>`);
  const nested: string[] = [];
  // A refinement of a component (an error answer's codes) shows as the component: the response's
  // description says what it narrows.
  if (depth < 6 && !schema.allOf?.some((variant) => variant.$ref !== undefined)) {
    for (const variant of schema.anyOf ?? []) {
      if (variant.properties) nested.push(renderProperties(variant, depth + 1));
    }
    if (schema.properties) nested.push(renderProperties(schema, depth + 1));
    if (schema.items?.properties) nested.push(renderProperties(schema.items, depth + 1));
    if (typeof schema.additionalProperties === 'object' && schema.additionalProperties.properties) {
      nested.push(renderProperties(schema.additionalProperties, depth + 1));
    }
  }
  return parts.join(' — ') + nested.join('');
}

function renderProperties(schema: SchemaObject, depth: number): string {
  const required = new Set(schema.required ?? []);
  const items = Object.entries(schema.properties ?? {}).map(
    ([name, property]) =>
      `<li><code>${escapeHtml(name)}</code>${required.has(name) ? ' <span class="required">required</span>' : ''}: ${renderSchema(property, depth)}</li>`,
  );
  const closed =
    schema.additionalProperties === false ? '<li class="muted">no other properties</li>' : '';
  return items.length === 0 && !closed
    ? ''
    : `<ul class="properties">${items.join('')}${closed}</ul>`;
}

function resolve<T extends object>(
  document: OpenApiDocument,
  value: T | ReferenceObject,
): T | undefined {
  if (!isReference(value)) return value;
  const component = componentOf(value.$ref);
  if (!component || component.rest !== '') return undefined;
  const kinds = document.components as unknown as Record<string, Record<string, T>>;
  return kinds[component.kind]?.[component.name];
}

function renderParameters(document: OpenApiDocument, parameters: ParameterObject[]): string {
  if (parameters.length === 0) return '';
  const rows = parameters.map(
    (parameter) =>
      `<tr><td><code>${escapeHtml(parameter.name)}</code>${parameter.required ? ' <span class="required">required</span>' : ''}</td><td>${parameter.in}</td><td>${renderSchema(parameter.schema)}</td><td>${prose(parameter.description)}</td></tr>`,
  );
  return `<h4>Parameters</h4><table><tr><th>name</th><th>in</th><th>type</th><th>meaning</th></tr>${rows.join('')}</table>`;
}

/** Header names only: each is described once, in the Headers section. */
function renderHeaders(
  headers: Record<string, HeaderObject | ReferenceObject> | undefined,
): string {
  const names = Object.keys(headers ?? {}).map((name) => `<code>${escapeHtml(name)}</code>`);
  return names.length === 0 ? '' : `<div class="muted">Headers: ${names.join(', ')}</div>`;
}

function renderResponse(status: string, response: ResponseObject): string {
  const content = Object.entries(response.content ?? {}).map(
    ([mediaType, media]) =>
      `<div><code>${escapeHtml(mediaType)}</code>${media.schema ? `: ${renderSchema(media.schema)}` : ''}</div>`,
  );
  return `<dt>${escapeHtml(status)}</dt><dd>${paragraphs(response.description)}${renderHeaders(response.headers)}${content.join('')}</dd>`;
}

function renderOperation(
  document: OpenApiDocument,
  path: string,
  method: string,
  operation: OperationObject,
  pathParameters: ParameterObject[],
): string {
  const parameters = [
    ...pathParameters,
    ...(operation.parameters ?? []).flatMap((parameter) => resolve(document, parameter) ?? []),
  ];
  const body = operation.requestBody;
  const requestBody = body
    ? `<h4>Request body${body.required ? '' : ' (optional)'}</h4>${Object.entries(body.content)
        .map(
          ([mediaType, media]) =>
            `<div><code>${escapeHtml(mediaType)}</code>${media.schema ? `: ${renderSchema(media.schema)}` : ''}</div>`,
        )
        .join('')}`
    : '';
  const responses = Object.entries(operation.responses).map(([status, response]) => {
    const resolved = resolve(document, response);
    return resolved ? renderResponse(status, resolved) : '';
  });
  const access =
    operation.security?.length === 0
      ? '<p class="muted">No API key needed.</p>'
      : '<p class="muted">Needs an API key (<code>X-API-Key</code> or <code>Authorization: Bearer</code>).</p>';
  return `<section class="operation" id="op-${escapeHtml(operation.operationId)}">
<h3><span class="method ${method}">${method.toUpperCase()}</span><code>${escapeHtml(path)}</code></h3>
<p><strong>${prose(operation.summary)}</strong></p>${paragraphs(operation.description)}${access}
${renderParameters(document, parameters)}${requestBody}
<h4>Responses</h4><dl>${responses.join('')}</dl>
</section>`;
}

/**
 * The OpenAPI document as one self-contained HTML page: every operation by tag, the error codes
 * and every schema. No scripts and nothing external, so a strict CSP serves it.
 */
export function renderOpenApiHtml(document: OpenApiDocument = OPENAPI_DOCUMENT): string {
  const operations: { tag: string; html: string; link: string }[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    const pathParameters = (item.parameters ?? []).flatMap(
      (parameter) => resolve(document, parameter) ?? [],
    );
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const html = renderOperation(document, path, method, operation, pathParameters);
      const link = `<a href="#op-${escapeHtml(operation.operationId)}"><span class="method ${method}">${method.toUpperCase()}</span>${escapeHtml(path)}</a>`;
      for (const tag of operation.tags.slice(0, 1)) operations.push({ tag, html, link });
    }
  }
  const tags = document.tags.filter((tag) => operations.some((entry) => entry.tag === tag.name));
  const contents = tags
    .map(
      (tag) =>
        `<li><a href="#tag-${escapeHtml(tag.name)}">${escapeHtml(tag.name)}</a><ul>${operations
          .filter((entry) => entry.tag === tag.name)
          .map((entry) => `<li>${entry.link}</li>`)
          .join('')}</ul></li>`,
    )
    .join('');
  const sections = tags
    .map(
      (tag) =>
        `<h2 id="tag-${escapeHtml(tag.name)}">${escapeHtml(tag.name)}</h2><p>${prose(tag.description)}</p>${operations
          .filter((entry) => entry.tag === tag.name)
          .map((entry) => entry.html)
          .join('\n')}`,
    )
    .join('\n');
  const schemes = Object.entries(document.components.securitySchemes)
    .map(
      ([name, scheme]) =>
        `<dt>${escapeHtml(name)}</dt><dd>${prose(scheme.description)}${scheme.type === 'apiKey' ? ` Header <code>${escapeHtml(scheme.name)}</code>.` : ''}</dd>`,
    )
    .join('');
  const headers = Object.entries(document.components.headers)
    .map(
      ([name, header]) =>
        `<dt><code>${escapeHtml(name.replace(/-No-Store$/, ''))}</code></dt><dd>${prose(header.description)}</dd>`,
    )
    .join('');
  const errors = [...API_ERROR_CODES]
    .sort((a, b) => httpStatusOf(a) - httpStatusOf(b))
    .map(
      (code) =>
        `<tr><td>${httpStatusOf(code)}</td><td><code>${code}</code></td><td>${prose(API_ERRORS[code].meaning)}</td></tr>`,
    )
    .join('');
  const schemas = Object.entries(document.components.schemas)
    .map(
      ([name, schema]) =>
        `<section id="schema-${escapeHtml(name)}"><h3>${escapeHtml(name)}</h3>${renderSchema(schema)}</section>`,
    )
    .join('\n');

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(document.info.title)} ${escapeHtml(document.info.version)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${escapeHtml(document.info.title)}</h1>
<p class="muted">Version ${escapeHtml(document.info.version)} · OpenAPI ${escapeHtml(document.openapi)} · <a href="openapi.json">openapi.json</a></p>
<p><strong>${prose(document.info.summary)}</strong></p>
${paragraphs(document.info.description)}
</header>
<nav><h2>Contents</h2><ul>${contents}<li><a href="#authentication">Authentication</a></li><li><a href="#headers">Headers</a></li><li><a href="#errors">Errors</a></li><li><a href="#schemas">Schemas</a></li></ul></nav>
<main>
<h2 id="authentication">Authentication</h2><dl>${schemes}</dl>
<h2 id="headers">Headers</h2><dl>${headers}</dl>
<h2 id="errors">Errors</h2>
<p>Every error is <code>{"error": {"code", "message", "details"}}</code>; <code>details</code> is always an object.</p>
<table><tr><th>status</th><th>code</th><th>when</th></tr>${errors}</table>
${sections}
<h2 id="schemas">Schemas</h2>
${schemas}
</main>
</body>
</html>
`;
}

/**
 * `GET /openapi.json` (the document) and `GET /docs` (it as an HTML page), without an API key.
 * Mounted before the API routes.
 */
export function openApiRoutes(document: OpenApiDocument = OPENAPI_DOCUMENT): Router {
  const router = Router();
  let page: string | undefined;

  router.get('/openapi.json', (_request, response) => {
    response.json(document);
  });

  router.get('/docs', (_request, response) => {
    page ??= renderOpenApiHtml(document);
    response.set('Content-Security-Policy', DOCS_CONTENT_SECURITY_POLICY).type('html').send(page);
  });

  return router;
}
