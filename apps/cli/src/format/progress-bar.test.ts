import { renderProgressBar } from './progress-bar';

describe('renderProgressBar', () => {
  it('fills in proportion to done/total', () => {
    expect(renderProgressBar({ done: 0, total: 4 }, 8)).toBe('[--------]   0%  0/4 chunks');
    expect(renderProgressBar({ done: 1, total: 4 }, 8)).toBe('[##------]  25%  1/4 chunks');
    expect(renderProgressBar({ done: 4, total: 4, message: 'done' }, 8)).toBe(
      '[########] 100%  4/4 chunks  done',
    );
  });

  it('never overflows and shows a count without a total', () => {
    expect(renderProgressBar({ done: 9, total: 4 }, 4)).toBe('[####] 100%  9/4 chunks');
    expect(renderProgressBar({ done: 3 }, 4, 'files')).toBe('[    ]  3 files');
  });
});
