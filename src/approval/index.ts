/** Approvals: who may approve, where requests go, and how agents decide them. */
export { chooseApprover, checkAuthority, assertAuthority, type ApproverChoice } from './authority.js';
export { approveWhen, type ApproverPolicy, type ApproverDecision, type ApproverContext } from './approvers.js';
