import { countLines, scanComments } from './line-counts';
import { detectLanguage } from './languages';

const scan = (path: string, content: string) =>
  countLines(content, scanComments(content, detectLanguage(path).comments));

describe('countLines', () => {
  it('counts code with a trailing comment as code, blank lines inside block comments as blank', () => {
    const content = 'a();\n/* one\n\n   two */\n  \t\nb(); // why\n// only\n';
    const start = content.indexOf('/*');
    const comments = [
      { start, end: content.indexOf('*/') + 2 },
      { start: content.indexOf('// why'), end: content.indexOf('\n// only') },
      { start: content.indexOf('// only'), end: content.length - 1 },
    ];
    expect(countLines(content, comments)).toEqual({ code: 2, comment: 3, blank: 2, total: 7 });
  });

  it('counts a last line without a newline, and no lines in an empty file', () => {
    expect(countLines('a\n\nb', [])).toEqual({ code: 2, comment: 0, blank: 1, total: 3 });
    expect(countLines('', [])).toEqual({ code: 0, comment: 0, blank: 0, total: 0 });
    expect(countLines('x\r\n\r\n', [])).toEqual({ code: 1, comment: 0, blank: 1, total: 2 });
  });
});

describe('scanComments (languages without a grammar)', () => {
  it('ignores comment markers inside string literals', () => {
    expect(scan('a.c', 'char *s = "/* not";\nint x; /* yes */\n// c\n')).toEqual({
      code: 2,
      comment: 1,
      blank: 0,
      total: 3,
    });
  });

  it('takes # as a comment only at a line start or after whitespace in shell and YAML', () => {
    expect(scan('run.sh', '#!/bin/sh\necho $#\n  # note\necho "#x" # y\n')).toEqual({
      code: 2,
      comment: 2,
      blank: 0,
      total: 4,
    });
    expect(scan('a.yml', 'a: b#c\n# d\n')).toEqual({ code: 1, comment: 1, blank: 0, total: 2 });
  });

  it('counts every non-blank line as code where a language has no comments', () => {
    expect(scan('a.json', '{\n  "a": "// b"\n\n}\n')).toEqual({ code: 3, comment: 0, blank: 1, total: 4 });
    expect(scan('LICENSE', 'MIT\n\n# not a comment\n')).toEqual({ code: 2, comment: 0, blank: 1, total: 3 });
  });

  it('handles markup comments and unterminated blocks', () => {
    expect(scan('a.md', '# Title\n<!-- hidden\nstill -->\ntext\n')).toEqual({
      code: 2,
      comment: 2,
      blank: 0,
      total: 4,
    });
    expect(scan('a.css', 'a {}\n/* open\nforever')).toEqual({ code: 1, comment: 2, blank: 0, total: 3 });
  });
});
