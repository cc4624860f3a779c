// detect: Sigma rules and correlations compiled to SQL for the store's dialect, run over event time,
// with late records and identity resolution. sigma/ (parse) → mapping/ → compile/ → engine/.
export type { DetectionHit, HitSink, Entities, Severity } from './types.js';
export { SEVERITIES } from './types.js';
export type { AnyRule, DetectionRule, CorrelationRule, Pos } from './sigma/ast.js';
export { parseRuleText, type ParseResult } from './sigma/parse.js';
export { MODIFIERS } from './sigma/values.js';
export { mapField, serviceOf, resolveRawField, COLUMN_FIELDS, NAME_VALUE_FIELDS, M365_SERVICES, VALUE_MAPPINGS, type FieldRef } from './mapping/index.js';
export {
  compileRules,
  compilePredicate,
  compileMatches,
  compileMatchesMany,
  guardOf,
  guarded,
  operationGuard,
  ruleOperations,
  type KnownOperations,
  compileCorrelation,
  applyOverride,
  DETECT_DIALECTS,
  duckdbDetect,
  clickhouseDetect,
  type CompiledRule,
  type RuleOverride,
  type DetectDialect,
} from './compile/index.js';
export { createDetector, type Detector, type DetectorOptions, type RunOptions, type RuleFailure } from './engine/detector.js';
export { loadRules, builtinRulesDir, packageRoot, ruleFiles, parseRuleFiles, type LoadedRules } from './engine/load.js';
export { learnIdentities } from './engine/learn.js';
export { learnIdentityFacts, resolvePerson, identityValue } from './engine/identities.js';
export { readRuleTests, runRuleTests, testFileFor, testFilesOf, type RuleTestFile, type RuleTestCase, type RuleTestResult } from './engine/ruletest.js';
export { createDetectionScheduler, learnIdentitiesFromStore, IDENTITY_WATERMARK, type DetectionScheduler } from './engine/schedule.js';
export { evaluate, score, describeMissing, emulatorBase, type EvaluateOptions, type EvalReport, type ScenarioScore, type FalsePositive } from './eval/index.js';
