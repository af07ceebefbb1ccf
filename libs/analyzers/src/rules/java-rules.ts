import type { Node } from '@vscode/tree-sitter-wasm';
import { named, operatorIn, type GrammarRules, type SymbolMatch } from '../grammar-rules';

/**
 * Java. Constructors are methods named after their class; a method without a body (interface,
 * abstract, native) is a symbol but not a unit. `static final` fields are constants.
 */

function constants(node: Node): SymbolMatch[] {
  const modifiers = node.namedChildren.find((child) => child?.type === 'modifiers')?.text ?? '';
  if (!/\bstatic\b/.test(modifiers) || !/\bfinal\b/.test(modifiers)) return [];
  return node.childrenForFieldName('declarator').flatMap((declarator): SymbolMatch[] => {
    const nameNode = declarator?.childForFieldName('name');
    return declarator && nameNode
      ? [{ kind: 'constant', name: nameNode.text, node: declarator, nameNode }]
      : [];
  });
}

export const javaRules: GrammarRules = {
  commentTypes: ['line_comment', 'block_comment'],
  units: {
    class_declaration: named('class'),
    record_declaration: named('class'),
    interface_declaration: named('interface'),
    annotation_type_declaration: named('interface'),
    enum_declaration: named('enum'),
    method_declaration: (node) => (node.childForFieldName('body') ? named('method')(node) : undefined),
    constructor_declaration: named('method'),
    compact_constructor_declaration: named('method'),
    lambda_expression: () => ({ kind: 'function', name: '<lambda>', nameNode: null, symbol: false }),
  },
  decisions: {
    if_statement: 1,
    for_statement: 1,
    enhanced_for_statement: 1,
    while_statement: 1,
    do_statement: 1,
    switch_label: (node) => (node.child(0)?.type === 'case' ? 1 : 0),
    catch_clause: 1,
    ternary_expression: 1,
    binary_expression: operatorIn('&&', '||'),
  },
  imports: {
    import_declaration: (node) => {
      const path = node.namedChildren.find(
        (child) => child?.type === 'scoped_identifier' || child?.type === 'identifier',
      );
      if (!path) return [];
      const wildcard = node.namedChildren.some((child) => child?.type === 'asterisk');
      return [wildcard ? `${path.text}.*` : path.text];
    },
  },
  symbols: {
    method_declaration: (node) => {
      const nameNode = node.childForFieldName('name');
      if (node.childForFieldName('body') || !nameNode) return [];
      return [{ kind: 'method', name: nameNode.text, node, nameNode }];
    },
    field_declaration: constants,
  },
};
