/**
 * Turns a designer's hunt file (YAML or JSON) into a `HuntDefinition`, or into a list of every
 * mistake found, each with the path of the offending field and, from source text, its line and column.
 * Pure: no file system, no clock.
 */
import { isMap, isNode, isScalar, LineCounter, parseDocument } from 'yaml';
import type { Document } from 'yaml';
import { knownFieldsAt, parseIsoDateTime, SOLVE_FIELDS, toHuntDefinition, writtenHuntSchema } from './hunt-definition-schema.js';
import type { HuntDefinition } from './hunt-definition.js';

export type DefinitionError = {
  /** Where in the document, e.g. `clues[2].hints[0].penalty`, or `(root)` for the whole document. */
  readonly path: string;
  readonly message: string;
  /** 1-based; only known when parsing source text. */
  readonly line?: number;
  readonly column?: number;
};

export type DefinitionResult =
  | { readonly ok: true; readonly definition: HuntDefinition }
  | { readonly ok: false; readonly errors: readonly DefinitionError[] };

type Path = readonly PropertyKey[];

/**
 * A problem before it is placed in the source. `unknownKey` marks an unknown field, whose line is
 * that of the key itself (there may be no value to point at).
 */
type Issue = { readonly path: Path; readonly message: string; readonly unknownKey?: boolean };

/**
 * The form in which answers are compared, and codes too (so "cairn 42" matches "CAIRN-42"):
 * Unicode NFKD, accents and other combining marks removed, lower case, punctuation and symbols
 * turned into spaces, runs of whitespace made one space, trimmed. `"  Café—Nöel! "` becomes
 * `"cafe noel"`. Lower-casing comes after NFKD because some compatibility forms decompose to
 * upper case ('㎒' → 'MHz'); in this order the result is a fixed point of the function.
 */
export function normaliseAnswer(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[\p{P}\p{S}]/gu, ' ')
    .replace(/\s+/gu, ' ')
    .trim();
}

const ONE_SOLVE_METHOD = 'a clue needs exactly one of answer, location or code';
const NOTHING_LEFT = 'must contain letters or digits: it is compared ignoring case, accents, punctuation and symbols, so nothing would be left';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Rules that span several fields or need normaliseAnswer. They read the raw value defensively and
 * skip anything of the wrong type, which the schema reports already.
 */
function crossFieldIssues(raw: unknown): Issue[] {
  if (!isRecord(raw)) return [];
  const issues: Issue[] = [];
  const startsAt = typeof raw.startsAt === 'string' ? parseIsoDateTime(raw.startsAt) : undefined;
  const endsAt = typeof raw.endsAt === 'string' ? parseIsoDateTime(raw.endsAt) : undefined;
  if (startsAt !== undefined && endsAt !== undefined && endsAt <= startsAt) {
    issues.push({ path: ['endsAt'], message: 'must be after startsAt' });
  }
  if (!Array.isArray(raw.clues)) return issues;
  const firstUseOfId = new Map<string, number>();
  raw.clues.forEach((clue: unknown, index) => {
    if (!isRecord(clue)) return;
    const path = ['clues', index];
    if (SOLVE_FIELDS.filter((field) => Object.hasOwn(clue, field)).length !== 1) {
      issues.push({ path, message: ONE_SOLVE_METHOD });
    }
    const answers = typeof clue.answer === 'string' ? [clue.answer] : Array.isArray(clue.answer) ? (clue.answer as unknown[]) : [];
    answers.forEach((answer, answerIndex) => {
      if (typeof answer === 'string' && normaliseAnswer(answer) === '') {
        issues.push({ path: typeof clue.answer === 'string' ? [...path, 'answer'] : [...path, 'answer', answerIndex], message: NOTHING_LEFT });
      }
    });
    // A code is compared with normaliseAnswer too; a blank code is already "must not be empty".
    if (typeof clue.code === 'string' && clue.code.trim() !== '' && normaliseAnswer(clue.code) === '') {
      issues.push({ path: [...path, 'code'], message: NOTHING_LEFT });
    }
    // Default ids count too: an explicit `id: clue-2` on the first clue clashes with an unnamed second clue.
    const id = clue.id === undefined ? `clue-${index + 1}` : typeof clue.id === 'string' ? clue.id : undefined;
    if (id === undefined) return;
    const first = firstUseOfId.get(id);
    if (first === undefined) {
      firstUseOfId.set(id, index);
    } else {
      issues.push({
        path: clue.id === undefined ? path : [...path, 'id'],
        message: `duplicate clue id '${id}' (also used by clues[${first}])`,
      });
    }
  });
  return issues;
}

/** Edit distance counting a swap of two neighbours as one edit, so 'pionts' is 1 away from 'points'. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number): number => d[i]?.[j] ?? Infinity;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      (d[i] as number[])[j] = best;
    }
  }
  return at(a.length, b.length);
}

function unknownFieldMessage(key: string, objectPath: Path): string {
  const guess = knownFieldsAt(objectPath)
    .map((field) => ({ field, distance: editDistance(key.toLowerCase(), field.toLowerCase()) }))
    .filter(({ distance }) => distance <= 2)
    .sort((x, y) => x.distance - y.distance)[0];
  return guess === undefined ? `unknown field '${key}'` : `unknown field '${key}' (did you mean '${guess.field}'?)`;
}

/** Schema issues followed by cross-field issues, each with a designer-readable message. */
function collectIssues(value: unknown): { issues: Issue[]; definition?: HuntDefinition } {
  // Fallback for anything a schema did not word itself.
  const parsed = writtenHuntSchema.safeParse(value, { error: (issue) => (issue.input === undefined ? 'is required' : undefined) });
  const issues: Issue[] = [];
  for (const issue of parsed.error?.issues ?? []) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) issues.push({ path: [...issue.path, key], message: unknownFieldMessage(key, issue.path), unknownKey: true });
    } else {
      issues.push({ path: issue.path, message: issue.message });
    }
  }
  issues.push(...crossFieldIssues(value));
  if (issues.length > 0 || !parsed.success) return { issues };
  return { issues, definition: toHuntDefinition(parsed.data) };
}

const IDENTIFIER = /^[A-Za-z_$][\w$-]*$/;

/** `clues[2].hints[0].penalty`; `(root)` for the empty path. */
function formatPath(path: Path): string {
  if (path.length === 0) return '(root)';
  return path
    .map((part, index) => {
      if (typeof part === 'number') return `[${part}]`;
      const key = String(part);
      if (!IDENTIFIER.test(key)) return `[${JSON.stringify(key)}]`;
      return index === 0 ? key : `.${key}`;
    })
    .join('');
}

function result(issues: readonly Issue[], definition: HuntDefinition | undefined, place: (issue: Issue) => DefinitionError): DefinitionResult {
  if (definition !== undefined && issues.length === 0) return { ok: true, definition };
  // The same path and message can come from two rules (e.g. a union and its member); say it once.
  const seen = new Set<string>();
  const errors = issues.map(place).filter((error) => {
    const key = `${error.path}\n${error.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return { ok: false, errors };
}

/** Validates an already-parsed value (e.g. from an admin message); errors carry no line numbers. */
export function validateHuntDefinition(value: unknown): DefinitionResult {
  const { issues, definition } = collectIssues(value);
  return result(issues, definition, (issue) => ({ path: formatPath(issue.path), message: issue.message }));
}

type Position = { readonly line: number; readonly column: number };

function positionAt(lineCounter: LineCounter, offset: number): Position {
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

/**
 * Where an issue sits in the source: the node at its path, or, when that node does not exist (a
 * missing field), the nearest parent that does. An unknown field points at its key.
 */
function locate(doc: Document, lineCounter: LineCounter, issue: Issue): Position | undefined {
  const at = (offset: number): Position => positionAt(lineCounter, offset);
  if (issue.unknownKey === true) {
    const parent = issue.path.length === 1 ? doc.contents : doc.getIn(issue.path.slice(0, -1), true);
    const key = String(issue.path[issue.path.length - 1]);
    const pair = isMap(parent) ? parent.items.find((item) => isScalar(item.key) && String(item.key.value) === key) : undefined;
    if (isNode(pair?.key) && pair.key.range) return at(pair.key.range[0]);
  }
  for (let depth = issue.path.length; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(issue.path.slice(0, depth), true);
    if (isNode(node) && node.range) return at(node.range[0]);
  }
  return undefined;
}

/** Parses YAML (or JSON, which is YAML) source text and validates it. */
export function parseHuntDefinition(source: string): DefinitionResult {
  const lineCounter = new LineCounter();
  // uniqueKeys stays on (the default): a repeated field is reported, not silently overwritten.
  // The core schema is pinned so that a `%YAML 1.1` line cannot turn dates into Date objects or
  // `yes` into true behind the designer's back.
  const doc = parseDocument(source, { lineCounter, prettyErrors: false, schema: 'core' });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((error) => ({
        path: '(root)',
        message: error.code === 'DUPLICATE_KEY' ? 'a field appears twice in the same block' : error.message,
        ...positionAt(lineCounter, error.pos[0]),
      })),
    };
  }
  let value: unknown;
  try {
    value = doc.toJS();
  } catch (error) {
    // toJS refuses documents with excessive aliases (a "billion laughs" attack).
    return { ok: false, errors: [{ path: '(root)', message: error instanceof Error ? error.message : String(error) }] };
  }
  const { issues, definition } = collectIssues(value);
  const outcome = result(issues, definition, (issue) => ({ path: formatPath(issue.path), message: issue.message, ...locate(doc, lineCounter, issue) }));
  if (outcome.ok) return outcome;
  // Report in reading order; errors are stable-sorted so equal lines keep the rule order.
  const byPosition = [...outcome.errors].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  return { ok: false, errors: byPosition };
}

/** One line per error: `hunt.yaml:12:7 clues[2].points: must be a whole number of at least 0`. */
export function formatDefinitionErrors(errors: readonly DefinitionError[], fileName?: string): string {
  return errors
    .map((error) => {
      const lineAndColumn = error.line === undefined ? '' : error.column === undefined ? `${error.line}` : `${error.line}:${error.column}`;
      const where = [fileName, lineAndColumn].filter((part) => part !== undefined && part !== '').join(':');
      return `${where === '' ? '' : `${where} `}${error.path}: ${error.message}`;
    })
    .join('\n');
}
