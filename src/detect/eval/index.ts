// eval: recall and precision of a rule pack against the emulator's ground truth (auditwatch eval).
export { evaluate, score, describeMissing, type EvaluateOptions, type EvalReport, type ScenarioScore, type FalsePositive } from './evaluate.js';
export { emulatorBase, fetchGroundTruth, type GroundTruth, type TruthScenario } from './truth.js';
export { collectFromEmulator, enrichStored } from './collect.js';
