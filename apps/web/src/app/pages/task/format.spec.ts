import { type AttemptView } from '@hivemind/contracts';
import {
  attachmentName,
  attemptDuration,
  commandText,
  formatDuration,
  isLive,
  paramsText,
  plural,
  policyText,
  replicationText,
  reportOverstated,
  shortDigest,
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

const attempt = (over: Partial<AttemptView>) =>
  ({
    duration_ms: null,
    observed_ms: null,
    assigned_at: '2026-01-01T00:00:00Z',
    started_at: null,
    finished_at: null,
    ...over,
  }) as AttemptView;

describe(attemptDuration.name, () => {
  const t0 = Date.parse('2026-01-01T00:00:00Z');

  it("takes the pool's observed time, never the node's, else start (or assignment) to end, or to now", () => {
    expect(attemptDuration(attempt({ observed_ms: 5, duration_ms: 1_800_000 }), t0)).toBe(5);
    expect(
      attemptDuration(
        attempt({ started_at: '2026-01-01T00:00:01Z', finished_at: '2026-01-01T00:00:04Z', duration_ms: 9 }),
        t0,
      ),
    ).toBe(3000);
    expect(attemptDuration(attempt({ started_at: '2026-01-01T00:00:00Z' }), t0 + 7000)).toBe(7000);
    expect(attemptDuration(attempt({}), t0 + 2000)).toBe(2000);
  });
});

describe(reportOverstated.name, () => {
  it.each([
    [5, 1_800_000, true],
    [60_000, 60_500, false],
    [60_000, 67_000, false],
    [60_000, 67_100, true],
    [null, 1000, false],
    [1000, null, false],
  ])('observed %s ms, reported %s ms → %s', (observed, reported, overstated) => {
    expect(reportOverstated(attempt({ observed_ms: observed, duration_ms: reported }))).toBe(overstated);
  });
});

describe(shortDigest.name, () => {
  it('shows the first 12 hex characters, or a dash without a result', () => {
    expect(shortDigest('9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08')).toBe(
      '9f86d081884c',
    );
    expect(shortDigest(null)).toBe('—');
  });
});

describe(policyText.name, () => {
  it.each([
    [{ validation: 'none', quorum: 1, max_replicas: 1 }, 'none — results taken as nodes report them'],
    [
      { validation: 'quorum', quorum: 2, max_replicas: 4 },
      'quorum — 2 matching results of different owners, up to 4 replicas a shard',
    ],
    [
      { validation: 'adaptive', quorum: 3, max_replicas: 5 },
      'adaptive — trusted nodes alone (spot-checked), others need 3 matching results of different owners; up to 5 replicas a shard',
    ],
  ])('%j', (task, text) => {
    expect(policyText(task)).toBe(text);
  });
});

describe(replicationText.name, () => {
  it.each([
    [{ quorum: 1, replicas_wanted: 1 }, 'none', ''],
    [{ quorum: 0, replicas_wanted: 1 }, 'adaptive', 'replication not decided yet'],
    [{ quorum: 1, replicas_wanted: 1 }, 'adaptive', 'one result accepted alone'],
    [{ quorum: 2, replicas_wanted: 3 }, 'quorum', 'needs 2 matching results · 3 replicas wanted'],
  ])('%j under %s → %s', (shard, validation, text) => {
    expect(replicationText(shard, validation)).toBe(text);
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
