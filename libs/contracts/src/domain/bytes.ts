/** `104857600` → `"100 MiB (104857600 bytes)"`: a size or limit a person can read. */
export function formatBytes(bytes: number): string {
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = '';
  for (const next of units) {
    if (value < 1024) break;
    value /= 1024;
    unit = next;
  }
  return unit ? `${Number(value.toFixed(1))} ${unit} (${bytes} bytes)` : `${bytes} bytes`;
}
