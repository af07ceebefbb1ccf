import type { Node } from '@vscode/tree-sitter-wasm';
import {
  named,
  operatorIn,
  unquote,
  type GrammarRules,
  type SymbolMatch,
  type UnitMatch,
} from '../grammar-rules';

/**
 * Go. Cases of `switch`, type switches and `select` are decision points; `default` is not.
 * A type declaration is a struct or interface unit; other named types are `type` symbols.
 */

function typeSpec(node: Node): UnitMatch | undefined {
  const type = node.childForFieldName('type')?.type;
  if (type === 'struct_type') return named('struct')(node);
  if (type === 'interface_type') return named('interface')(node);
  return undefined;
}

function topLevelNames(kind: SymbolMatch['kind']) {
  return (node: Node): SymbolMatch[] => {
    if (node.parent?.parent?.type !== 'source_file') return [];
    return node
      .childrenForFieldName('name')
      .flatMap((nameNode) => (nameNode ? [{ kind, name: nameNode.text, node, nameNode }] : []));
  };
}

export const goRules: GrammarRules = {
  commentTypes: ['comment'],
  units: {
    function_declaration: named('function'),
    method_declaration: named('method'),
    func_literal: () => ({ kind: 'function', name: '<anonymous>', nameNode: null, symbol: false }),
    type_spec: typeSpec,
  },
  decisions: {
    if_statement: 1,
    for_statement: 1,
    expression_case: 1,
    type_case: 1,
    communication_case: 1,
    binary_expression: operatorIn('&&', '||'),
  },
  imports: {
    import_spec: (node) => {
      const path = node.childForFieldName('path');
      return path ? [unquote(path.text)] : [];
    },
  },
  symbols: {
    type_spec: (node) => {
      const type = node.childForFieldName('type')?.type;
      const nameNode = node.childForFieldName('name');
      if (!nameNode || type === 'struct_type' || type === 'interface_type') return [];
      return [{ kind: 'type', name: nameNode.text, node, nameNode }];
    },
    type_alias: (node) => {
      const nameNode = node.childForFieldName('name');
      return nameNode ? [{ kind: 'type', name: nameNode.text, node, nameNode }] : [];
    },
    const_spec: topLevelNames('constant'),
    var_spec: topLevelNames('variable'),
  },
};
