import { type ValueTransformer } from 'typeorm';

/**
 * PostgreSQL bigint arrives as a string (it can exceed 2^53). CPT amounts, sizes and sequence
 * numbers stay far below 2^53, so we read them as numbers and refuse anything unsafe.
 */
export const bigintToNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null): number | null => {
    if (value === null || value === undefined) return null;
    const n = Number(value);
    if (!Number.isSafeInteger(n)) throw new RangeError(`bigint ${value} is beyond the safe integer range`);
    return n;
  },
};
