import { sampleReport } from '../report/report-fixture';
import { analyzeExitCode } from './analyze-command';

describe('analyzeExitCode', () => {
  it('is 0 for a complete report and 1 when the report lists missing files', () => {
    expect(
      analyzeExitCode(sampleReport({ complete: true, missing: { count: 0, files: [], chunks: [] } })),
    ).toBe(0);
    expect(analyzeExitCode(sampleReport())).toBe(1);
    expect(
      analyzeExitCode(
        sampleReport({
          complete: true,
          missing: { count: 1, files: [{ path: 'a.ts', reason: 'unreadable' }], chunks: [] },
        }),
      ),
    ).toBe(1);
  });
});
