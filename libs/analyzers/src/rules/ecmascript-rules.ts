import type { Node } from '@vscode/tree-sitter-wasm';
import type { CodeUnit } from '@contextforge/contracts';
import {
  ANONYMOUS,
  fieldText,
  named,
  operatorIn,
  unquote,
  type GrammarRules,
  type SymbolMatch,
  type UnitMatch,
} from '../grammar-rules';

/**
 * TypeScript, TSX and JavaScript (one rule set: the grammars share their node types).
 * Function expressions, arrow functions and class expressions take the name they are bound to
 * (variable, class field, object key, assignment target); callbacks are `<anonymous>`.
 */

const FUNCTION_VALUES = new Set(['arrow_function', 'function_expression', 'generator_function', 'class']);

function bound(kind: CodeUnit['kind']) {
  return (node: Node): UnitMatch => {
    const own = node.childForFieldName('name');
    if (own) return { kind, name: own.text, nameNode: own, symbol: true };
    const parent = node.parent;
    const isClass = kind === 'class';
    switch (parent?.type) {
      case 'variable_declarator': {
        const nameNode = parent.childForFieldName('name');
        return { kind, name: nameNode?.text ?? ANONYMOUS, nameNode, symbol: nameNode?.type === 'identifier' };
      }
      case 'public_field_definition':
      case 'field_definition': {
        const nameNode = parent.childForFieldName('name') ?? parent.childForFieldName('property');
        return { kind: isClass ? kind : 'method', name: nameNode?.text ?? ANONYMOUS, nameNode, symbol: true };
      }
      case 'pair':
        return { kind, name: fieldText(parent, 'key') ?? ANONYMOUS, nameNode: null, symbol: false };
      case 'assignment_expression':
        return { kind, name: fieldText(parent, 'left') ?? ANONYMOUS, nameNode: null, symbol: false };
      default:
        return { kind, name: ANONYMOUS, nameNode: null, symbol: false };
    }
  };
}

const source = (node: Node): string[] => {
  const spec = node.childForFieldName('source');
  return spec?.type === 'string' ? [unquote(spec.text)] : [];
};

function requireOrDynamicImport(node: Node): string[] {
  const callee = node.childForFieldName('function');
  if (!callee || !(callee.type === 'import' || (callee.type === 'identifier' && callee.text === 'require')))
    return [];
  const first = node.childForFieldName('arguments')?.namedChildren[0];
  return first?.type === 'string' ? [unquote(first.text)] : [];
}

function moduleLevelVariables(node: Node): SymbolMatch[] {
  const parent = node.parent;
  const atTop =
    parent?.type === 'program' || (parent?.type === 'export_statement' && parent.parent?.type === 'program');
  if (!atTop) return [];
  const constant = node.type === 'lexical_declaration' && node.child(0)?.type === 'const';
  return node.namedChildren.flatMap((declarator): SymbolMatch[] => {
    if (declarator?.type !== 'variable_declarator') return [];
    const nameNode = declarator.childForFieldName('name');
    const value = declarator.childForFieldName('value');
    if (nameNode?.type !== 'identifier' || (value && FUNCTION_VALUES.has(value.type))) return [];
    return [{ kind: constant ? 'constant' : 'variable', name: nameNode.text, node: declarator, nameNode }];
  });
}

const symbolNamed =
  (kind: SymbolMatch['kind']) =>
  (node: Node): SymbolMatch[] => {
    const nameNode = node.childForFieldName('name');
    return nameNode ? [{ kind, name: unquote(nameNode.text), node, nameNode }] : [];
  };

export const ecmascriptRules: GrammarRules = {
  commentTypes: ['comment', 'html_comment'],
  units: {
    function_declaration: named('function'),
    generator_function_declaration: named('function'),
    function_expression: bound('function'),
    generator_function: bound('function'),
    arrow_function: bound('function'),
    method_definition: (node) => ({ ...named('method')(node), symbol: node.parent?.type === 'class_body' }),
    class_declaration: named('class'),
    abstract_class_declaration: named('class'),
    class: bound('class'),
    interface_declaration: named('interface'),
    enum_declaration: named('enum'),
  },
  decisions: {
    if_statement: 1,
    for_statement: 1,
    for_in_statement: 1,
    while_statement: 1,
    do_statement: 1,
    switch_case: 1,
    catch_clause: 1,
    ternary_expression: 1,
    binary_expression: operatorIn('&&', '||'),
  },
  imports: {
    import_statement: (node) => {
      const clause = node.namedChildren.find((child) => child?.type === 'import_require_clause');
      return clause ? source(clause) : source(node);
    },
    export_statement: source,
    call_expression: requireOrDynamicImport,
  },
  symbols: {
    lexical_declaration: moduleLevelVariables,
    variable_declaration: moduleLevelVariables,
    type_alias_declaration: symbolNamed('type'),
    internal_module: symbolNamed('module'),
    module: symbolNamed('module'),
    function_signature: symbolNamed('function'),
    method_signature: symbolNamed('method'),
    abstract_method_signature: symbolNamed('method'),
  },
};
