import { describe, expect, it } from 'vitest';
import { editStats, wordDiff } from './diff.js';

describe('draft → sent diff', () => {
  it('diff — unchanged text is one "same" run and a 0 change ratio', () => {
    expect(wordDiff('Your refund is on its way.', 'Your refund is on its way.')).toEqual([{ op: 'same', text: 'Your refund is on its way.' }]);
    expect(editStats('a b c', 'a b c').changeRatio).toBe(0);
  });

  it('diff — a changed word shows as removed then added; the ratio counts both sides', () => {
    expect(wordDiff('It arrives on Friday.', 'It arrives on Monday.')).toEqual([
      { op: 'same', text: 'It arrives on' },
      { op: 'removed', text: 'Friday.' },
      { op: 'added', text: 'Monday.' },
    ]);
    expect(editStats('It arrives on Friday.', 'It arrives on Monday.')).toEqual({ draftWords: 4, wordsAdded: 1, wordsRemoved: 1, changeRatio: 0.25 });
    expect(editStats('one two', 'three four five').changeRatio).toBe(1);
  });
});
