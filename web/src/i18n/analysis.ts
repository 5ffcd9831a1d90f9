// Words of the customer analysis (views/sales/CustomerAnalysisView.vue; `analysis`) and the
// salespeople's performance (views/sales/PerformanceView.vue; `performance`). Group names come
// from the server.
// No "@" or "|" in these texts: vue-i18n reads them as links and plurals.
export default {
  'zh-CN': {
    analysis: {
      menu: '客户分析', title: '客户分析',
      by: { industry: '行业', size: '规模', region: '销售区域', province: '省份', source: '来源', purchase: '购买金额' },
      measure: '图表按', byCount: '客户数', byAmount: '成交金额',
      group: '分组', count: '客户数', share: '占比', won: '成交机会', amount: '成交金额',
      total: '合计', noAmounts: '您无权查看销售机会，成交金额不显示。',
      others: '另有其他币种：{list}（未计入成交金额）',
      chartLabel: '客户{by}分布：{groups}',
      open: '点击分组可打开对应的客户列表', empty: '暂无客户',
    },
    performance: {
      menu: '业绩分析', title: '销售业绩',
      period: '{from} 至 {to}，对比 {pfrom} 至 {pto}',
      whole: '全公司', wholeTeam: '本团队', newCustomers: '新增客户', previous: '上期', growth: '增长率',
      vsWhole: '较整体', activities: '跟进次数', won: '赢单', wonAmount: '赢单金额', winRate: '赢率',
      pipeline: '在途加权', person: '销售人员', team: '团队', teams: '团队合计', total: '合计',
      chartLabel: '各销售人员新增客户增长与整体对比：{people}',
      chartGrowth: '个人增长率', chartWhole: '整体增长率', chartNow: '本期新增', chartBefore: '上期新增',
      shares: '客户成交占比', customer: '客户', owned: '负责', collaborated: '协作', customerTotal: '客户成交总额',
      shareOf: '占比', noShares: '该人员暂无成交客户', empty: '本期暂无数据',
    },
  },
  en: {
    analysis: {
      menu: 'Customer analysis', title: 'Customer analysis',
      by: { industry: 'Industry', size: 'Size', region: 'Sales region', province: 'Province', source: 'Source', purchase: 'Purchase amount' },
      measure: 'Chart by', byCount: 'Customers', byAmount: 'Amount won',
      group: 'Group', count: 'Customers', share: 'Share', won: 'Won opportunities', amount: 'Amount won',
      total: 'Total', noAmounts: 'You may not see opportunities: the amounts won are not shown.',
      others: 'Other currencies besides: {list} (not in the amounts won)',
      chartLabel: 'Customers by {by}: {groups}',
      open: 'A group opens its customers\' list', empty: 'No customers',
    },
    performance: {
      menu: 'Performance', title: 'Sales performance',
      period: '{from} to {to}, against {pfrom} to {pto}',
      whole: 'Whole company', wholeTeam: 'Whole team', newCustomers: 'New customers', previous: 'Before', growth: 'Growth',
      vsWhole: 'Vs. the whole', activities: 'Activities', won: 'Won', wonAmount: 'Amount won', winRate: 'Win rate',
      pipeline: 'Weighted pipeline', person: 'Salesperson', team: 'Team', teams: 'Team totals', total: 'Total',
      chartLabel: 'Growth in new customers per salesperson against the whole: {people}',
      chartGrowth: 'Their growth', chartWhole: 'The whole\'s growth', chartNow: 'New this period', chartBefore: 'New the period before',
      shares: 'Share of each customer\'s total', customer: 'Customer', owned: 'Owned', collaborated: 'Collaborated', customerTotal: 'Customer\'s total won',
      shareOf: 'Share', noShares: 'No customer has bought from them yet', empty: 'Nothing in this period',
    },
  },
};
