// Words of the customer's 360° view and the shared pool (公海): the summary cards above a
// customer's tabs (src/components/CustomerSummary.vue), its timeline and ownership moves
// (CustomerTimeline.vue, CustomerMoves.vue), the actions on its page (CustomerActions.vue: log a
// follow-up, release, hand over, claim), the pool's list (src/views/PoolView.vue) and the
// administrators' pool rules (src/views/admin/PoolRulesView.vue: admin.pool, admin.poolRules).
// No "@" or "|" in these texts: vue-i18n reads them as links and plurals.
export default {
  'zh-CN': {
    c360: {
      summary: '客户概况',
      owner: '负责人', inPool: '公海', inPoolSince: '{time} 进入公海', noOwner: '无负责人',
      stage: '生命周期阶段', level: '客户级别', none: '未设置',
      lastFollowup: '最后跟进', never: '尚无跟进', today: '今天', daysAgo: '{n} 天前',
      dueIn: '{n} 天后退回公海', dueNow: '即将退回公海', dueOn: '{time} 退回公海',
      openTasks: '未完成任务', openOpportunities: '进行中的机会', weighted: '加权', won: '已赢单金额', wonDeals: '共 {n} 单', followups90: '近 90 天跟进', related: '相关记录', relatedOf: '查看{what}（{n}）',
      timeline: '时间线', moves: '归属变更',
      noTimeline: '暂无跟进、任务或归属变更', contact: '联系人：{name}', system: '系统', openRecord: '打开 {what}', notOpenable: '这条记录属于他人，未共享给你，无法打开',
      source: { activities: '跟进', tasks: '任务', moves: '归属' },
      move: {
        warned: '回收预警', returned: '自动退回公海', released: '放弃到公海', claimed: '从公海领取', assigned: '分配', handover: '移交',
      },
      moveAction: '变更', moveFrom: '原负责人', moveTo: '新负责人', moveBy: '操作人', moveReason: '原因', moveAt: '时间',
      allMoves: '全部变更', noMoves: '暂无归属变更', filterMoves: '按变更类型筛选',
      logFollowup: '写跟进', release: '放弃到公海', handover: '移交', claim: '领取',
      releaseTitle: '放弃“{name}”到公海', releaseLead: '放弃后客户进入公海，其他人可以领取；您在一段时间内不能再领回。',
      reason: '原因', reasonRequired: '请填写放弃的原因', released: '已放弃到公海',
      handoverTitle: '移交“{name}”', handoverTo: '移交给', handoverReason: '移交原因（可选）',
      withOpenWork: '连同未完成工作（联系人、待办任务）一起移交', handoverToRequired: '请选择接收人',
      handedOver: '已移交给 {name}', nothingMoved: '没有其他记录随之转移。', movedWith: '随之转移：{list}', movedItem: '{what} {n} 条',
      claimed: '已领取“{name}”', claimedMoved: '已领取“{name}”，随之转移：{list}', claimOf: '领取 {name}',
      done: '完成',
    },
    pool: {
      menu: '公海客户', title: '公海客户', lead: '没有负责人的客户在公海中，任何人都可以领取。',
    },
    admin: {
      pool: '公海规则',
      poolRules: {
        how: '公海如何运作',
        howText: '客户的负责人在规定天数内没有跟进（没有已发生的跟进记录）时，系统先提醒负责人，到期后把客户退回公海。计时从最后一次跟进、负责人接手或客户创建中最晚的时间开始。公海中的客户任何人都可以领取；负责人也可以主动放弃客户到公海。',
        enabled: '启用自动退回', enabledHint: '关闭后不再提醒也不再退回，放弃与领取照常。',
        days: '未跟进天数', default_days: '默认天数', default_daysHint: '未设置级别的客户按此天数退回；0 表示永不退回。',
        levels: '按客户级别', levelsHint: '各级别客户未跟进多少天后退回公海；0 表示该级别永不退回。',
        others: '提醒与领取',
        warn_days: '提前提醒天数', warn_daysHint: '退回公海前多少天通知负责人。',
        claim_cap: '领取上限', claim_capHint: '每人最多负责的客户数，达到后不能再从公海领取；0 表示不限。',
        reclaim_days: '禁止领回天数', reclaim_daysHint: '放弃或被退回的客户，原负责人在多少天内不能再领回。',
        unit: '天', unitCustomers: '个',
      },
    },
  },
  en: {
    c360: {
      summary: 'Customer overview',
      owner: 'Owner', inPool: 'Pool', inPoolSince: 'In the pool since {time}', noOwner: 'No owner',
      stage: 'Lifecycle stage', level: 'Level', none: 'Not set',
      lastFollowup: 'Last follow-up', never: 'No follow-up yet', today: 'today', daysAgo: '{n} day ago | {n} days ago',
      dueIn: 'Back to the pool in {n} day | Back to the pool in {n} days', dueNow: 'Going back to the pool now', dueOn: 'Back to the pool on {time}',
      openTasks: 'Open tasks', openOpportunities: 'Open opportunities', weighted: 'weighted', won: 'Won', wonDeals: '{n} deal | {n} deals', followups90: 'Follow-ups in 90 days', related: 'Related records', relatedOf: 'See {what} ({n})',
      timeline: 'Timeline', moves: 'Ownership moves',
      noTimeline: 'No follow-ups, tasks or ownership moves yet', contact: 'Contact: {name}', system: 'System', openRecord: 'Open {what}', notOpenable: 'This record is someone else\'s and not shared with you',
      source: { activities: 'Follow-up', tasks: 'Task', moves: 'Ownership' },
      move: {
        warned: 'Pool warning', returned: 'Returned to the pool', released: 'Released to the pool', claimed: 'Claimed from the pool', assigned: 'Assigned', handover: 'Handed over',
      },
      moveAction: 'Move', moveFrom: 'From', moveTo: 'To', moveBy: 'By', moveReason: 'Reason', moveAt: 'When',
      allMoves: 'All moves', noMoves: 'No ownership moves yet', filterMoves: 'Filter by kind of move',
      logFollowup: 'Log a follow-up', release: 'Release to pool', handover: 'Hand over', claim: 'Claim',
      releaseTitle: 'Release “{name}” to the pool', releaseLead: 'Released, the customer goes to the shared pool where anyone may claim it; you cannot claim it back for a while.',
      reason: 'Reason', reasonRequired: 'Please say why you release it', released: 'Released to the pool',
      handoverTitle: 'Hand over “{name}”', handoverTo: 'Hand over to', handoverReason: 'Reason (optional)',
      withOpenWork: 'With the open work (contacts, open tasks)', handoverToRequired: 'Choose who takes it over',
      handedOver: 'Handed over to {name}', nothingMoved: 'Nothing else moved with it.', movedWith: 'Moved with it: {list}', movedItem: '{what} {n}',
      claimed: '“{name}” claimed', claimedMoved: '“{name}” claimed; moved with it: {list}', claimOf: 'Claim {name}',
      done: 'Done',
    },
    pool: {
      menu: 'Customer pool', title: 'Customer pool', lead: 'Customers without an owner are in the shared pool; anyone may claim them.',
    },
    admin: {
      pool: 'Pool rules',
      poolRules: {
        how: 'How the pool works',
        howText: 'When a customer’s owner does not follow it up (no follow-up that has taken place) within the days set here, the owner is warned first, then the customer goes back to the shared pool. The clock starts at the latest of the last follow-up, the owner taking the customer, and its creation. Anyone may claim a customer from the pool; owners may also release customers to it.',
        enabled: 'Return customers automatically', enabledHint: 'Off, nobody is warned and nothing returns; releasing and claiming still work.',
        days: 'Days without a follow-up', default_days: 'Default', default_daysHint: 'For customers without a level; 0 means never.',
        levels: 'By customer level', levelsHint: 'Days without a follow-up after which a customer of each level goes back to the pool; 0 means never for that level.',
        others: 'Warning and claiming',
        warn_days: 'Warn days before', warn_daysHint: 'How many days before a customer goes back its owner is told.',
        claim_cap: 'Claim cap', claim_capHint: 'How many customers one person may own and still claim from the pool; 0 means no cap.',
        reclaim_days: 'Days before claiming back', reclaim_daysHint: 'For how many days the former owner may not claim back a customer released or returned.',
        unit: 'days', unitCustomers: 'customers',
      },
    },
  },
};
