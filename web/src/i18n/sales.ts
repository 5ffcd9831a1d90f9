// Words of sales (docs/internals/SALES.md): the funnel (src/views/sales/FunnelView.vue; `funnel`)
// and the opportunities' board (BoardView.vue; `board`). Stage names come from the server.
// No "@" or "|" in these texts: vue-i18n reads them as links and plurals.
export default {
  'zh-CN': {
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
    board: {
      menu: '机会看板', title: '机会看板', mine: '只看我的', funnel: '销售漏斗',
      more: '另有 {n} 条', empty: '暂无机会', dropHint: '拖动卡片到其他阶段以推进',
      noMove: '从“{from}”不能直接到“{to}”', notAllowed: '您不能把这条机会推进到“{to}”',
      close: '预计 {date}', probability: '赢率 {p}%', newOpportunity: '新建机会',
      cardLabel: '{name}，{stage}，{amount}', moveOf: '推进“{name}”到…', moved: '“{name}”已进入“{to}”',
    },
  },
  en: {
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
    board: {
      menu: 'Opportunity board', title: 'Opportunity board', mine: 'Mine only', funnel: 'Sales funnel',
      more: '{n} more', empty: 'No opportunities', dropHint: 'Drag a card to another stage to move it on',
      noMove: 'No move goes straight from “{from}” to “{to}”', notAllowed: 'You cannot move this opportunity to “{to}”',
      close: 'Closes {date}', probability: '{p}% likely', newOpportunity: 'New opportunity',
      cardLabel: '{name}, {stage}, {amount}', moveOf: 'Move “{name}” to…', moved: '“{name}” moved to “{to}”',
    },
  },
};
