import type { Node } from '@vscode/tree-sitter-wasm';
import { named, type GrammarRules, type SymbolMatch, type UnitMatch } from '../grammar-rules';

/**
 * Python. Triple-quoted strings count as comment lines wherever they appear, as cloc counts them
 * (cloc turns every `"""`/`'''` pair into a block comment, not only docstrings). Comprehension
 * `for`/`if` clauses and `and`/`or` are decision points; a `case _:` is not (like `default`).
 */

function inClassBody(node: Node): boolean {
  const holder = node.parent?.type === 'decorated_definition' ? node.parent : node;
  return holder.parent?.type === 'block' && holder.parent.parent?.type === 'class_definition';
}

function functionDefinition(node: Node): UnitMatch {
  return named(inClassBody(node) ? 'method' : 'function')(node);
}

function moduleLevelAssignment(node: Node): SymbolMatch[] {
  if (node.parent?.type !== 'expression_statement' || node.parent.parent?.type !== 'module') return [];
  const left = node.childForFieldName('left');
  if (left?.type !== 'identifier') return [];
  const kind = /^[A-Z][A-Z0-9_]*$/.test(left.text) ? 'constant' : 'variable';
  return [{ kind, name: left.text, node, nameNode: left }];
}

export const pythonRules: GrammarRules = {
  commentTypes: ['comment'],
  commentLike: { type: 'string', test: (text) => /^[a-zA-Z]{0,2}("""|''')/.test(text) },
  units: {
    function_definition: functionDefinition,
    class_definition: named('class'),
    lambda: () => ({ kind: 'function', name: '<lambda>', nameNode: null, symbol: false }),
  },
  decisions: {
    if_statement: 1,
    elif_clause: 1,
    for_statement: 1,
    while_statement: 1,
    except_clause: 1,
    conditional_expression: 1,
    boolean_operator: 1,
    for_in_clause: 1,
    if_clause: 1,
    case_clause: (node) => {
      const patterns = node.namedChildren.filter((child) => child?.type === 'case_pattern');
      return patterns.length === 1 && patterns[0]?.text === '_' ? 0 : 1;
    },
  },
  imports: {
    import_statement: (node) =>
      node.childrenForFieldName('name').flatMap((name) => {
        if (!name) return [];
        return [name.type === 'aliased_import' ? (name.childForFieldName('name')?.text ?? '') : name.text];
      }),
    import_from_statement: (node) => {
      const module = node.childForFieldName('module_name');
      return module ? [module.text] : [];
    },
  },
  symbols: { assignment: moduleLevelAssignment },
};
