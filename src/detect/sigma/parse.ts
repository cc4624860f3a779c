// Parses a Sigma rule file (one or several YAML documents) into the object model of ast.ts, keeping
// line and column of every part. Collects every mistake as an AppError with file, line and column
// instead of stopping at the first.

import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Node, type Pair, type YAMLMap } from 'yaml';
import { AppError, parseDuration } from '../../core/index.js';
import { SEVERITIES, type Severity } from '../types.js';
import type {
  AnyRule,
  ConditionNode,
  CorrelationCondition,
  CorrelationRule,
  CorrelationType,
  DetectionRule,
  FieldMatch,
  LogSource,
  Pos,
  RuleMeta,
  Selection,
} from './ast.js';
import { ConditionSyntaxError, nameMatches, parseCondition } from './condition.js';
import { applyModifiers, type YamlScalar } from './values.js';

export interface ParseResult {
  rules: AnyRule[];
  errors: AppError[];
  /** The id (or name) a refused rule document declares, so `detect.disabled` can silence its errors. */
  refusedIds?: Map<AppError, string>;
}

const CORRELATION_TYPES: CorrelationType[] = ['event_count', 'value_count', 'temporal', 'temporal_ordered', 'first_seen'];
const CONDITION_OPS = ['gt', 'gte', 'lt', 'lte', 'eq'] as const;

/** An error at a position of a rule file; the message starts with the YAML path of the part at fault. */
export function ruleError(file: string, pos: Pos, path: string, problem: string): AppError {
  return new AppError('rule_invalid', `${path ? `${path}: ` : ''}${problem}`, { location: { file, line: pos.line, column: pos.column } });
}

export function parseRuleText(text: string, file: string): ParseResult {
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const out: ParseResult = { rules: [], errors: [] };
  const posAt = (offset: number): Pos => {
    const p = lc.linePos(Math.max(0, Math.min(offset, text.length)));
    return { line: p.line, column: p.col };
  };
  const nodePos = (node: Node | null | undefined, fallback: Pos = { line: 1, column: 1 }): Pos =>
    node?.range ? posAt(node.range[0]) : fallback;
  const docList = Array.isArray(docs) ? docs : [docs];
  docList.forEach((doc, index) => {
    for (const e of doc.errors) {
      out.errors.push(ruleError(file, posAt(e.pos[0]), '', `YAML syntax error: ${e.message.split('\n')[0]}`));
    }
    if (doc.errors.length) return;
    if (doc.contents === null) return;
    const before = out.errors.length;
    const ctx = new DocContext(file, index, posAt, nodePos, out.errors);
    const rule = ctx.parseDocument(doc.contents as Node);
    if (rule) out.rules.push(rule);
    const root = doc.contents as Node;
    if (out.errors.length > before && isMap(root)) {
      const idNode = root.get('id', true) ?? root.get('name', true);
      if (isScalar(idNode) && typeof idNode.value === 'string') {
        out.refusedIds ??= new Map();
        for (const e of out.errors.slice(before)) out.refusedIds.set(e, idNode.value);
      }
    }
  });
  return out;
}

class DocContext {
  constructor(
    readonly file: string,
    readonly index: number,
    readonly posAt: (offset: number) => Pos,
    readonly nodePos: (node: Node | null | undefined, fallback?: Pos) => Pos,
    readonly errors: AppError[],
  ) {}

  private fail(node: Node | null | undefined, path: string, problem: string, fallback?: Pos): void {
    this.errors.push(ruleError(this.file, this.nodePos(node, fallback), path, problem));
  }

  private pair(map: YAMLMap, key: string): Pair<Node, Node> | undefined {
    return map.items.find((p) => isScalar(p.key) && String(p.key.value) === key) as Pair<Node, Node> | undefined;
  }

  private str(map: YAMLMap, key: string, required: boolean, mapPos: Pos): string | null {
    const p = this.pair(map, key);
    if (!p) {
      if (required) this.fail(null, key, `missing required key "${key}"`, mapPos);
      return null;
    }
    if (!isScalar(p.value) || p.value.value === null || typeof p.value.value === 'object') {
      this.fail(p.value ?? p.key, key, 'must be a text value');
      return null;
    }
    return String(p.value.value);
  }

  private strList(map: YAMLMap, key: string): string[] {
    const p = this.pair(map, key);
    if (!p || p.value === null || (isScalar(p.value) && p.value.value === null)) return [];
    if (isScalar(p.value)) return [String(p.value.value)];
    if (!isSeq(p.value) || !p.value.items.every((i) => isScalar(i))) {
      this.fail(p.value, key, 'must be a list of text values');
      return [];
    }
    return p.value.items.map((i) => String((i as { value: unknown }).value));
  }

  parseDocument(root: Node): AnyRule | null {
    if (!isMap(root)) {
      this.fail(root, '', 'a rule must be a YAML map with title, logsource and detection (or correlation)');
      return null;
    }
    const pos = this.nodePos(root);
    const title = this.str(root, 'title', true, pos);
    if (title !== null && title.length > 256) this.fail(this.pair(root, 'title')?.value, 'title', 'must be at most 256 characters');
    const idText = this.str(root, 'id', false, pos);
    const name = this.str(root, 'name', false, pos);
    const levelText = this.str(root, 'level', false, pos);
    let level: Severity = 'medium';
    if (levelText !== null) {
      if ((SEVERITIES as readonly string[]).includes(levelText)) level = levelText as Severity;
      else this.fail(this.pair(root, 'level')?.value, 'level', `must be one of ${SEVERITIES.join(', ')}`);
    }
    const meta: RuleMeta = {
      file: this.file,
      id: idText ?? name ?? `${this.file}#${this.index + 1}`,
      name,
      title: title ?? '',
      status: this.str(root, 'status', false, pos),
      description: this.str(root, 'description', false, pos),
      level,
      tags: this.strList(root, 'tags'),
      falsepositives: this.strList(root, 'falsepositives'),
      pos,
    };
    const correlation = this.pair(root, 'correlation');
    if (correlation) return this.parseCorrelation(meta, correlation);
    return this.parseDetectionRule(meta, root);
  }

  private parseDetectionRule(meta: RuleMeta, root: YAMLMap): DetectionRule | null {
    const before = this.errors.length;
    const lsPair = this.pair(root, 'logsource');
    let logsource: LogSource = { product: null, service: null, category: null, pos: meta.pos };
    if (!lsPair) this.fail(null, 'logsource', 'missing required key "logsource"', meta.pos);
    else if (!isMap(lsPair.value)) this.fail(lsPair.value ?? lsPair.key, 'logsource', 'must be a map (product, service, category)');
    else {
      const lp = this.nodePos(lsPair.value);
      logsource = {
        product: this.str(lsPair.value, 'product', false, lp),
        service: this.str(lsPair.value, 'service', false, lp),
        category: this.str(lsPair.value, 'category', false, lp),
        pos: lp,
      };
    }
    const detPair = this.pair(root, 'detection');
    if (!detPair) {
      this.fail(null, 'detection', 'missing required key "detection" (or "correlation")', meta.pos);
      return null;
    }
    if (!isMap(detPair.value)) {
      this.fail(detPair.value ?? detPair.key, 'detection', 'must be a map of selections and a condition');
      return null;
    }
    const selections = new Map<string, { selection: Selection; pos: Pos }>();
    let conditionNode: Node | null = null;
    const names = new Set<string>();
    for (const p of detPair.value.items as Pair<Node, Node>[]) {
      const key = isScalar(p.key) ? String(p.key.value) : '';
      if (key === 'condition') {
        conditionNode = p.value;
        continue;
      }
      if (key === 'timeframe') {
        this.fail(p.key, 'detection.timeframe', 'timeframe is not supported; express thresholds with a correlation rule (timespan)');
        continue;
      }
      names.add(key);
      const sel = this.parseSelection(p.value, `detection.${key}`);
      if (sel) selections.set(key, { selection: sel, pos: this.nodePos(p.key) });
    }
    if (!conditionNode) {
      this.fail(detPair.key, 'detection.condition', 'missing required key "condition"');
      return null;
    }
    const parsed = this.parseConditions(conditionNode, names);
    if (!parsed || this.errors.length > before) return null;
    return { ...meta, kind: 'rule', logsource, selections, condition: parsed.node, conditionPos: parsed.pos };
  }

  private parseConditions(node: Node, selections: Set<string>): { node: ConditionNode; pos: Pos } | null {
    const texts: { text: string; node: Node }[] = [];
    if (isScalar(node) && typeof node.value === 'string') texts.push({ text: node.value, node });
    else if (isSeq(node) && node.items.every((i) => isScalar(i) && typeof i.value === 'string')) {
      for (const i of node.items) texts.push({ text: String((i as { value: unknown }).value), node: i as Node });
    } else {
      this.fail(node, 'detection.condition', 'must be a condition text (or a list of them)');
      return null;
    }
    const nodes: ConditionNode[] = [];
    for (const { text, node: n } of texts) {
      const quoted = isScalar(n) && (n.type === 'QUOTE_DOUBLE' || n.type === 'QUOTE_SINGLE') ? 1 : 0;
      const base = (n.range?.[0] ?? 0) + quoted;
      const at = (offset: number) => this.posAt(base + offset);
      try {
        const { node: cond, refs } = parseCondition(text);
        let ok = true;
        for (const r of refs) {
          const names = [...selections.keys()];
          const found = r.name.includes('*') || r.name === 'them' ? names.some((s) => nameMatches(r.name, s)) : selections.has(r.name);
          if (!found) {
            ok = false;
            const known = names.length ? `; selections are ${names.join(', ')}` : '';
            this.errors.push(ruleError(this.file, at(r.offset), 'detection.condition', `unknown selection "${r.name}"${known}`));
          }
        }
        if (ok) nodes.push(fixPositions(cond, at));
      } catch (err) {
        if (!(err instanceof ConditionSyntaxError)) throw err;
        this.errors.push(ruleError(this.file, at(err.offset), 'detection.condition', `syntax error: ${err.message}`));
      }
    }
    if (nodes.length !== texts.length) return null;
    return { node: nodes.length === 1 ? nodes[0]! : { t: 'or', items: nodes }, pos: this.nodePos(node) };
  }

  private parseSelection(node: Node | null, path: string): Selection | null {
    if (isMap(node)) return this.parseSelectionMap(node, path);
    if (isSeq(node)) {
      if (node.items.length === 0) {
        this.fail(node, path, 'an empty selection matches nothing');
        return null;
      }
      if (node.items.every((i) => isScalar(i))) {
        // A list of plain values: keywords searched anywhere in the record.
        const res = applyModifiers([], node.items.map((i) => (i as { value: YamlScalar }).value), this.nodePos(node));
        if (res.error) {
          this.fail(node, path, res.error);
          return null;
        }
        return { kind: 'and', items: [{ field: null, modifiers: [], matchers: res.matchers, all: false, cased: false, pos: this.nodePos(node) }] };
      }
      const items: Selection[] = [];
      node.items.forEach((item, i) => {
        if (!isMap(item)) this.fail(item as Node, `${path}[${i}]`, 'a list selection must hold maps of field: value');
        else {
          const s = this.parseSelectionMap(item, `${path}[${i}]`);
          if (s) items.push(s);
        }
      });
      return items.length === node.items.length ? { kind: 'or', items } : null;
    }
    if (isScalar(node) && node.value !== null && typeof node.value !== 'object') {
      // One keyword written without a list.
      const res = applyModifiers([], [node.value as YamlScalar], this.nodePos(node));
      if (!res.error) return { kind: 'and', items: [{ field: null, modifiers: [], matchers: res.matchers, all: false, cased: false, pos: this.nodePos(node) }] };
    }
    this.fail(node, path, 'a selection must be a map of field: value, a list of such maps, or a list of keywords');
    return null;
  }

  private parseSelectionMap(map: YAMLMap, path: string): Selection | null {
    const items: FieldMatch[] = [];
    let ok = true;
    if (map.items.length === 0) {
      this.fail(map, path, 'an empty selection matches nothing');
      return null;
    }
    for (const p of map.items as Pair<Node, Node>[]) {
      const keyText = isScalar(p.key) ? String(p.key.value) : '';
      const [field = '', ...modifiers] = keyText.split('|');
      const pos = this.nodePos(p.key);
      const fieldPath = `${path}.${keyText}`;
      if (field === '' && modifiers.length === 0) {
        this.fail(p.key, fieldPath, 'a field name is missing before the modifiers');
        ok = false;
        continue;
      }
      let values: YamlScalar[];
      if (isSeq(p.value)) {
        if (!p.value.items.every((i) => isScalar(i))) {
          this.fail(p.value, fieldPath, 'values must be plain scalars (text, number, boolean, null)');
          ok = false;
          continue;
        }
        values = p.value.items.map((i) => (i as { value: YamlScalar }).value);
      } else if (p.value === null || isScalar(p.value)) {
        values = [p.value === null ? null : (p.value.value as YamlScalar)];
      } else {
        this.fail(p.value, fieldPath, 'a value must be a scalar or a list of scalars (nested maps are addressed by dotted field names)');
        ok = false;
        continue;
      }
      const res = applyModifiers(modifiers, values, pos);
      if (res.error) {
        this.fail(p.key, fieldPath, res.error);
        ok = false;
        continue;
      }
      // `'|all': [a, b]`: keywords with modifiers (Sigma), every one of them somewhere in the record.
      items.push({ field: field === '' ? null : field, modifiers, matchers: res.matchers, all: res.all, cased: res.cased, pos });
    }
    return ok ? { kind: 'and', items } : null;
  }

  private parseCorrelation(meta: RuleMeta, pair: Pair<Node, Node>): CorrelationRule | null {
    const before = this.errors.length;
    const node = pair.value;
    if (!isMap(node)) {
      this.fail(node ?? pair.key, 'correlation', 'must be a map with type, rules, group-by, timespan and condition');
      return null;
    }
    const cpos = this.nodePos(node);
    const type = this.str(node, 'type', true, cpos);
    if (type !== null && !(CORRELATION_TYPES as string[]).includes(type)) {
      this.fail(this.pair(node, 'type')?.value, 'correlation.type', `must be one of ${CORRELATION_TYPES.join(', ')}`);
    }
    const rulesPair = this.pair(node, 'rules');
    if (!rulesPair) this.fail(null, 'correlation.rules', 'missing required key "rules"', cpos);
    const rules = this.strList(node, 'rules');
    if (rulesPair && rules.length === 0) this.fail(rulesPair.value ?? rulesPair.key, 'correlation.rules', 'must name at least one rule by id or name');
    const groupBy = this.strList(node, 'group-by');
    if (type === 'first_seen') return this.parseFirstSeen(meta, node, rules, groupBy, before);
    const tsText = this.str(node, 'timespan', true, cpos);
    let timespanMs = 0;
    if (tsText !== null) {
      const m = /^(\d+)([smhd])$/.exec(tsText.trim());
      if (!m || Number(m[1]) <= 0) {
        this.fail(this.pair(node, 'timespan')?.value, 'correlation.timespan', `"${tsText.slice(0, 40)}" is not a timespan; write a number and s, m, h or d, like 5m`);
      } else timespanMs = parseDuration(tsText.trim());
    }
    const condition: CorrelationCondition = {};
    const condPair = this.pair(node, 'condition');
    if ((type === 'temporal' || type === 'temporal_ordered') && !condPair) condition.gte = rules.length;
    else if (!condPair) this.fail(null, 'correlation.condition', 'missing required key "condition" (e.g. gte: 10)', cpos);
    else if (!isMap(condPair.value)) this.fail(condPair.value ?? condPair.key, 'correlation.condition', 'must be a map like {gte: 10}');
    else {
      for (const p of condPair.value.items as Pair<Node, Node>[]) {
        const key = isScalar(p.key) ? String(p.key.value) : '';
        const v = isScalar(p.value) ? p.value.value : undefined;
        if (key === 'field') {
          if (typeof v !== 'string' || v === '') this.fail(p.value ?? p.key, 'correlation.condition.field', 'must be a field name');
          else condition.field = v;
        } else if ((CONDITION_OPS as readonly string[]).includes(key)) {
          if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) this.fail(p.value ?? p.key, `correlation.condition.${key}`, 'must be a whole number');
          else condition[key as (typeof CONDITION_OPS)[number]] = v;
        } else this.fail(p.key, `correlation.condition.${key}`, `unknown key; use ${CONDITION_OPS.join(', ')} (and field for value_count)`);
      }
      if (!CONDITION_OPS.some((k) => condition[k] !== undefined)) {
        this.fail(condPair.value, 'correlation.condition', `needs a comparison (${CONDITION_OPS.join(', ')})`);
      }
      if (type === 'value_count' && condition.field === undefined) this.fail(condPair.value, 'correlation.condition', 'value_count needs "field" (the field whose distinct values are counted)');
      if (type !== 'value_count' && condition.field !== undefined) this.fail(condPair.value, 'correlation.condition.field', `"field" applies to value_count only`);
      const all = CONDITION_OPS.filter((k) => condition[k] !== undefined);
      if (type === 'temporal_ordered' && !(all.length === 1 && condition.gte === rules.length)) {
        this.fail(condPair.value, 'correlation.condition', `temporal_ordered means every rule, in order; leave out the condition (or write gte: ${rules.length})`);
      }
    }
    const generatePair = this.pair(node, 'generate') ?? undefined;
    let generate = false;
    if (generatePair) {
      if (!isScalar(generatePair.value) || typeof generatePair.value.value !== 'boolean') this.fail(generatePair.value, 'correlation.generate', 'must be true or false');
      else generate = generatePair.value.value;
    }
    for (const p of node.items as Pair<Node, Node>[]) {
      const key = isScalar(p.key) ? String(p.key.value) : '';
      if (!['type', 'rules', 'group-by', 'timespan', 'condition', 'generate', 'aliases'].includes(key)) {
        this.fail(p.key, `correlation.${key}`, 'unknown key; use type, rules, group-by, timespan, condition, generate');
      } else if (key === 'aliases') this.fail(p.key, 'correlation.aliases', 'aliases are not supported; correlate rules on the same field names');
    }
    if (this.errors.length > before) return null;
    const at = (key: string) => this.nodePos(this.pair(node, key)?.value ?? this.pair(node, key)?.key, cpos);
    return {
      ...meta,
      kind: 'correlation',
      type: type as CorrelationType,
      rules,
      groupBy,
      timespanMs,
      condition,
      generate,
      at: { rules: at('rules'), groupBy: at('group-by'), timespan: at('timespan'), condition: at('condition') },
    };
  }

  /**
   * `type: first_seen` (auditwatch extension, "new terms"): rules, group-by (the entity; none: the
   * tenant), fields (the value or combination), history (default 30d), learning (default 7d), new
   * (combination or each), new-entity (alert or learn), generate.
   */
  private parseFirstSeen(meta: RuleMeta, node: YAMLMap, rules: string[], groupBy: string[], before: number): CorrelationRule | null {
    const cpos = this.nodePos(node);
    const fieldsPair = this.pair(node, 'fields');
    const fields = this.strList(node, 'fields');
    if (!fieldsPair) this.fail(null, 'correlation.fields', 'missing required key "fields" (the value that is new for the entity, e.g. [ClientIP.Country])', cpos);
    else if (fields.length === 0 || fields.length > 3) this.fail(fieldsPair.value ?? fieldsPair.key, 'correlation.fields', 'must name one to three fields');
    const duration = (key: string, fallback: number): number => {
      const text = this.str(node, key, false, cpos);
      if (text === null) return fallback;
      const ms = durationOf(text, key);
      if (typeof ms === 'string') {
        this.fail(this.pair(node, key)?.value, `correlation.${key}`, ms);
        return fallback;
      }
      return ms;
    };
    const historyMs = duration('history', 30 * 86_400_000);
    const learningMs = duration('learning', 7 * 86_400_000);
    const noveltyText = this.str(node, 'new', false, cpos);
    if (noveltyText !== null && noveltyText !== 'combination' && noveltyText !== 'each') {
      this.fail(this.pair(node, 'new')?.value, 'correlation.new', 'must be combination (the values together are new) or each (every field\'s value is new on its own)');
    }
    const entityText = this.str(node, 'new-entity', false, cpos);
    if (entityText !== null && entityText !== 'alert' && entityText !== 'learn') {
      this.fail(this.pair(node, 'new-entity')?.value, 'correlation.new-entity', 'must be alert (an entity never seen alerts on its first values) or learn (they are learned)');
    }
    const generatePair = this.pair(node, 'generate');
    let generate = false;
    if (generatePair) {
      if (!isScalar(generatePair.value) || typeof generatePair.value.value !== 'boolean') this.fail(generatePair.value, 'correlation.generate', 'must be true or false');
      else generate = generatePair.value.value;
    }
    const known = ['type', 'rules', 'group-by', 'fields', 'history', 'learning', 'new', 'new-entity', 'generate'];
    for (const p of node.items as Pair<Node, Node>[]) {
      const key = isScalar(p.key) ? String(p.key.value) : '';
      if (key === 'timespan' || key === 'condition') this.fail(p.key, `correlation.${key}`, `first_seen has no ${key}; it alerts on a value not seen for the entity within "history" (e.g. history: 30d)`);
      else if (!known.includes(key)) this.fail(p.key, `correlation.${key}`, `unknown key; use ${known.join(', ')}`);
    }
    if (this.errors.length > before) return null;
    const at = (key: string) => this.nodePos(this.pair(node, key)?.value ?? this.pair(node, key)?.key, cpos);
    return {
      ...meta,
      kind: 'correlation',
      type: 'first_seen',
      rules,
      groupBy,
      timespanMs: 0,
      condition: {},
      generate,
      firstSeen: { fields, historyMs, learningMs, novelty: noveltyText === 'each' ? 'each' : 'combination', newEntity: entityText === 'learn' ? 'learn' : 'alert' },
      at: { rules: at('rules'), groupBy: at('group-by'), timespan: at('fields'), condition: at('fields') },
    };
  }
}

/** A positive duration (30d, 12h, 90m) or an error message naming the fix. */
function durationOf(text: string, key: string): number | string {
  const m = /^(\d+)([smhd])$/.exec(text.trim());
  if (!m || Number(m[1]) <= 0) return `"${text.slice(0, 40)}" is not a duration; write a number and s, m, h or d, like 30d (${key})`;
  return parseDuration(text.trim());
}

function fixPositions(node: ConditionNode, at: (offset: number) => Pos): ConditionNode {
  switch (node.t) {
    case 'ref':
    case 'of':
      return { ...node, pos: at(node.pos.column) };
    case 'not':
      return { t: 'not', item: fixPositions(node.item, at) };
    default:
      return { t: node.t, items: node.items.map((i) => fixPositions(i, at)) };
  }
}
