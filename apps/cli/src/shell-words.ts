/** A line that could not be split: an unclosed quote, or a trailing backslash. */
export class ShellSyntaxError extends Error {}

/**
 * Splits a prompt line into words like a POSIX shell does, without expansions: whitespace
 * separates words; 'single quotes' keep everything literally; "double quotes" keep everything
 * but `\"`, `\\`, `\$` and `` \` ``, which lose their backslash; outside quotes a backslash
 * keeps the next character. `a"b c"d` is one word, `''` an empty one.
 */
export function splitShellWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote === "'") {
      if (c === "'") quote = null;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1])) word += line[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\') {
      if (i + 1 >= line.length) throw new ShellSyntaxError('a backslash ends the line');
      word += line[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw new ShellSyntaxError(`unclosed ${quote === "'" ? 'single' : 'double'} quote`);
  if (inWord) words.push(word);
  return words;
}
