// Bounds on the shape of JSON text, checked before it is parsed: a body of a few kilobytes can nest
// tens of thousands of levels, and every recursive walker after JSON.parse (class-transformer,
// class-validator, our own) then overflows the stack; a body of a megabyte can hold 250,000
// values, and class-transformer spends ~2.5 µs on each (over half a second of a blocked event
// loop). One linear pass over the text, no recursion.

import { DomainError } from './domain-error';

/** How deep a JSON document may nest (objects and arrays); our deepest real field needs 4. */
export const MAX_JSON_DEPTH = 32;
/** The most a JSON request body, or a JSON string inside a request, may hold. */
export const MAX_JSON_BODY_BYTES = 1024 * 1024;
export const MAX_JSON_FIELD_BYTES = MAX_JSON_BODY_BYTES;
/**
 * How many values (numbers, strings, lists, objects…) one JSON document may hold: ~50 ms of
 * class-transformer at most, and room for a hyper-parameter grid of MAX_SHARDS values.
 */
export const MAX_JSON_VALUES = 20_000;

export interface JsonLimits {
  maxDepth: number;
  maxValues: number;
}
export const JSON_LIMITS: JsonLimits = { maxDepth: MAX_JSON_DEPTH, maxValues: MAX_JSON_VALUES };

export type JsonShapeProblem =
  | { kind: 'too_deep'; maxDepth: number }
  | { kind: 'too_many'; maxValues: number }
  | { kind: 'nul'; message: string };

/**
 * The first reason `text` must not be parsed, or undefined: nesting deeper than `maxDepth`, more
 * than `maxValues` values (counted as separators and containers: exact for well-formed JSON up to
 * empty lists and objects), or a string holding a NUL character (`\u0000`: PostgreSQL text cannot
 * store it, so no field may carry it). Malformed JSON is left to JSON.parse, which reports it.
 */
export function jsonShapeProblem(
  text: string,
  limits: JsonLimits = JSON_LIMITS,
): JsonShapeProblem | undefined {
  const { maxDepth, maxValues } = limits;
  let depth = 0;
  let values = 1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) {
        // an escape: `\u0000` is the only way JSON text can spell NUL inside a string
        if (text.startsWith('u0000', i + 1)) return NUL;
        i++;
      } else if (c === 0x22 /* " */) {
        inString = false;
      } else if (c === 0) {
        return NUL;
      }
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > maxDepth) return { kind: 'too_deep', maxDepth };
      if (++values > maxValues) return { kind: 'too_many', maxValues };
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth--;
    else if (c === 0x2c /* , */ && ++values > maxValues) return { kind: 'too_many', maxValues };
  }
  return undefined;
}

/** The sentence a refusal carries for a problem in a field (or the whole body when no field). */
export function describeJsonShapeProblem(problem: JsonShapeProblem, what: string): string {
  switch (problem.kind) {
    case 'too_deep':
      return `${what} nests deeper than ${problem.maxDepth} levels`;
    case 'too_many':
      return `${what} holds more than ${problem.maxValues} values`;
    case 'nul':
      return `${what}: ${problem.message}`;
  }
}

const NUL: JsonShapeProblem = {
  kind: 'nul',
  message: 'a string holds a NUL character (\\u0000), which no field accepts',
};

/**
 * JSON text of a request field (a multipart `spec`, a gRPC `*_json` string) parsed after its shape
 * is checked; a DomainError('invalid') naming `field` otherwise.
 */
export function parseJsonField(text: string, field: string, maxBytes = MAX_JSON_FIELD_BYTES): unknown {
  if (Buffer.byteLength(text) > maxBytes) {
    throw new DomainError('invalid', `${field} is longer than ${maxBytes} bytes`, { field });
  }
  const problem = jsonShapeProblem(text);
  if (problem) throw new DomainError('invalid', describeJsonShapeProblem(problem, field), { field });
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new DomainError('invalid', `${field} must be JSON`, { field });
  }
}
