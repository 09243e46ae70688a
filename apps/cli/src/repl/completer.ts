/** A command as the prompt completes it: its names and its long options. */
export interface CompletableCommand {
  names: string[];
  options: string[];
}

/**
 * readline's completer: the first word completes to a command name, a later word starting with
 * `-` to one of that command's long options; a unique match gets a trailing space.
 */
export function completeLine(line: string, commands: readonly CompletableCommand[]): [string[], string] {
  const words = line.split(/\s+/);
  const current = words[words.length - 1] ?? '';
  const unique = (hits: string[]) => (hits.length === 1 ? [`${hits[0]} `] : hits);
  if (words.length === 1 || (words.length === 2 && words[0] === '')) {
    const names = commands.flatMap((c) => c.names).sort();
    return [unique(names.filter((n) => n.startsWith(current))), current];
  }
  if (!current.startsWith('-')) return [[], current];
  const command = commands.find((c) => c.names.includes(words.find((w) => w) ?? ''));
  if (!command) return [[], current];
  return [unique(command.options.filter((o) => o.startsWith(current)).sort()), current];
}
