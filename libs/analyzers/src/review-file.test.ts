import type { FileAnalysis } from '@contextforge/contracts';
import { analyzeSource } from './analyze-file';
import { reviewFile } from './review-file';

const review = async (path: string, content: string) => {
  const { analysis, comments } = await analyzeSource({ path, content });
  return reviewFile(analysis, content, { comments });
};

/** A function with `n` if statements: complexity n + 1. */
const branches = (name: string, n: number) =>
  `function ${name}(x: number) {\n${Array.from({ length: n }, (_, i) => `  if (x === ${i}) return ${i};`).join('\n')}\n  return -1;\n}\n`;

describe('reviewFile', () => {
  it('flags complexity above 10 as a warning and above 20 as an error, at the function', async () => {
    const content = branches('ok', 9) + branches('warn', 10) + branches('bad', 20);
    const findings = (await review('a.ts', content)).filter((f) => f.ruleId === 'complexity/high');
    expect(findings).toEqual([
      {
        file: 'a.ts',
        line: 13,
        ruleId: 'complexity/high',
        severity: 'warning',
        message: 'function warn has cyclomatic complexity 11 (limit 10)',
      },
      {
        file: 'a.ts',
        line: 26,
        ruleId: 'complexity/high',
        severity: 'error',
        message: 'function bad has cyclomatic complexity 21 (limit 20)',
      },
    ]);
  });

  it('flags functions over 60 lines and files over 1,000 lines', async () => {
    const long = `def long():\n${'    x = 1\n'.repeat(60)}\ndef short():\n${'    x = 1\n'.repeat(59)}`;
    const findings = await review('m.py', long);
    expect(findings.filter((f) => f.ruleId === 'size/long-function')).toEqual([
      expect.objectContaining({
        line: 1,
        severity: 'warning',
        message: 'function long is 61 lines long (limit 60)',
      }),
    ]);
    expect(findings.some((f) => f.ruleId === 'size/long-file')).toBe(false);
    const big = await review('big.txt', 'x\n'.repeat(1001));
    expect(big).toEqual([
      {
        file: 'big.txt',
        line: 1,
        ruleId: 'size/long-file',
        severity: 'warning',
        message: expect.stringContaining('1001'),
      },
    ]);
  });

  it('reports TODO, FIXME, XXX and HACK in comments only, at their line', async () => {
    const content = [
      '// TODO: handle errors',
      'const s = "TODO not a comment";',
      '/* first line',
      '   FIXME later */',
      'x(); // HACK',
      '// todo lower case is prose',
      '/* XXX */',
    ].join('\n');
    const findings = (await review('a.js', content)).filter((f) => f.ruleId === 'todo/marker');
    expect(findings.map((f) => [f.line, f.severity, f.message])).toEqual([
      [1, 'info', 'TODO: handle errors'],
      [4, 'info', 'FIXME: later'],
      [5, 'info', 'HACK marker'],
      [7, 'info', 'XXX marker'],
    ]);
  });

  it('finds markers with the comment scanner when no parse is given (other languages)', () => {
    const analysis: FileAnalysis = {
      path: 'run.sh',
      language: 'shell',
      parsed: false,
      bytes: 0,
      lines: { code: 2, comment: 1, blank: 0, total: 3 },
      units: [],
      imports: [],
    };
    const findings = reviewFile(analysis, 'echo "# TODO no"\n# FIXME: quote paths\necho');
    expect(findings.map((f) => [f.line, f.message])).toEqual([[2, 'FIXME: quote paths']]);
  });

  describe('secrets/hard-coded', () => {
    const secrets: [string, string][] = [
      ['aws key id', 'const id = "AKIAZ7QW2ERTYUI0PLKJ";'],
      ['private key', 'key = """-----BEGIN RSA PRIVATE KEY-----'],
      ['password', 'password = "hunter2hunter2"'],
      ['api key', "const apiKey = 'sk_live_4eC39HqLyjWDarjtT1zdp7dc';"],
      ['token in an object', '  token: "ghp_16C7e42F292c6912E7710c838347Ae178B4a",'],
      ['go secret', 'clientSecret := "Zx9vQ2mL8pR4tY7w"'],
    ];

    it.each(secrets)('flags a %s without echoing the value', async (_name, line) => {
      const findings = (await review('a.go', line)).filter((f) => f.ruleId === 'secrets/hard-coded');
      expect(findings).toHaveLength(1);
      expect(findings[0]).toMatchObject({ line: 1, severity: 'error' });
      const value = /["']([^"']{8,})["']/.exec(line)?.[1] ?? /AKIA\w+/.exec(line)?.[0] ?? 'PRIVATE KEY-----';
      expect(findings[0]?.message).not.toContain(value.slice(0, 8));
    });

    it.each([
      ['environment lookup', 'const password = process.env.DB_PASSWORD;'],
      ['placeholder', 'password: "<your-password>"'],
      ['interpolation', 'token = `${prefix}${rest}`'],
      ['header name', "const TOKEN_HEADER = 'x-access-token';"],
      ['prose', 'const message = "missing token"; token = "not set yet"'],
      ['short value', 'password = "abc"'],
      ['documentation key id', 'aws_access_key_id = AKIAIOSFODNN7EXAMPLE'],
      ['url', 'tokenUrl = "https://auth.example.org/oauth/token"'],
      ['file name', 'credentials_file: "/etc/contextforge/credentials-v2.json"'],
      ['public key', '-----BEGIN PUBLIC KEY-----'],
    ])('does not flag a %s', async (_name, line) => {
      expect((await review('a.ts', line)).filter((f) => f.ruleId === 'secrets/hard-coded')).toEqual([]);
    });
  });
});
