import { runTool } from './run-tool';

describe('runTool', () => {
  it('names a missing tool and how to install it', () => {
    expect(() =>
      runTool('no-such-tool-k8s-check', ['--version'], { install: 'apt-get install -y it' }),
    ).toThrow('no-such-tool-k8s-check is not on PATH; these checks need it (apt-get install -y it)');
  });

  it('answers the output and exit status of a run', () => {
    const result = runTool(process.execPath, ['-e', 'process.stdout.write("out"); process.exit(3)'], {
      install: 'node',
    });
    expect(result).toEqual({ stdout: 'out', stderr: '', status: 3 });
  });
});
