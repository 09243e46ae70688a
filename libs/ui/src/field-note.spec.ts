import { fieldNote } from './field-note';

describe(fieldNote.name, () => {
  it.each([
    [
      { refusal: 'taken', problem: 'too short', hint: '3–32 letters' },
      { tone: 'alert', text: 'taken' },
    ],
    [
      { problem: 'too short', hint: '3–32 letters' },
      { tone: 'error', text: 'too short' },
    ],
    [
      { refusal: '', problem: 'too short' },
      { tone: 'error', text: 'too short' },
    ],
    [{ hint: '3–32 letters' }, { tone: 'hint', text: '3–32 letters' }],
    [
      { refusal: undefined, problem: undefined },
      { tone: 'hint', text: '' },
    ],
  ])('%p → %p', (say, note) => {
    expect(fieldNote(say)).toEqual(note);
  });
});
