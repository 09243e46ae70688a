import { type AttemptView } from '@hivemind/contracts';
import {
  attachmentName,
  attemptDuration,
  commandText,
  formatDuration,
  isLive,
  paramsText,
  plural,
} from './format';

describe(formatDuration.name, () => {
  it.each([
    [null, '—'],
    [850, '850 ms'],
    [12_345, '12.3 s'],
    [42_400, '42.4 s'],
    [59_990, '1 min 00 s'],
    [245_000, '4 min 05 s'],
    [7_380_000, '2 h 03 min'],
  ])('%s ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe(attemptDuration.name, () => {
  const attempt = (over: Partial<AttemptView>) =>
    ({ duration_ms: null, started_at: null, finished_at: null, ...over }) as AttemptView;
  const t0 = Date.parse('2026-01-01T00:00:00Z');

  it('takes the recorded duration, else the time from start to end, or to now while it runs', () => {
    expect(attemptDuration(attempt({ duration_ms: 1500 }), t0)).toBe(1500);
    expect(
      attemptDuration(
        attempt({ started_at: '2026-01-01T00:00:00Z', finished_at: '2026-01-01T00:00:03Z' }),
        t0,
      ),
    ).toBe(3000);
    expect(attemptDuration(attempt({ started_at: '2026-01-01T00:00:00Z' }), t0 + 7000)).toBe(7000);
    expect(attemptDuration(attempt({}), t0)).toBeNull();
  });
});

describe(attachmentName.name, () => {
  it.each([
    ['attachment; filename="render-1a2b3c4d-results.zip"', 'render-1a2b3c4d-results.zip'],
    ['attachment; filename="x.zip"; filename*=UTF-8\'\'r%C3%A9sultats.zip', 'résultats.zip'],
    ['attachment; filename=plain.zip', 'plain.zip'],
    [null, 'fallback.zip'],
    ['attachment', 'fallback.zip'],
  ])('%s → %s', (header, name) => {
    expect(attachmentName(header, 'fallback.zip')).toBe(name);
  });
});

describe(isLive.name, () => {
  it('is true while queued or running', () => {
    expect(['QUEUED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED'].map(isLive)).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
  });
});

describe(paramsText.name, () => {
  it('says the parameters in one line, cut short when long', () => {
    expect(paramsText({})).toBe('');
    expect(paramsText({ seed: 3 })).toBe('{"seed":3}');
    const long = paramsText({ files: Array.from({ length: 50 }, (_, i) => `data/file-${i}.csv`) }, 40);
    expect(long).toHaveLength(40);
    expect(long.endsWith('…')).toBe(true);
  });
});

describe(commandText.name, () => {
  it('shows a shell line as typed, and other arguments quoted where needed', () => {
    expect(commandText(['sh', '-c', 'echo $A && ls'])).toBe('echo $A && ls');
    expect(commandText(['python3', 'main.py', '--name', 'two words'])).toBe(
      "python3 main.py --name 'two words'",
    );
    expect(commandText(['echo', "it's"])).toBe(`echo 'it'\\''s'`);
  });
});

describe(plural.name, () => {
  it('counts', () => {
    expect(plural(1, 'core')).toBe('1 core');
    expect(plural(0.5, 'core')).toBe('0.5 cores');
  });
});
