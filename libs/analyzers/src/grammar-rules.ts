import type { CodeUnit, SymbolDef } from '@contextforge/contracts';
import type { Node } from '@vscode/tree-sitter-wasm';

/**
 * What a grammar's node types mean to the analyzers. The extractor visits every node once and
 * looks its type up in these tables; a handler only runs (and a Node object is only created) for
 * the types listed.
 */
export interface GrammarRules {
  /** Node types that are comments. */
  commentTypes: readonly string[];
  /** Other nodes counted as comments (Python's triple-quoted strings, as cloc counts them). */
  commentLike?: { type: string; test: (text: string) => boolean };
  /** Function-like and type-like declarations: the unit, or undefined when the node is not one. */
  units: Record<string, (node: Node) => UnitMatch | undefined>;
  /** Decision points a node adds to the innermost enclosing function: a count or a function of the node. */
  decisions: Record<string, number | ((node: Node) => number)>;
  /** Module specifiers a node imports. */
  imports: Record<string, (node: Node) => string[]>;
  /** Symbols that are not units (type aliases, constants, variables, modules, bodiless signatures). */
  symbols: Record<string, (node: Node) => SymbolMatch[]>;
}

export interface UnitMatch {
  kind: CodeUnit['kind'];
  name: string;
  /** The node holding the name: the symbol's signature is its line. */
  nameNode: Node | null;
  /** Whether the unit is also a symbol (false for anonymous functions and callbacks). */
  symbol: boolean;
}

export interface SymbolMatch {
  kind: SymbolDef['kind'];
  name: string;
  node: Node;
  nameNode: Node | null;
}

export const ANONYMOUS = '<anonymous>';

/** The text of a field's node, or undefined. */
export const fieldText = (node: Node, field: string): string | undefined =>
  node.childForFieldName(field)?.text ?? undefined;

/** A unit named by its `name` field. */
export const named =
  (kind: CodeUnit['kind'], field = 'name') =>
  (node: Node): UnitMatch => {
    const nameNode = node.childForFieldName(field);
    return { kind, name: nameNode?.text ?? ANONYMOUS, nameNode, symbol: nameNode !== null };
  };

/** One decision point when the node's `operator` field is one of `operators`. */
export const operatorIn =
  (...operators: string[]) =>
  (node: Node): number =>
    operators.includes(node.childForFieldName('operator')?.type ?? '') ? 1 : 0;

/** A string literal's content without its quotes. */
export const unquote = (text: string): string => text.replace(/^[`'"]|[`'"]$/g, '');
