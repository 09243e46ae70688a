import type * as protoLoader from '@grpc/proto-loader';
import fc from 'fast-check';

// Request messages generated from nodepool.proto itself: every field of an rpc's request, filled
// with values of its wire type at their extremes, attacker strings and ids of things that exist.
// Pure: the spec sends them. Seeded, so a failure reproduces.

interface FieldDescriptor {
  name: string;
  label: string;
  type: string;
  typeName: string;
}

interface MessageDescriptor {
  name?: string;
  field: FieldDescriptor[];
  nestedType: MessageDescriptor[];
}

export interface RpcMethod {
  service: string;
  name: string;
  definition: protoLoader.MethodDefinition<object, object>;
}

/** Every rpc of the `nodepool` package. */
export function rpcMethodsOf(definition: protoLoader.PackageDefinition): RpcMethod[] {
  return Object.entries(definition)
    .filter(([name, value]) => name.startsWith('nodepool.') && !('format' in value))
    .flatMap(([serviceName, service]) =>
      Object.entries(service as protoLoader.ServiceDefinition).map(([name, def]) => ({
        service: serviceName.replace('nodepool.', ''),
        name,
        definition: def,
      })),
    );
}

const STRINGS = [
  '',
  "x'--",
  '%00',
  '../../etc/passwd',
  'not-a-uuid',
  '00000000-0000-0000-0000-000000000000',
  'a'.repeat(10_000),
  '😀'.repeat(20),
  'null',
  '-1',
  '1e309',
  'RUNNING',
  'admin',
];
const INT32 = [0, -1, 1, 2 ** 31 - 1, -(2 ** 31)];
const INT64 = ['0', '-1', '1', '9223372036854775807', '-9223372036854775808'];
const DOUBLES = [0, -1, 0.5, 1e308, -1e308, Number.NaN, Infinity, -Infinity];

function scalar(type: string, known: string[]): fc.Arbitrary<unknown> {
  switch (type) {
    case 'TYPE_STRING':
      return fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...STRINGS) },
        { weight: 2, arbitrary: fc.string({ maxLength: 30 }) },
        ...(known.length ? [{ weight: 3, arbitrary: fc.constantFrom(...known) }] : []),
      );
    case 'TYPE_BYTES':
      return fc.oneof(
        fc.constant(Buffer.alloc(0)),
        fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)),
        // the start of a zip, and nothing after it
        fc.constant(Buffer.from('PK\u0003\u0004garbage')),
      );
    case 'TYPE_INT32':
    case 'TYPE_SINT32':
    case 'TYPE_SFIXED32':
      return fc.oneof(fc.constantFrom(...INT32), fc.integer());
    case 'TYPE_UINT32':
    case 'TYPE_FIXED32':
      return fc.oneof(fc.constantFrom(0, 1, 4294967295), fc.nat());
    case 'TYPE_INT64':
    case 'TYPE_SINT64':
    case 'TYPE_SFIXED64':
    case 'TYPE_UINT64':
    case 'TYPE_FIXED64':
      return fc.constantFrom(
        ...(type === 'TYPE_UINT64' || type === 'TYPE_FIXED64'
          ? INT64.filter((v) => !v.startsWith('-'))
          : INT64),
      );
    case 'TYPE_DOUBLE':
    case 'TYPE_FLOAT':
      return fc.oneof(fc.constantFrom(...DOUBLES), fc.double());
    case 'TYPE_BOOL':
      return fc.boolean();
    default:
      return fc.constant(undefined);
  }
}

class MessageGenerator {
  constructor(
    private readonly definition: protoLoader.PackageDefinition,
    private readonly known: string[],
  ) {}

  message(type: MessageDescriptor, depth = 0): fc.Arbitrary<Record<string, unknown>> {
    const fields = Object.fromEntries(type.field.map((f) => [f.name, this.field(type, f, depth)]));
    return fc.record(fields, { requiredKeys: [] });
  }

  private field(parent: MessageDescriptor, f: FieldDescriptor, depth: number): fc.Arbitrary<unknown> {
    if (f.type === 'TYPE_MESSAGE') {
      const nested = parent.nestedType.find((n) => n.name === f.typeName);
      if (nested && f.label === 'LABEL_REPEATED' && nested.field.map((x) => x.name).join() === 'key,value') {
        // a map<string, string>
        return fc.dictionary(
          scalar('TYPE_STRING', this.known) as fc.Arbitrary<string>,
          scalar(nested.field[1].type, this.known),
          {
            maxKeys: 3,
          },
        );
      }
      const type = nested ?? this.lookup(f.typeName);
      if (!type || depth > 2) return fc.constant(undefined);
      const one = this.message(type, depth + 1);
      return f.label === 'LABEL_REPEATED' ? fc.array(one, { maxLength: 2 }) : one;
    }
    const one = scalar(f.type, this.known);
    return f.label === 'LABEL_REPEATED' ? fc.array(one, { maxLength: 3 }) : one;
  }

  private lookup(typeName: string): MessageDescriptor | undefined {
    const entry = this.definition[`nodepool.${typeName.replace(/^\.?nodepool\./, '')}`] as
      protoLoader.MessageTypeDefinition<object, object> | undefined;
    return entry?.type as MessageDescriptor | undefined;
  }
}

/** `count` request messages for one rpc, the same ones for the same seed. */
export function fuzzMessages(
  definition: protoLoader.PackageDefinition,
  method: RpcMethod,
  options: { count: number; seed: number; known: string[] },
): Record<string, unknown>[] {
  const type = method.definition.requestType.type as unknown as MessageDescriptor;
  const generator = new MessageGenerator(definition, options.known);
  return fc.sample(generator.message(type), { numRuns: options.count, seed: options.seed });
}

/** Values of a field's wire type that a handler should refuse or bear. */
function attacksFor(type: string, known: string[]): unknown[] {
  switch (type) {
    case 'TYPE_STRING':
      return [...STRINGS, 'a\u0000b', ...known];
    case 'TYPE_BYTES':
      return [Buffer.alloc(0), Buffer.from('PK\u0003\u0004garbage'), Buffer.alloc(70_000)];
    case 'TYPE_INT32':
    case 'TYPE_SINT32':
    case 'TYPE_SFIXED32':
      return INT32;
    case 'TYPE_UINT32':
    case 'TYPE_FIXED32':
      return [0, 1, 4294967295];
    case 'TYPE_UINT64':
    case 'TYPE_FIXED64':
      return INT64.filter((v) => !v.startsWith('-'));
    case 'TYPE_INT64':
    case 'TYPE_SINT64':
    case 'TYPE_SFIXED64':
      return INT64;
    case 'TYPE_DOUBLE':
    case 'TYPE_FLOAT':
      return DOUBLES;
    case 'TYPE_BOOL':
      return [true, false];
    default:
      return [];
  }
}

/**
 * One message per (top-level field, attack value of its type), the other fields those of `base` (a
 * request the rpc would accept): every field meets every attack with the rest of the request
 * plausible, so the attack reaches the code behind the first checks.
 */
export function systematicMessages(
  method: RpcMethod,
  base: Record<string, unknown>,
  known: string[],
): Record<string, unknown>[] {
  const type = method.definition.requestType.type as unknown as MessageDescriptor;
  const messages: Record<string, unknown>[] = [];
  for (const f of type.field) {
    const nested = type.nestedType.find((n) => n.name === f.typeName);
    let values: unknown[];
    if (nested && nested.field.map((x) => x.name).join() === 'key,value') {
      values = [
        ...attacksFor('TYPE_STRING', known).map((v) => ({ [String(v)]: 'x' })),
        ...attacksFor('TYPE_STRING', known).map((v) => ({ K: v })),
        Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`K${i}`, 'x'])),
      ];
    } else if (f.type === 'TYPE_MESSAGE') {
      values = [{}];
    } else if (f.label === 'LABEL_REPEATED') {
      values = [
        [],
        ...attacksFor(f.type, known).map((v) => [v]),
        Array(1000).fill(attacksFor(f.type, [])[0]),
      ];
    } else {
      values = attacksFor(f.type, known);
    }
    for (const value of values) messages.push({ ...base, [f.name]: value });
  }
  return messages;
}
