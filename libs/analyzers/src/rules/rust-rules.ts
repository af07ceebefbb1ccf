import type { Node } from '@vscode/tree-sitter-wasm';
import { named, operatorIn, type GrammarRules, type SymbolMatch, type UnitMatch } from '../grammar-rules';

/**
 * Rust. A `match` with n arms adds n - 1 decision points (an exhaustive match has n paths, as an
 * if/else-if chain with n branches has n - 1 conditions) and each arm guard adds one. The `?`
 * operator and `loop` add none. Functions inside `impl` and `trait` blocks are methods; an impl
 * block is a unit named `Type` or `Trait for Type`.
 */

function functionItem(node: Node): UnitMatch {
  const owner = node.parent?.type === 'declaration_list' ? node.parent.parent?.type : undefined;
  return named(owner === 'impl_item' || owner === 'trait_item' ? 'method' : 'function')(node);
}

function implItem(node: Node): UnitMatch {
  const type = node.childForFieldName('type')?.text ?? '?';
  const trait = node.childForFieldName('trait')?.text;
  return { kind: 'impl', name: trait ? `${trait} for ${type}` : type, nameNode: null, symbol: false };
}

const symbolNamed =
  (kind: SymbolMatch['kind']) =>
  (node: Node): SymbolMatch[] => {
    const nameNode = node.childForFieldName('name');
    return nameNode ? [{ kind, name: nameNode.text, node, nameNode }] : [];
  };

export const rustRules: GrammarRules = {
  commentTypes: ['line_comment', 'block_comment'],
  units: {
    function_item: functionItem,
    struct_item: named('struct'),
    union_item: named('struct'),
    enum_item: named('enum'),
    trait_item: named('trait'),
    impl_item: implItem,
    closure_expression: () => ({ kind: 'function', name: '<closure>', nameNode: null, symbol: false }),
  },
  decisions: {
    if_expression: 1,
    while_expression: 1,
    for_expression: 1,
    match_block: (node) =>
      Math.max(0, node.namedChildren.filter((child) => child?.type === 'match_arm').length - 1),
    match_pattern: (node) => (node.childForFieldName('condition') ? 1 : 0),
    binary_expression: operatorIn('&&', '||'),
  },
  imports: {
    use_declaration: (node) => {
      const argument = node.childForFieldName('argument');
      return argument ? [argument.text.replace(/\s+/g, '')] : [];
    },
  },
  symbols: {
    const_item: symbolNamed('constant'),
    static_item: symbolNamed('variable'),
    type_item: symbolNamed('type'),
    mod_item: symbolNamed('module'),
    function_signature_item: symbolNamed('method'),
  },
};
