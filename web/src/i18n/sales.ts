// Words of sales (docs/internals/SALES.md): the funnel (src/views/sales/FunnelView.vue; `funnel`),
// the opportunities' board (BoardView.vue; `board`), the activity report (ActivityReportView.vue;
// `activityReport`), a lead's customer (components/
// LeadCustomer.vue; `leads`) and the leads' amount bands (views/admin/LeadBandsView.vue;
// `admin.leadBands`). Stage names come from the server.
// No "@" or "|" in these texts: vue-i18n reads them as links and plurals.
export default {
  'zh-CN': {
    conflicts: {
      title: '该客户已有进行中的销售机会', hint: '请确认不是重复报备：', owner: '负责人 {who}', nobody: '无',
      alike: '疑似同一客户：{name}',
    },
    funnel: {
      menu: '销售漏斗', title: '销售漏斗',
      period: '预计成交月份', from: '开始月份', to: '结束月份', owner: '负责人', team: '团队', region: '区域', product: '产品系列',
      any: '全部', reset: '重置',
      measure: '漏斗按', byCount: '数量', byAmount: '预计金额', byWeighted: '加权金额',
      stage: '阶段', count: '数量', amount: '预计金额', weighted: '加权金额', conversion: '转化率', days: '平均停留（天）',
      open: '进行中', won: '赢单', lost: '输单', winRate: '赢率', cycle: '平均成交周期',
      cycleDays: '{n} 天', none: '—',
      forecast: '按预计成交月份的预测', noClose: '未填日期', month: '月份',
      bottleneck: '瓶颈：{stage}（转化率 {rate}）',
      chartLabel: '销售漏斗：{stages}',
      forecastLabel: '按月预测：{months}',
      fromRecords: '按区域或产品筛选时，数字由机会记录逐条汇总。',
      others: '另有其他币种：{list}（未计入上方金额）',
      board: '机会看板',
    },
    activityReport: {
      menu: '跟进统计', title: '跟进统计', period: '跟进月份', kind: '方式',
      total: '合计', month: '月份', none: '所选范围内没有跟进记录。',
      summary: '{from} 至 {to} 共 {n} 条跟进',
      chartLabel: '按月份和方式的跟进数量：{months}',
      cellLabel: '{kind}，{month}：{n} 条，查看列表',
      utc: '月份按协调世界时（UTC）计算。',
    },
    board: {
      menu: '机会看板', title: '机会看板', mine: '只看我的', funnel: '销售漏斗',
      more: '另有 {n} 条', empty: '暂无机会', dropHint: '拖动卡片到其他阶段以推进',
      noMove: '从“{from}”不能直接到“{to}”', notAllowed: '您不能把这条机会推进到“{to}”',
      close: '预计 {date}', probability: '赢率 {p}%', newOpportunity: '新建机会',
      cardLabel: '{name}，{stage}，{amount}', moveOf: '推进“{name}”到…', moved: '“{name}”已进入“{to}”',
    },
    leads: {
      customer: {
        title: '关联客户', hint: '先按单位名称、电话和邮箱查重：已有客户直接关联，没有再新建。',
        noName: '填写单位名称后即可查重。', noMatch: '客户库中没有与“{name}”相似的客户。',
        link: '关联此客户', linkOf: '把“{name}”关联为该需求的客户', linked: '已关联客户',
        create: '新建客户“{name}”并关联',
      },
    },
    admin: {
      leads: '需求设置',
      leadBands: {
        title: '需求分级', how: '需求如何分级', howText: '需求按预计金额自动分级：不低于 A 级金额为 A 级（重大，须销售总监审核），不低于 B 级金额为 B 级（重点，须审核），其余为 C 级（一般，可直接分配）。修改后，新录入或改了金额的需求按新档位分级。',
        a_min: 'A 级起点金额', b_min: 'B 级起点金额', unit: '元',
      },
      leadForm: {
        title: '网站需求表单', text: '打开后，公司网站可以链接到下面的地址：访客留下联系方式和需求，系统生成来源为“官网留言”的需求，交给下面指定的人，并为其创建一项待办。表单限制同一来源的提交频率，并过滤机器人。',
        enabled: '开放表单', owner: '需求交给', address: '表单地址', open: '打开表单',
      },
    },
  },
  en: {
    conflicts: {
      title: 'This customer has open opportunities already', hint: 'Make sure this is not one of them:', owner: 'owned by {who}',
      nobody: 'no one', alike: 'a look-alike customer: {name}',
    },
    funnel: {
      menu: 'Sales funnel', title: 'Sales funnel',
      period: 'Expected close', from: 'First month', to: 'Last month', owner: 'Owner', team: 'Team', region: 'Region', product: 'Product line',
      any: 'All', reset: 'Reset',
      measure: 'Funnel by', byCount: 'Count', byAmount: 'Expected amount', byWeighted: 'Weighted amount',
      stage: 'Stage', count: 'Count', amount: 'Expected amount', weighted: 'Weighted amount', conversion: 'Conversion', days: 'Avg. days in stage',
      open: 'Open', won: 'Won', lost: 'Lost', winRate: 'Win rate', cycle: 'Average sales cycle',
      cycleDays: '{n} days', none: '—',
      forecast: 'Forecast by expected close month', noClose: 'No date', month: 'Month',
      bottleneck: 'Bottleneck: {stage} (conversion {rate})',
      chartLabel: 'Sales funnel: {stages}',
      forecastLabel: 'Forecast by month: {months}',
      fromRecords: 'Filtered by region or product, the figures are summed from the opportunities one by one.',
      others: 'Other currencies too: {list} (not in the amounts above)',
      board: 'Opportunity board',
    },
    activityReport: {
      menu: 'Activity report', title: 'Activity report', period: 'Activity months', kind: 'Kind',
      total: 'Total', month: 'Month', none: 'No activities in these months.',
      summary: '{n} activities from {from} to {to}',
      chartLabel: 'Activities by month and kind: {months}',
      cellLabel: '{kind}, {month}: {n}, open the list',
      utc: 'Months are UTC months.',
    },
    board: {
      menu: 'Opportunity board', title: 'Opportunity board', mine: 'Mine only', funnel: 'Sales funnel',
      more: '{n} more', empty: 'No opportunities', dropHint: 'Drag a card to another stage to move it on',
      noMove: 'No move goes straight from “{from}” to “{to}”', notAllowed: 'You cannot move this opportunity to “{to}”',
      close: 'Closes {date}', probability: '{p}% likely', newOpportunity: 'New opportunity',
      cardLabel: '{name}, {stage}, {amount}', moveOf: 'Move “{name}” to…', moved: '“{name}” moved to “{to}”',
    },
    leads: {
      customer: {
        title: 'Customer', hint: 'Check the company by name, phone and e-mail first: link a customer that exists, create one only if none does.',
        noName: 'Fill in the company to check it.', noMatch: 'No customer is like “{name}”.',
        link: 'Link this customer', linkOf: 'Link “{name}” as this lead\'s customer', linked: 'Customer linked',
        create: 'Create the customer “{name}” and link it',
      },
    },
    admin: {
      leads: 'Leads',
      leadBands: {
        title: 'Lead grading', how: 'How leads are graded', howText: 'A lead is graded by its expected amount: from the A amount up it is A (major, reviewed by the sales director), from the B amount B (significant, reviewed), below that C (ordinary, may be assigned directly). New leads, and leads whose amount changes, are graded by the bands saved here.',
        a_min: 'A from', b_min: 'B from', unit: 'yuan',
      },
      leadForm: {
        title: 'Web form for leads', text: 'Once it is open, the company\'s website can link to the address below: a visitor leaves their details and what they need, and a lead from the web form is made for the person named below, with a task for them. The form limits how often one address may send, and turns robots away.',
        enabled: 'Form open', owner: 'Leads go to', address: 'Address of the form', open: 'Open the form',
      },
    },
  },
};
