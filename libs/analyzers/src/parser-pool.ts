import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Language, Parser } from '@vscode/tree-sitter-wasm';
import type { ParsedLanguage } from './languages';

/**
 * One tree-sitter runtime per process, each grammar loaded once, one parser per grammar.
 *
 * Parsing is synchronous, so a parser is never used by two callers at once even when many
 * analyses run concurrently on the event loop; only loading is asynchronous, and concurrent
 * first calls share the same promise.
 */

const GRAMMAR_FILES: Record<ParsedLanguage, string> = {
  typescript: 'tree-sitter-typescript.wasm',
  tsx: 'tree-sitter-tsx.wasm',
  javascript: 'tree-sitter-javascript.wasm',
  python: 'tree-sitter-python.wasm',
  go: 'tree-sitter-go.wasm',
  java: 'tree-sitter-java.wasm',
  rust: 'tree-sitter-rust.wasm',
};

// require.resolve rather than a path relative to this file: the apps are esbuild bundles
// (dist/apps/<app>/main.js) with node_modules left external.
const wasmDir = (): string => dirname(require.resolve('@vscode/tree-sitter-wasm'));

let runtime: Promise<void> | undefined;
const parsers = new Map<ParsedLanguage, Promise<Parser>>();

function initRuntime(): Promise<void> {
  runtime ??= Parser.init({ locateFile: (file) => join(wasmDir(), file) }).catch((error: unknown) => {
    runtime = undefined;
    throw error;
  });
  return runtime;
}

/** The parser for a grammar, loading the runtime and the grammar on first use. */
export function parserFor(language: ParsedLanguage): Promise<Parser> {
  let parser = parsers.get(language);
  if (!parser) {
    parser = (async () => {
      await initRuntime();
      // Bytes rather than a path: Language.load(path) uses a dynamic import that Jest's CJS runtime refuses.
      const grammar = await Language.load(readFileSync(join(wasmDir(), GRAMMAR_FILES[language])));
      const created = new Parser();
      created.setLanguage(grammar);
      return created;
    })();
    parsers.set(language, parser);
    parser.catch(() => parsers.delete(language));
  }
  return parser;
}
