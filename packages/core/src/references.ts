import type { PathSegment } from './json-schema';
import { escapePointerToken, isPlainObject } from './json-value';
import { FORBIDDEN_NAMES } from './limits';

/**
 * A `${...}` reference: to a run input (`${input.<name>.<path>}`) or to an upstream node's result
 * (`${nodes.<id>.result.<path>}`). Pure data: resolving one only walks a path.
 */
export type Reference =
  | { kind: 'input'; name: string; path: PathSegment[] }
  | { kind: 'node'; node: string; path: PathSegment[] };

/** A piece of a string: literal text, or a reference with its source text (`${...}` included). */
export type TemplatePart =
  { kind: 'text'; text: string } | { kind: 'reference'; reference: Reference; source: string };

/** Why a reference cannot be used. */
export type ReferenceProblemCode = 'malformed_reference' | 'forbidden_path_segment';

/** A reference that cannot be used, with a message saying how to fix it. */
export interface ReferenceProblem {
  code: ReferenceProblemCode;
  message: string;
  /** The offending text, e.g. `${nodes.x}`. */
  source: string;
}

/** A parsed string: its parts in order, or the first problem found. */
export type ParsedTemplate =
  { ok: true; parts: TemplatePart[] } | { ok: false; problem: ReferenceProblem };

/** Letters, digits, `_` and `-`: the characters of names and path keys. */
function isKeyChar(code: number): boolean {
  return (
    (code >= 97 && code <= 122) ||
    (code >= 65 && code <= 90) ||
    (code >= 48 && code <= 57) ||
    code === 95 ||
    code === 45
  );
}
const MAX_INDEX_DIGITS = 9;

type Parsed<T> = { ok: true; value: T } | { ok: false; problem: ReferenceProblem };

function malformed(source: string, message: string): { ok: false; problem: ReferenceProblem } {
  return { ok: false, problem: { code: 'malformed_reference', message, source } };
}

function forbidden(source: string, segment: string): { ok: false; problem: ReferenceProblem } {
  return {
    ok: false,
    problem: {
      code: 'forbidden_path_segment',
      message: `${source} uses "${segment}"; __proto__, constructor and prototype are never resolved`,
      source,
    },
  };
}

function readKey(text: string, start: number): number {
  let end = start;
  while (end < text.length && isKeyChar(text.charCodeAt(end))) end++;
  return end;
}

/** Parses `.key` and `[index]` segments from `start` to the end of `text`. */
function parseSegments(text: string, start: number, source: string): Parsed<PathSegment[]> {
  const path: PathSegment[] = [];
  let at = start;
  while (at < text.length) {
    const char = text.charAt(at);
    if (char === '.') {
      const end = readKey(text, at + 1);
      if (end === at + 1) {
        const what =
          at + 1 === text.length
            ? 'ends with "."'
            : `has an empty or invalid segment after "." at position ${at + 1}`;
        return malformed(
          source,
          `${source} ${what}; path segments are names of letters, digits, _ and -`,
        );
      }
      const key = text.slice(at + 1, end);
      if (FORBIDDEN_NAMES.includes(key)) return forbidden(source, key);
      path.push(key);
      at = end;
    } else if (char === '[') {
      const close = text.indexOf(']', at);
      const digits = close === -1 ? '' : text.slice(at + 1, close);
      if (!/^(0|[1-9][0-9]*)$/.test(digits) || digits.length > MAX_INDEX_DIGITS) {
        return malformed(
          source,
          `${source} has a bad index; brackets hold an array index such as [0]`,
        );
      }
      path.push(Number(digits));
      at = close + 1;
    } else {
      return malformed(
        source,
        `${source} has an unexpected "${char}"; use .name for keys and [0] for array indexes`,
      );
    }
  }
  return { ok: true, value: path };
}

function isSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13) || code === 160;
}

/** Parses the inside of `${...}` (the expression without the braces). */
export function parseReference(expression: string): Parsed<Reference> {
  const source = `\${${expression}}`;
  const padded =
    expression === '' ||
    isSpace(expression.charCodeAt(0)) ||
    isSpace(expression.charCodeAt(expression.length - 1));
  if (padded) {
    const trimmed = expression.trim();
    return malformed(
      source,
      trimmed === ''
        ? `${source} is empty; write \${input.<name>} or \${nodes.<id>.result}`
        : `${source} has spaces inside the braces; write \${${trimmed}}`,
    );
  }
  if (expression.startsWith('input.')) {
    const end = readKey(expression, 6);
    const name = expression.slice(6, end);
    if (name === '' || !/^[A-Za-z_]/.test(name)) {
      return malformed(source, `${source} needs a parameter name, e.g. \${input.prompt}`);
    }
    if (FORBIDDEN_NAMES.includes(name)) return forbidden(source, name);
    const path = parseSegments(expression, end, source);
    return path.ok ? { ok: true, value: { kind: 'input', name, path: path.value } } : path;
  }
  if (expression.startsWith('nodes.')) {
    const end = readKey(expression, 6);
    const node = expression.slice(6, end);
    if (node === '' || !/^[A-Za-z_]/.test(node)) {
      return malformed(source, `${source} needs a node id, e.g. \${nodes.my_node.result}`);
    }
    if (FORBIDDEN_NAMES.includes(node)) return forbidden(source, node);
    const rest = expression.slice(end);
    if (rest !== '.result' && !rest.startsWith('.result.') && !rest.startsWith('.result[')) {
      return malformed(
        source,
        `${source} must continue with .result, e.g. \${nodes.${node}.result} or \${nodes.${node}.result.text}`,
      );
    }
    const path = parseSegments(expression, end + '.result'.length, source);
    return path.ok ? { ok: true, value: { kind: 'node', node, path: path.value } } : path;
  }
  return malformed(
    source,
    `${source} is not a reference; use \${input.<name>} or \${nodes.<id>.result.<path>}`,
  );
}

/** Parses an output path such as `choices[0].message.content` (as listed in a node's outputs). */
export function parsePath(text: string): Parsed<PathSegment[]> {
  if (text === '') return { ok: true, value: [] };
  return parseSegments(text.startsWith('[') ? text : `.${text}`, 0, text);
}

/** Splits a string into literal text and references. Strings without `${` are returned as one text part. */
export function parseTemplate(text: string): ParsedTemplate {
  if (!text.includes('${')) return { ok: true, parts: [{ kind: 'text', text }] };
  const parts: TemplatePart[] = [];
  let at = 0;
  while (at < text.length) {
    const open = text.indexOf('${', at);
    if (open === -1) {
      parts.push({ kind: 'text', text: text.slice(at) });
      break;
    }
    if (open > at) parts.push({ kind: 'text', text: text.slice(at, open) });
    const close = text.indexOf('}', open + 2);
    if (close === -1) {
      const fragment = text.slice(open, open + 40);
      return malformed(fragment, `"${fragment}" opens \${ without a closing }`);
    }
    const expression = text.slice(open + 2, close);
    if (expression.includes('${')) {
      const fragment = text.slice(open, close + 1);
      return malformed(
        fragment,
        `"${fragment}" nests \${ inside a reference, which is not supported`,
      );
    }
    const parsed = parseReference(expression);
    if (!parsed.ok) return parsed;
    parts.push({ kind: 'reference', reference: parsed.value, source: text.slice(open, close + 1) });
    at = close + 1;
  }
  return { ok: true, parts };
}

/** The reference when `text` is exactly one reference (which then keeps the referenced value's type). */
export function exactReference(text: string): Reference | undefined {
  if (!text.startsWith('${') || !text.endsWith('}')) return undefined;
  const parsed = parseTemplate(text);
  if (!parsed.ok || parsed.parts.length !== 1) return undefined;
  const [part] = parsed.parts;
  return part?.kind === 'reference' ? part.reference : undefined;
}

/** Formats a path as written in references: `a.b[0].c`. */
export function formatPath(path: readonly PathSegment[]): string {
  return path
    .map((segment, i) =>
      typeof segment === 'number' ? `[${segment}]` : i === 0 ? segment : `.${segment}`,
    )
    .join('');
}

/** Formats a reference back to its `${...}` source. */
export function formatReference(reference: Reference): string {
  const head =
    reference.kind === 'input' ? `input.${reference.name}` : `nodes.${reference.node}.result`;
  const tail = formatPath(reference.path);
  return `\${${head}${tail === '' || tail.startsWith('[') ? tail : `.${tail}`}}`;
}

/** A reference found in a nested value, located by JSON pointer. */
export interface ReferenceOccurrence {
  /** JSON pointer to the string holding the reference, relative to the scanned value. */
  pointer: string;
  reference: Reference;
  /** The reference's source text, `${...}` included. */
  source: string;
  /** True when the string is exactly this reference (so it keeps the value's type). */
  exact: boolean;
}

/** A string in a nested value whose references cannot be parsed. */
export interface ReferenceProblemOccurrence {
  pointer: string;
  problem: ReferenceProblem;
}

/** A value waiting to be scanned, linked to its parent so its pointer is built only when needed. */
interface ScanEntry {
  value: unknown;
  token: string;
  parent: ScanEntry | undefined;
}

function pointerOf(entry: ScanEntry): string {
  let pointer = '';
  for (let at: ScanEntry | undefined = entry; at?.parent !== undefined; at = at.parent) {
    pointer = `/${escapePointerToken(at.token)}${pointer}`;
  }
  return pointer;
}

/** Every reference and every reference problem in a nested value, in document order. */
export function scanReferences(value: unknown): {
  references: ReferenceOccurrence[];
  problems: ReferenceProblemOccurrence[];
} {
  const references: ReferenceOccurrence[] = [];
  const problems: ReferenceProblemOccurrence[] = [];
  const visited = new Set<object>();
  const stack: ScanEntry[] = [{ value, token: '', parent: undefined }];
  while (stack.length > 0) {
    const entry = stack.pop() as ScanEntry;
    const current = entry.value;
    if (typeof current === 'string') {
      if (!current.includes('${')) continue;
      const pointer = pointerOf(entry);
      const parsed = parseTemplate(current);
      if (!parsed.ok) {
        problems.push({ pointer, problem: parsed.problem });
        continue;
      }
      const exact = parsed.parts.length === 1;
      for (const part of parsed.parts) {
        if (part.kind === 'reference') {
          references.push({ pointer, reference: part.reference, source: part.source, exact });
        }
      }
    } else if (typeof current === 'object' && current !== null && !visited.has(current)) {
      visited.add(current);
      if (Array.isArray(current)) {
        for (let i = current.length - 1; i >= 0; i--) {
          stack.push({ value: current[i], token: String(i), parent: entry });
        }
      } else if (isPlainObject(current)) {
        const keys = Object.keys(current);
        for (let i = keys.length - 1; i >= 0; i--) {
          const key = keys[i] as string;
          stack.push({ value: current[key], token: key, parent: entry });
        }
      }
    }
  }
  return { references, problems };
}

/** Every well-formed reference in a nested value with its JSON pointer (for validation and reference chips). */
export function listReferences(value: unknown): ReferenceOccurrence[] {
  return scanReferences(value).references;
}
