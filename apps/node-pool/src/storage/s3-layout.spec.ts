import {
  DEFAULT_PART_BYTES,
  MAX_PARTS,
  MIN_PART_BYTES,
  blobKey,
  byteRange,
  copyPartRanges,
  tmpKey,
  uploadPartSize,
} from './s3-layout';

const SHA = 'ab'.repeat(32);
const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

describe(blobKey.name, () => {
  it('names a blob by its sha256 under blobs/', () => {
    expect(blobKey(SHA)).toBe(`blobs/${SHA}`);
  });

  it.each([
    ['a path out of the prefix', `../${SHA.slice(3)}`],
    ['another prefix', `tmp/${SHA.slice(4)}`],
    ['upper case', SHA.toUpperCase()],
    ['too short', SHA.slice(1)],
    ['a trailing slash', `${SHA.slice(1)}/`],
    ['empty', ''],
  ])('refuses %s', (_case, value) => {
    expect(() => blobKey(value)).toThrow('sha256 must be 64 lower-case hex digits');
  });
});

describe(tmpKey.name, () => {
  it('names an upload by its UUID under tmp/, and nothing else', () => {
    expect(tmpKey('0f8fad5b-d9cb-469f-a165-70867728950e')).toBe('tmp/0f8fad5b-d9cb-469f-a165-70867728950e');
    expect(() => tmpKey('../blobs/x')).toThrow('an upload id must be a lower-case UUID');
  });
});

describe(byteRange.name, () => {
  it.each([
    [0, undefined, undefined],
    [0, 10, 'bytes=0-9'],
    [100, undefined, 'bytes=100-'],
    [100, 1, 'bytes=100-100'],
    [5 * GiB, MiB, `bytes=${5 * GiB}-${5 * GiB + MiB - 1}`],
  ])('offset %d, length %s → %s', (offset, length, range) => {
    expect(byteRange(offset, length)).toBe(range);
  });
});

describe(uploadPartSize.name, () => {
  it.each([
    [1024, DEFAULT_PART_BYTES],
    [100 * MiB, DEFAULT_PART_BYTES],
    [DEFAULT_PART_BYTES * MAX_PARTS, DEFAULT_PART_BYTES],
    [DEFAULT_PART_BYTES * MAX_PARTS + 1, 9 * MiB],
    [1024 * GiB, 105 * MiB],
  ])('a limit of %d bytes → parts of %d', (maxBytes, partSize) => {
    expect(uploadPartSize(maxBytes)).toBe(partSize);
    expect(partSize * MAX_PARTS).toBeGreaterThanOrEqual(maxBytes);
  });
});

describe(copyPartRanges.name, () => {
  const range = (from: number, to: number) => `bytes=${from}-${to - 1}`;
  it.each([
    [10, 5 * GiB, [range(0, 10)]],
    [6 * GiB, 5 * GiB, [range(0, 3 * GiB), range(3 * GiB, 6 * GiB)]],
    // even parts would be under S3's 5 MiB minimum: 5 MiB parts and a short last one
    [12 * MiB, 5 * MiB, [range(0, 5 * MiB), range(5 * MiB, 10 * MiB), range(10 * MiB, 12 * MiB)]],
  ])('%d bytes in parts of at most %d', (size, maxPart, expected) => {
    expect(copyPartRanges(size, maxPart)).toEqual(expected);
  });

  it('covers a large blob in contiguous parts S3 accepts', () => {
    const size = 1024 * GiB + 12_345;
    let next = 0;
    const ranges = copyPartRanges(size);
    ranges.forEach((r, i) => {
      const [from, to] = /^bytes=(\d+)-(\d+)$/.exec(r)!.slice(1).map(Number) as [number, number];
      expect(from).toBe(next);
      expect(to - from + 1).toBeLessThanOrEqual(5 * GiB);
      if (i < ranges.length - 1) expect(to - from + 1).toBeGreaterThanOrEqual(MIN_PART_BYTES);
      next = to + 1;
    });
    expect(next).toBe(size);
  });

  it('refuses what S3 cannot copy', () => {
    expect(() => copyPartRanges(0)).toThrow(RangeError);
    expect(() => copyPartRanges(MAX_PARTS * 5 * GiB + 1)).toThrow(/more than 10000 parts/);
  });
});
