export const PAGE_SIZE_DEFAULT = 50;
export const PAGE_SIZE_MAX = 500;

/** A page of a keyset-paginated list. */
export interface Page<T> {
  items: T[];
  /** Pass as `cursor` for the next page; null on the last page. */
  next_cursor: string | null;
}

/** A keyset page from up to `limit` rows: the next cursor is the last row's key when the page is full. */
export function toPage<R, V>(
  rows: readonly R[],
  limit: number,
  view: (row: R) => V,
  keyOf: (row: R) => string,
): Page<V> {
  const last = rows[rows.length - 1];
  return {
    items: rows.map(view),
    next_cursor: rows.length === limit && last !== undefined ? keyOf(last) : null,
  };
}
