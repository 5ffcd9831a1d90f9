// Words of approvals: the inbox (src/views/ApprovalsView.vue; `approvals`), the decision dialog
// (components/ApprovalDecision.vue) and a record's approval in progress (components/
// RecordApproval.vue). Flow and step names come from the server.
// No "@" or "|" in these texts: vue-i18n reads them as links and plurals.
export default {
  'zh-CN': {
    approvals: {
      menu: '我的审批', title: '我的审批', pending: '待我审批', decided: '我已审批', none: '没有待审批的事项',
      noneDecided: '还没有审批过', flow: '审批', record: '记录', submitter: '提交人', since: '提交时间',
      decision: '结果', decidedAt: '审批时间', actions: '操作', approve: '批准', reject: '驳回',
      approved: '已批准', rejected: '已驳回', withdrawn: '已撤回', inProgress: '审批中',
      comment: '审批意见', commentRequired: '驳回时请写明原因', commentOptional: '审批意见（可不填）',
      approveOf: '批准：{what}', rejectOf: '驳回：{what}', done: '已提交审批结果',
      waiting: '等待 {who} 审批', step: '当前步骤：{step}', withdraw: '撤回申请', withdrawConfirm: '撤回这次申请？',
      withdrawnDone: '已撤回申请', submittedBy: '{who} 提交于 {when}', mine: '您需要审批这一步', waitingCount: '{n} 项待审批',
    },
  },
  en: {
    approvals: {
      menu: 'My approvals', title: 'My approvals', pending: 'Waiting for me', decided: 'Decided by me', none: 'Nothing waits for your approval',
      noneDecided: 'You have not decided any yet', flow: 'Approval', record: 'Record', submitter: 'Submitted by', since: 'Submitted',
      decision: 'Decision', decidedAt: 'Decided', actions: 'Actions', approve: 'Approve', reject: 'Reject',
      approved: 'Approved', rejected: 'Rejected', withdrawn: 'Withdrawn', inProgress: 'Awaiting approval',
      comment: 'Comment', commentRequired: 'Say why it is rejected', commentOptional: 'Comment (optional)',
      approveOf: 'Approve: {what}', rejectOf: 'Reject: {what}', done: 'Decision recorded',
      waiting: 'Waiting for {who}', step: 'Step: {step}', withdraw: 'Withdraw the request', withdrawConfirm: 'Withdraw this request?',
      withdrawnDone: 'Request withdrawn', submittedBy: 'Submitted by {who} on {when}', mine: 'This step waits for you', waitingCount: '{n} waiting',
    },
  },
};
