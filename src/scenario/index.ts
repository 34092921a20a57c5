/** Scenarios: the runnable example format, running one on its own, and stepping through one message at a time. */
export { defineScenario, isScenario, scenarioProblem } from './define.js';
export type { Scenario, ScenarioHost, ScenarioContext } from './define.js';
export { runScenario, isMainModule } from './run.js';
export { createStepper } from './stepper.js';
export type { ScenarioStep, Stepper, StepperOptions, StepperWait } from './stepper.js';
export { StepClock } from './step-clock.js';
export type { Delivery } from './tracer.js';
export { describeMessage } from './messages.js';
export type { MessageLike } from './messages.js';
