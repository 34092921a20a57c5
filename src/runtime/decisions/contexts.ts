/**
 * What a strategy, a decomposer and an approver are handed while they decide: the agent, the
 * hierarchy, a signal made only when read and the task's cost meter. Made at every hop, so
 * made cheaply: see `LazySignal` for why these are not object literals with a getter.
 */
import type { ApproverContext } from '../../approval/approvers.js';
import type { DecompositionChild, DecompositionContext } from '../../delegation/decomposition.js';
import type { DelegationContext } from '../../delegation/types.js';
import type { Hierarchy } from '../../hierarchy/hierarchy.js';
import type { AgentNode } from '../../hierarchy/types.js';
import { LazySignal } from '../../lazy-signal.js';
import type { DecisionControl } from '../../../machines/ports.js';

/** What every decision's context has besides who decides: the hierarchy, the signal and the task's cost meter. */
abstract class DecisionContext extends LazySignal {
  declare hierarchy: Hierarchy;
  declare readonly signal: AbortSignal;
  declare reportCost: (amount: number) => void;

  protected constructor(control: Pick<DecisionControl, 'signal'>) {
    super(() => control.signal);
  }

  /** The signal and the cost meter, after the fields the context starts with. */
  protected meter(reportCost: (amount: number) => void): void {
    this.defineSignal();
    this.reportCost = reportCost;
  }
}

/** A strategy's context, at every hop. */
export class StrategyContext extends DecisionContext implements DelegationContext {
  declare readonly agent: AgentNode;

  constructor(agent: AgentNode, hierarchy: Hierarchy, control: Pick<DecisionControl, 'signal'>, reportCost: (amount: number) => void) {
    super(control);
    this.agent = agent;
    this.hierarchy = hierarchy;
    this.meter(reportCost);
  }
}

/** A decomposer's context: the strategy's, with the children it may split the task among. */
export class SplitContext extends DecisionContext implements DecompositionContext {
  declare readonly agent: AgentNode;
  declare readonly children: readonly DecompositionChild[];

  constructor(agent: AgentNode, hierarchy: Hierarchy, children: readonly DecompositionChild[], control: Pick<DecisionControl, 'signal'>, reportCost: (amount: number) => void) {
    super(control);
    this.agent = agent;
    this.hierarchy = hierarchy;
    this.children = children;
    this.meter(reportCost);
  }
}

/** An approver's context. */
export class ApprovalContext extends DecisionContext implements ApproverContext {
  declare readonly approver: AgentNode;

  constructor(approver: AgentNode, hierarchy: Hierarchy, control: Pick<DecisionControl, 'signal'>, reportCost: (amount: number) => void) {
    super(control);
    this.approver = approver;
    this.hierarchy = hierarchy;
    this.meter(reportCost);
  }
}
