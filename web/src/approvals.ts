// Approvals as the server keeps them (docs/internals/PROCESSES.md "Approval flows"): the
// caller's tasks (GET /api/v1/approval-tasks), a record's approvals (GET …/{id}/approvals), a
// decision and a withdrawal. Names come from the server in the user's language.
import { api } from './api';

export interface ApprovalTask {
  id: number;
  approval_id: number;
  entity: string;
  record_id: number;
  flow: string;
  label: string | null;
  step_key: string;
  step_label: string | null;
  title: string;
  decision: 'approved' | 'rejected' | null;
  comment: string | null;
  submitter_name: string | null;
  created_at: string;
  decided_at: string | null;
}

export interface ApprovalStepTask {
  id: number;
  step: number;
  step_key: string;
  step_label: string | null;
  approver_id: number;
  approver_name: string | null;
  decision: string | null;
  comment: string | null;
  decided_at: string | null;
  acting_for: number | null;
}

export interface Approval {
  id: number;
  flow: string;
  label: string | null;
  state: 'pending' | 'approved' | 'rejected' | 'withdrawn';
  step: number;
  submitter_id: number;
  submitter_name: string | null;
  created_at: string;
  tasks: ApprovalStepTask[];
}

export const loadTasks = (state: 'pending' | 'decided') =>
  api<{ data: ApprovalTask[] }>('GET', `/api/v1/approval-tasks?state=${state}`).then((r) => r.data);
export const loadRecordApprovals = (entity: string, id: string | number) =>
  api<{ data: Approval[] }>('GET', `/api/v1/${entity}/${id}/approvals`).then((r) => r.data);
export const decide = (task: number, verdict: 'approve' | 'reject', comment: string) =>
  api('POST', `/api/v1/approval-tasks/${task}/${verdict}`, comment ? { comment } : {});
export const withdraw = (approval: number, comment: string) =>
  api('POST', `/api/v1/approvals/${approval}/withdraw`, comment ? { comment } : {});
