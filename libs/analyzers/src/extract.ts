import type { CodeUnit, SymbolDef } from '@contextforge/contracts';
import type { Node, Tree } from '@vscode/tree-sitter-wasm';
import type { GrammarRules } from './grammar-rules';
import type { CommentSpan } from './line-counts';

/** Everything the analyzers take from one syntax tree, gathered in a single walk. */
export interface Extraction {
  units: CodeUnit[];
  symbols: SymbolDef[];
  imports: string[];
  comments: CommentSpan[];
}

const SIGNATURE_MAX = 300;

/** 1-based last line of a node; a node ending at column 0 ends on the line before. */
const endLineOf = (node: Node): number =>
  node.endPosition.column === 0 && node.endPosition.row > node.startPosition.row
    ? node.endPosition.row
    : node.endPosition.row + 1;

/**
 * Walks the tree once. Decision points go to the innermost enclosing function or method, so a
 * nested function's branches count for it alone; outside functions (module code, class bodies)
 * they count for nothing.
 */
export function extract(
  tree: Tree,
  content: string,
  rules: GrammarRules,
  file: { path: string; language: string },
): Extraction {
  const units: CodeUnit[] = [];
  const symbols: SymbolDef[] = [];
  const imports = new Set<string>();
  const comments: CommentSpan[] = [];
  const open: { depth: number; unit: CodeUnit }[] = [];
  const commentTypes = new Set(rules.commentTypes);
  const lines = lineReader(content);

  const symbol = (kind: SymbolDef['kind'], name: string, node: Node, nameNode: Node | null) => {
    const startLine = node.startPosition.row + 1;
    const signatureRow = nameNode ? nameNode.startPosition.row : node.startPosition.row;
    symbols.push({
      kind,
      name,
      file: file.path,
      startLine,
      endLine: endLineOf(node),
      signature: lines(signatureRow).trim().slice(0, SIGNATURE_MAX),
      language: file.language,
    });
  };

  const cursor = tree.walk();
  let depth = 0;
  try {
    for (;;) {
      const type = cursor.nodeType;
      while ((open[open.length - 1]?.depth ?? -1) >= depth) open.pop();
      let descend = true;
      if (!cursor.nodeIsNamed) {
        // Keywords share names with node types (`class`, `lambda`): only named nodes count.
      } else if (commentTypes.has(type)) {
        comments.push({ start: cursor.startIndex, end: cursor.endIndex });
        descend = false;
      } else if (
        rules.commentLike?.type === type &&
        rules.commentLike.test(content.slice(cursor.startIndex, cursor.startIndex + 5))
      ) {
        comments.push({ start: cursor.startIndex, end: cursor.endIndex });
        descend = false;
      } else {
        const unitRule = rules.units[type];
        const decision = rules.decisions[type];
        const importRule = rules.imports[type];
        const symbolRule = rules.symbols[type];
        if (unitRule || decision !== undefined || importRule || symbolRule) {
          const node = cursor.currentNode;
          const points = typeof decision === 'function' ? decision(node) : (decision ?? 0);
          const owner = open[open.length - 1]?.unit;
          if (points > 0 && owner?.complexity !== undefined) owner.complexity += points;
          const match = unitRule?.(node);
          if (match) {
            const unit: CodeUnit = {
              kind: match.kind,
              name: match.name,
              startLine: node.startPosition.row + 1,
              endLine: endLineOf(node),
            };
            if (unit.kind === 'function' || unit.kind === 'method') unit.complexity = 1;
            units.push(unit);
            open.push({ depth, unit });
            if (match.symbol && unit.kind !== 'impl') symbol(unit.kind, unit.name, node, match.nameNode);
          }
          for (const specifier of importRule?.(node) ?? []) if (specifier) imports.add(specifier);
          for (const found of symbolRule?.(node) ?? [])
            symbol(found.kind, found.name, found.node, found.nameNode);
        }
      }
      if (descend && cursor.gotoFirstChild()) {
        depth++;
        continue;
      }
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) return { units, symbols, imports: [...imports], comments };
        depth--;
      }
    }
  } finally {
    cursor.delete();
  }
}

/** Line text by 0-based row, indexing line starts on first use. */
function lineReader(content: string): (row: number) => string {
  let starts: number[] | undefined;
  return (row) => {
    if (!starts) {
      starts = [0];
      for (let i = content.indexOf('\n'); i >= 0; i = content.indexOf('\n', i + 1)) starts.push(i + 1);
    }
    const start = starts[row] ?? content.length;
    const next = starts[row + 1];
    return content.slice(start, next === undefined ? content.length : next - 1);
  };
}
