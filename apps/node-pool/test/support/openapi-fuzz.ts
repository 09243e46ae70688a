import fc from 'fast-check';

// Requests generated from the pool's own OpenAPI document: for each operation, its declared path,
// query and header parameters and its JSON body's properties, filled with plausible values, wrong
// types, extremes and attacker strings — plus whole bodies of the wrong shape. Pure: the spec sends
// them. Seeded, so a failure reproduces.

export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

export interface Operation {
  parameters?: { in: 'path' | 'query' | 'header'; name: string; schema?: Schema }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
}

export interface Schema {
  $ref?: string;
  type?: string;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: Schema | boolean;
  minimum?: number;
  maximum?: number;
}

export interface FuzzRequest {
  method: string;
  /** The path with its parameters filled in (URL-encoded). */
  path: string;
  headers: Record<string, string>;
  /** JSON text (or deliberately broken text) when the operation takes a body. */
  body?: string;
}

/** Strings attackers send: quotes, escapes, traversal, huge, odd Unicode, numbers as text. */
const ATTACK_STRINGS = [
  '',
  ' ',
  "x'--",
  "' OR 1=1 --",
  '"; DROP TABLE users; --',
  '../../../etc/passwd',
  '%00',
  '\u0000',
  'a\u0000b',
  '%',
  '%zz',
  '\\',
  '${7*7}',
  '{{7*7}}',
  '<script>alert(1)</script>',
  'null',
  'undefined',
  'NaN',
  '-1',
  '0',
  '1e309',
  '0x10',
  '99999999999999999999999999',
  'true',
  '[]',
  '{}',
  '😀'.repeat(50),
  '\u202e\u0301\ufeff',
  'a'.repeat(5000),
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
];

const attackString = (known: string[]) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...ATTACK_STRINGS) },
    { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 1, arbitrary: fc.uuid() },
    ...(known.length ? [{ weight: 2, arbitrary: fc.constantFrom(...known) }] : []),
  );

const attackNumber = fc.oneof(
  fc.constantFrom(0, -1, 1, 0.5, -0.0001, 2 ** 31, 2 ** 53, -(2 ** 53), 1e308, -1e308, 1e-308),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** A JSON value of any type, bounded (depth 3, a few elements). */
const anyJson = fc.jsonValue({ maxDepth: 3 });

function resolve(doc: OpenApiDocument, schema: Schema | undefined): Schema {
  if (!schema?.$ref) return schema ?? {};
  return doc.components.schemas[schema.$ref.replace('#/components/schemas/', '')] ?? {};
}

/** A value for a property: usually plausible for its schema, often hostile. */
function valueFor(doc: OpenApiDocument, schema: Schema, known: string[], depth = 0): fc.Arbitrary<unknown> {
  const s = resolve(doc, schema);
  const plausible: fc.Arbitrary<unknown>[] = [];
  if (s.enum?.length) plausible.push(fc.constantFrom(...s.enum));
  switch (s.type) {
    case 'string':
      plausible.push(attackString(known));
      break;
    case 'number':
    case 'integer':
      plausible.push(
        attackNumber,
        ...(s.minimum !== undefined && s.maximum !== undefined
          ? [fc.double({ min: s.minimum, max: s.maximum, noNaN: true })]
          : []),
      );
      break;
    case 'boolean':
      plausible.push(fc.boolean());
      break;
    case 'array':
      plausible.push(
        depth < 2
          ? fc.array(valueFor(doc, s.items ?? {}, known, depth + 1), { maxLength: 5 })
          : fc.constant([]),
      );
      break;
    case 'object':
      plausible.push(
        s.properties && depth < 2
          ? objectFor(doc, s, known, depth + 1)
          : fc.dictionary(attackString([]), anyJson, { maxKeys: 5 }),
      );
      break;
  }
  if (plausible.length === 0) plausible.push(anyJson);
  return fc.oneof({ weight: 3, arbitrary: fc.oneof(...plausible) }, { weight: 1, arbitrary: anyJson });
}

function objectFor(doc: OpenApiDocument, schema: Schema, known: string[], depth = 0): fc.Arbitrary<unknown> {
  const props = Object.entries(schema.properties ?? {});
  const record = fc.record(
    Object.fromEntries(props.map(([name, prop]) => [name, valueFor(doc, prop, known, depth)])),
    { requiredKeys: [] },
  );
  return fc
    .tuple(record, fc.dictionary(attackString([]), anyJson, { maxKeys: 2 }), fc.nat(9))
    .map(([fields, extra, coin]) => (coin === 0 ? { ...fields, ...extra } : fields));
}

/** Whole bodies of the wrong shape, and text that is not JSON. */
const BROKEN_BODIES = [
  'null',
  '[]',
  '"text"',
  '42',
  '{',
  '{"a":}',
  '\u0000',
  '{"a": "\\u0000"}',
  `${'['.repeat(40)}${']'.repeat(40)}`,
  `{"a": ${'{"b": '.repeat(40)}1${'}'.repeat(40)}}`,
  `[${Array(25_000).fill(0).join(',')}]`,
  '{"__proto__": {"admin": true}}',
  '{"constructor": {"prototype": {"admin": true}}}',
];

function bodyFor(doc: OpenApiDocument, op: Operation, known: string[]): fc.Arbitrary<string | undefined> {
  const schema = op.requestBody?.content['application/json']?.schema;
  if (!schema) return fc.constant(undefined);
  return fc.oneof(
    { weight: 6, arbitrary: objectFor(doc, resolve(doc, schema), known).map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.constantFrom(...BROKEN_BODIES) },
    { weight: 1, arbitrary: anyJson.map((v) => JSON.stringify(v)) },
  );
}

/** Header values fetch can send (a ByteString without CR/LF). */
const headerValue = (known: string[]) =>
  attackString(known).map((v) => v.replace(/[^\x20-\x7e]/g, '').slice(0, 4000));

function requestFor(
  doc: OpenApiDocument,
  method: string,
  template: string,
  op: Operation,
  known: string[],
): fc.Arbitrary<FuzzRequest> {
  const params = op.parameters ?? [];
  const pathParams = params.filter((p) => p.in === 'path');
  const queryParams = params.filter((p) => p.in === 'query');
  const headerParams = params.filter((p) => p.in === 'header');
  return fc
    .record({
      path: fc.tuple(...pathParams.map(() => attackString(known))),
      query: fc.tuple(
        ...queryParams.map((p) =>
          fc.option(fc.oneof(attackString(known), valueFor(doc, p.schema ?? {}, known).map(String)), {
            nil: undefined,
          }),
        ),
      ),
      repeated: fc.boolean(),
      extraQuery: fc.option(fc.tuple(attackString([]), attackString(known)), { nil: undefined }),
      headers: fc.tuple(...headerParams.map(() => fc.option(headerValue(known), { nil: undefined }))),
      body: bodyFor(doc, op, known),
    })
    .map(({ path, query, repeated, extraQuery, headers, body }) => {
      let filled = template;
      pathParams.forEach(
        (p, i) => (filled = filled.replace(`{${p.name}}`, encodeURIComponent(path[i]) || 'x')),
      );
      const search = new URLSearchParams();
      queryParams.forEach((p, i) => {
        const value = query[i];
        if (value === undefined) return;
        search.append(p.name, value);
        if (repeated) search.append(p.name, value);
      });
      if (extraQuery) search.append(extraQuery[0] || 'x', extraQuery[1]);
      const qs = search.toString();
      const headerMap: Record<string, string> = {};
      headerParams.forEach((p, i) => {
        if (headers[i] !== undefined) headerMap[p.name] = headers[i];
      });
      return { method, path: qs ? `${filled}?${qs}` : filled, headers: headerMap, body };
    });
}

/** Every operation of the document: [METHOD, path template, operation]. */
export function operationsOf(doc: OpenApiDocument): [string, string, Operation][] {
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]): [string, string, Operation] => [method.toUpperCase(), path, op]),
  );
}

/** Values of every JSON type that a field should refuse when they are not its own. */
const ATTACK_VALUES: unknown[] = [
  ...ATTACK_STRINGS,
  0,
  -1,
  0.5,
  2 ** 31,
  2 ** 53,
  1e308,
  -1e308,
  true,
  false,
  null,
  [],
  [1, 2],
  ['a', 'b'],
  {},
  { a: 1 },
];

/**
 * One request per (parameter or body property, attack value), the rest of the request left plain:
 * every field meets every attack at least once, whatever the random sampling does.
 */
export function systematicRequests(
  doc: OpenApiDocument,
  [method, template, op]: [string, string, Operation],
  /** The id a path parameter holds while other fields are attacked: one of a thing that exists. */
  plainId: (template: string) => string = () => 'x',
): FuzzRequest[] {
  const params = op.parameters ?? [];
  const plainPath = (override?: { name: string; value: string }) =>
    params
      .filter((p) => p.in === 'path')
      .reduce(
        (path, p) =>
          path.replace(
            `{${p.name}}`,
            encodeURIComponent(override?.name === p.name ? override.value : plainId(template)) || 'x',
          ),
        template,
      );
  const requests: FuzzRequest[] = [];
  const schema = op.requestBody?.content['application/json']?.schema;
  const emptyBody = schema ? '{}' : undefined;
  for (const p of params) {
    for (const value of ATTACK_STRINGS) {
      if (p.in === 'path') {
        requests.push({ method, path: plainPath({ name: p.name, value }), headers: {}, body: emptyBody });
      } else if (p.in === 'query') {
        const qs = new URLSearchParams([[p.name, value]]).toString();
        requests.push({ method, path: `${plainPath()}?${qs}`, headers: {}, body: emptyBody });
      } else {
        const header = value.replace(/[^\x20-\x7e]/g, '').slice(0, 4000);
        requests.push({ method, path: plainPath(), headers: { [p.name]: header }, body: emptyBody });
      }
    }
  }
  if (schema) {
    for (const name of Object.keys(resolve(doc, schema).properties ?? {})) {
      for (const value of ATTACK_VALUES) {
        requests.push({ method, path: plainPath(), headers: {}, body: JSON.stringify({ [name]: value }) });
      }
    }
    for (const body of BROKEN_BODIES) requests.push({ method, path: plainPath(), headers: {}, body });
  }
  return requests;
}

/** `count` requests for one operation, the same ones for the same seed. */
export function fuzzRequests(
  doc: OpenApiDocument,
  [method, template, op]: [string, string, Operation],
  options: { count: number; seed: number; known: string[] },
): FuzzRequest[] {
  return fc.sample(requestFor(doc, method, template, op, options.known), {
    numRuns: options.count,
    seed: options.seed,
  });
}

/** A stable seed per operation (FNV-1a of its name), so each operation's requests never change. */
export function seedOf(name: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193);
  return hash | 0;
}
