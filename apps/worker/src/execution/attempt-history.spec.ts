import {
  AttemptHistory,
  type FinishedAttempt,
  LINE_CHARS,
  LogTail,
  TAIL_CHARS,
  TAIL_LINES,
} from './attempt-history';

const AT = '2026-12-01T00:00:00.000Z';

describe(LogTail.name, () => {
  it.each<[string, [string, string][], string[]]>([
    ['whole lines', [['stdout', 'a\nb\n']], ['a', 'b']],
    [
      'a line cut across two batches',
      [
        ['stdout', 'hel'],
        ['stdout', 'lo\nnext\n'],
      ],
      ['hello', 'next'],
    ],
    [
      'a cut line is not continued by another stream',
      [
        ['stdout', 'out'],
        ['stderr', 'err\n'],
      ],
      ['out', 'err'],
    ],
    ['an empty line kept', [['stdout', 'a\n\nb\n']], ['a', '', 'b']],
    ['a batch without a newline', [['stdout', 'partial']], ['partial']],
  ])('%s', (_what, batches, texts) => {
    const tail = new LogTail();
    for (const [stream, data] of batches) tail.add(stream, data, AT);
    expect(tail.last(100).map((l) => l.text)).toEqual(texts);
  });

  it(`keeps the last ${TAIL_LINES} lines, ${LINE_CHARS} characters each, ${TAIL_CHARS} in all`, () => {
    const tail = new LogTail();
    tail.add('stdout', Array.from({ length: TAIL_LINES + 20 }, (_, i) => `line ${i}\n`).join(''), AT);
    const lines = tail.last(10_000);
    expect(lines).toHaveLength(TAIL_LINES);
    expect(lines[0].text).toBe('line 20');
    tail.add('stdout', `${'x'.repeat(LINE_CHARS * 3)}\n`, AT);
    expect(tail.last(1)[0].text).toHaveLength(LINE_CHARS);
    for (let i = 0; i < 200; i++) tail.add('stdout', `${'y'.repeat(LINE_CHARS)}\n`, AT);
    const total = tail.last(10_000).reduce((n, l) => n + l.text.length, 0);
    expect(total).toBeLessThanOrEqual(TAIL_CHARS);
  });

  it('answers the last n lines with their stream and time', () => {
    const tail = new LogTail();
    tail.add('stdout', 'one\ntwo\n', AT);
    tail.add('system', 'three\n', AT);
    expect(tail.last(2)).toEqual([
      { stream: 'stdout', text: 'two', at: AT },
      { stream: 'system', text: 'three', at: AT },
    ]);
  });
});

describe(AttemptHistory.name, () => {
  const ended = (i: number): FinishedAttempt => ({
    attempt_id: `a${i}`,
    task_id: `t${i % 3}`,
    status: 'completed',
    exit_code: 0,
    started_at: AT,
    finished_at: AT,
  });

  it('keeps the last finished attempts, most recent first, and forgets the tails of those it drops', () => {
    const history = new AttemptHistory(3);
    for (let i = 0; i < 5; i++) {
      history.tailOf(`a${i}`, `t${i % 3}`).add('stdout', `out ${i}\n`, AT);
      history.finish(ended(i));
    }
    expect(history.list().map((a) => a.attempt_id)).toEqual(['a4', 'a3', 'a2']);
    expect(history.lines('a1', 10)).toBeUndefined();
    expect(history.lines('a2', 10)).toEqual([{ stream: 'stdout', text: 'out 2', at: AT }]);
  });

  it('finds a running attempt’s tail by attempt id or by task id (its latest attempt)', () => {
    const history = new AttemptHistory();
    history.tailOf('a1', 'task-x').add('stdout', 'first try\n', AT);
    history.tailOf('a2', 'task-x').add('stdout', 'second try\n', AT);
    expect(history.lines('a1', 10)?.[0].text).toBe('first try');
    expect(history.lines('task-x', 10)?.[0].text).toBe('second try');
    expect(history.lines('nothing', 10)).toBeUndefined();
  });
});
