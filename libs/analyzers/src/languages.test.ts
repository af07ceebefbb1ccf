import { detectLanguage } from './languages';

describe('detectLanguage', () => {
  it.each([
    ['src/a.ts', 'typescript'],
    ['src/a.d.ts', 'typescript'],
    ['a.mts', 'typescript'],
    ['a.cts', 'typescript'],
    ['ui/App.tsx', 'tsx'],
    ['a.js', 'javascript'],
    ['a.mjs', 'javascript'],
    ['a.cjs', 'javascript'],
    ['a.jsx', 'javascript'],
    ['pkg/mod.py', 'python'],
    ['main.go', 'go'],
    ['A.java', 'java'],
    ['lib.rs', 'rust'],
    ['package.json', 'json'],
    ['ci.yml', 'yaml'],
    ['README.MD', 'markdown'],
    ['style.css', 'css'],
    ['run.sh', 'shell'],
    ['x.c', 'c'],
    ['x.hpp', 'cpp'],
    ['X.cs', 'csharp'],
    ['x.rb', 'ruby'],
    ['x.php', 'php'],
    ['docker/Dockerfile', 'dockerfile'],
    ['Makefile', 'make'],
    ['LICENSE', 'other'],
    ['.gitignore', 'other'],
    ['data.bin', 'other'],
  ])('%s is %s', (path, language) => {
    expect(detectLanguage(path).name).toBe(language);
  });
});
