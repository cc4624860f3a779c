// The object model of a parsed Sigma rule file: detection rules, correlation rules, their selections
// and conditions. Every node keeps where it came from so later stages can point at the mistake.

import type { Severity } from '../types.js';

export interface Pos {
  line: number;
  column: number;
}

/** A piece of a Sigma string value: literal text, `*` (any run) or `?` (one character). */
export type StrPart = { t: 'lit'; s: string } | { t: 'any' } | { t: 'one' };

export type CompareOp = 'gt' | 'gte' | 'lt' | 'lte';

/** What one field line asks for, after its modifiers are applied. */
export type Matcher =
  /** Equality with wildcards (contains / startswith / endswith become wildcards). */
  | { kind: 'str'; parts: StrPart[] }
  | { kind: 'num'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'null' }
  | { kind: 're'; pattern: string; flags: string }
  | { kind: 'cidr'; network: string; prefix: number; v6: boolean }
  | { kind: 'exists'; value: boolean }
  | { kind: 'fieldref'; field: string; pos: Pos }
  | { kind: 'cmp'; op: CompareOp; value: number }
  /** auditwatch extension: the field names the same person as the referenced field (identities). */
  | { kind: 'sameperson'; field: string; pos: Pos }
  /** auditwatch extension: every e-mail address in the field has the referenced field's domain. */
  | { kind: 'samedomain'; field: string; pos: Pos };

export interface FieldMatch {
  /** The field as written (raw record name or taxonomy name); null for a keyword search. */
  field: string | null;
  modifiers: string[];
  matchers: Matcher[];
  /** `all`: every value must match (AND) instead of any (OR). */
  all: boolean;
  /** `cased`: compare strings case-sensitively (Sigma strings are case-insensitive by default). */
  cased: boolean;
  pos: Pos;
}

/** A selection: a map (AND of its fields) or a list of maps (OR); keywords are FieldMatch with field null. */
export type Selection = { kind: 'and'; items: FieldMatch[] } | { kind: 'or'; items: Selection[] };

export type ConditionNode =
  | { t: 'and'; items: ConditionNode[] }
  | { t: 'or'; items: ConditionNode[] }
  | { t: 'not'; item: ConditionNode }
  | { t: 'ref'; name: string; pos: Pos }
  /** `1 of selection_*`, `all of them`. */
  | { t: 'of'; quantifier: 'one' | 'all'; pattern: string; pos: Pos };

export interface RuleMeta {
  file: string;
  /** The rule's id (UUID in the built-in pack); for a rule without id, its name, else file#index. */
  id: string;
  name: string | null;
  title: string;
  status: string | null;
  description: string | null;
  level: Severity;
  tags: string[];
  falsepositives: string[];
  pos: Pos;
}

export interface LogSource {
  product: string | null;
  service: string | null;
  category: string | null;
  pos: Pos;
}

export interface DetectionRule extends RuleMeta {
  kind: 'rule';
  logsource: LogSource;
  selections: Map<string, { selection: Selection; pos: Pos }>;
  condition: ConditionNode;
  conditionPos: Pos;
}

export type CorrelationType = 'event_count' | 'value_count' | 'temporal' | 'temporal_ordered' | 'first_seen';

/**
 * auditwatch extension (`type: first_seen`, "new terms"): a value of `fields` (or their combination) not
 * seen for the group-by entity within `history`, after a `learning` period. See rules/README.md.
 */
export interface FirstSeenSpec {
  /** The fields whose value (or combination of values) is new for the entity. */
  fields: string[];
  /** How long a value stays known after it was last seen (ms). */
  historyMs: number;
  /** From the tenant's earliest data, how long values are learned without alerting (ms). */
  learningMs: number;
  /** `each`: every field's value must be new on its own; `combination` (default): the tuple is new. */
  novelty: 'combination' | 'each';
  /** `learn`: the first values of an entity never seen before are learned, not alerted; `alert` (default). */
  newEntity: 'alert' | 'learn';
}

export interface CorrelationCondition {
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
  eq?: number;
  /** value_count: the field whose distinct values are counted. */
  field?: string;
}

export interface CorrelationRule extends RuleMeta {
  kind: 'correlation';
  type: CorrelationType;
  /** Ids or names of the referenced detection rules. */
  rules: string[];
  groupBy: string[];
  timespanMs: number;
  condition: CorrelationCondition;
  /** Whether the referenced rules also raise hits of their own. */
  generate: boolean;
  /** type first_seen: what is new, over which history, after which learning period. */
  firstSeen?: FirstSeenSpec;
  /** Where each part was written, for errors found after parsing (mapping, references). */
  at: { rules: Pos; groupBy: Pos; timespan: Pos; condition: Pos };
}

export type AnyRule = DetectionRule | CorrelationRule;
